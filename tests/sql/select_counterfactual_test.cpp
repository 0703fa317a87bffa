// Counterfactual utility labels (issue 15 item 7): with utility_labels='counterfactual' a
// share counterfactual_rate of the decisions served by a cheaper model are probes whose
// show_ids hold only part of the selection; the labels are the advantage over the router's
// baseline; the batch refit reads the same samples; reward labels (the default) show every
// example.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sql_test_util.h"

using iccache_test::Db;
using iccache_test::Rows;

namespace {

void fill(Db& db, const std::string& options) {
  db.exec("CREATE VIRTUAL TABLE ex USING iccache(dim=64, seed=3, threshold=0" + options + ")");
  db.exec("BEGIN");
  for (int i = 0; i < 8; ++i)
    db.exec("INSERT INTO ex(request, response, quality) VALUES ('How far does a train go at " + std::to_string(50 + i) +
            " mph for 2 hours?', '" + std::to_string(100 + 2 * i) + " miles.', 0.9)");
  db.exec("COMMIT");
}

std::string ids_for(Db& db, const std::string& request) {
  return db.scalar("SELECT json_group_array(rowid) FROM (SELECT rowid FROM ex WHERE ex MATCH '" + request +
                   "' AND k = 5)");
}

std::set<std::string> id_set(Db& db, const std::string& json) {
  std::set<std::string> out;
  for (const auto& r : db.query("SELECT value FROM json_each('" + json + "')")) out.insert(r[0]);
  return out;
}

TEST(SelectCounterfactual, ProbesShowPartOfTheSelection) {
  Db db;
  fill(db, ", utility_labels='counterfactual', counterfactual_rate=1");
  const std::string req = "How far does a train go at 53 mph for 2 hours?";
  const std::string ids = ids_for(db, req);
  ASSERT_EQ(id_set(db, ids).size(), 5u);
  int small = 0, partial = 0;
  for (int n = 0; n < 40; ++n) {
    const Rows r = db.query("SELECT decision, model, show_ids FROM iccache_route('ex', '" + req + "', '" + ids +
                            "', " + std::to_string(1.7e9 + n) + ")");
    ASSERT_EQ(r.size(), 1u);
    const std::set<std::string> shown = id_set(db, r[0][2]), all = id_set(db, ids);
    for (const std::string& s : shown) EXPECT_TRUE(all.count(s)) << r[0][2];
    if (r[0][1] == "small") {
      ++small;
      partial += shown.size() < all.size();
    } else {
      EXPECT_EQ(r[0][2], ids);  // the large model uses no examples: never a probe
    }
    db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", " + (r[0][1] == "small" ? "0.9" : "0.4") + ")");
  }
  ASSERT_GT(small, 10);
  EXPECT_GE(partial, small * 3 / 4);  // rate 1: every small decision is a probe (a half may keep all)
  // Every labelled example of a small decision trained the model; the batch refit reads the
  // samples with their trailers.
  const std::string online = db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'");
  EXPECT_EQ(online, std::to_string(5 * small));
  db.exec("INSERT INTO ex(ex) VALUES('train')");
  EXPECT_EQ(db.scalar("SELECT value FROM ex_stats WHERE key = 'utility_samples'"), online);
}

TEST(SelectCounterfactual, LabelsDifferFromRewardLabels) {
  // Same stream, rate 0: every example is shown in both tables; only the labels differ.
  std::string weights[2];
  for (int mode = 0; mode < 2; ++mode) {
    Db db;
    fill(db, mode ? ", utility_labels='counterfactual', counterfactual_rate=0" : "");
    const std::string req = "How far does a train go at 53 mph for 2 hours?";
    const std::string ids = ids_for(db, req);
    for (int n = 0; n < 20; ++n) {
      const Rows r = db.query("SELECT decision, model, show_ids FROM iccache_route('ex', '" + req + "', '" + ids +
                              "', " + std::to_string(1.7e9 + n) + ")");
      EXPECT_EQ(r[0][2], ids);
      db.exec("SELECT iccache_feedback('ex', " + r[0][0] + ", 0.8)");
    }
    weights[mode] = db.scalar("SELECT value FROM ex_stats WHERE key = 'utility.w.bias'");
    // The refit from the log reproduces the online model's labels, so its bias moves the same way.
    db.exec("INSERT INTO ex(ex) VALUES('train')");
  }
  EXPECT_NE(weights[0], weights[1]);
}

TEST(SelectCounterfactual, OptionsAndDefault) {
  Db db;
  fill(db, "");
  const std::string ids = ids_for(db, "train at 53 mph");
  for (int n = 0; n < 10; ++n)
    EXPECT_EQ(db.scalar("SELECT show_ids FROM iccache_route('ex', 'train at 53 mph', '" + ids + "')"), ids);
  EXPECT_EQ(db.scalar("SELECT show_ids FROM iccache_route('ex', 'train at 53 mph', NULL)"), "[]");
  Db bad;
  EXPECT_EQ(bad.error_of("CREATE VIRTUAL TABLE ex USING iccache(utility_labels=loo)"),
            "ex: option utility_labels=loo is not valid; expected 'reward' (each shown example gets the reward) or "
            "'counterfactual' (the advantage over the router's baseline, with probes)");
  EXPECT_EQ(bad.error_of("CREATE VIRTUAL TABLE ex USING iccache(counterfactual_rate=1.5)"),
            "ex: option counterfactual_rate=1.5 is not valid; expected a share from 0 to 1");
}

}  // namespace
