#include "ext/route/route_ops.h"

#include <memory>

#include "common/clock.h"
#include "ext/manage/example_feedback.h"
#include "ext/route/route_args.h"
#include "ext/route/route_store.h"
#include "ext/select/select_feedback.h"
#include "ext/stats/stats.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

namespace {

// Routing's peers in table t: selection (select_feedback.h), the example manager and the
// tenant check; the decision's pending sample is held between utilities and log_sample.
class TablePeers : public route::RoutePeers {
 public:
  explicit TablePeers(Table& t) : t_(t) {}

  std::vector<double> utilities(const float* request, std::string_view text, bool has_text,
                                const std::vector<int64_t>& ids, const std::vector<double>& sims,
                                double at) override {
    return select::route_utilities(scoring_state(t_), request, text, has_text, ids, sims, at, sample_);
  }
  void log_sample(int64_t decision, double at, const std::string& trailer) override {
    sample_.features += trailer;
    select::log_selection_sample(select_state(t_), sample_, decision, at);
  }
  void selection_feedback(int64_t decision, std::string_view arm, double reward, double at,
                          bool keep_for_shadow) override {
    select::record_selection_feedback(select_state(t_), decision, arm, reward, at, keep_for_shadow);
  }
  void example_feedback(const manage::FeedbackEvent& event) override { apply_example_feedback(t_, event); }
  void require_tenant_examples(const std::vector<int64_t>& ids, const std::string& tenant,
                               std::string_view function, std::string_view what) override {
    ext::require_tenant_examples(t_, ids, tenant, function, what);
  }

 private:
  Table& t_;
  select::SampleRow sample_;
};

}  // namespace

route::RouteState& route_state(Table& t) {
  if (!t.route)
    t.route = std::make_shared<route::RouteState>(std::make_unique<RouteStore>(t.storage), t.options, t.name,
                                                  t.nonce_rng);
  t.route->refresh();
  return *t.route;
}

route::RouteResult route_request(Table& t, const std::vector<float>& request, int64_t request_bytes,
                                 const std::vector<int64_t>& example_ids, double at, std::string_view request_text) {
  route::RouteState& rs = route_state(t);
  TablePeers peers(t);
  return route::route_request(rs, peers, {request, request_bytes, example_ids, at, request_text, wall_clock_now()});
}

void give_feedback(Table& t, int64_t decision, double reward, std::string_view arm, const std::string* tenant) {
  route::RouteState& rs = route_state(t);
  TablePeers peers(t);
  route::give_feedback(rs, peers, decision, reward, arm, tenant, wall_clock_now());
}

void router_stats(Table& t, StatRows& out) { route::router_stats(route_state(t), wall_clock_now(), out); }

}  // namespace iccache::ext
