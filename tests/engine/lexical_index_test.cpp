#include "lexical/lexical_index.h"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/error.h"
#include "lexical/featurizer.h"
#include "lexical/idf.h"

namespace iccache::lexical {
namespace {

std::vector<Term> terms_of(const std::string& text) {
  Featurizer f;
  std::vector<Term> t;
  f.terms(text, t);
  return t;
}

// Exact cosine of two texts' TF-IDF vectors, in double, by definition (the reference the
// index must agree with to float precision).
double cosine(const IdfTable& idf, const std::vector<Term>& a, const std::vector<Term>& b) {
  std::map<uint32_t, double> va, vb;
  for (const Term& t : a) va[t.term] = t.tf * idf.idf(t.term);
  for (const Term& t : b) vb[t.term] = t.tf * idf.idf(t.term);
  double dot = 0, na = 0, nb = 0;
  for (auto [k, x] : va) {
    na += x * x;
    if (vb.count(k)) dot += x * vb[k];
  }
  for (auto [k, x] : vb) nb += x * x;
  return dot / std::sqrt(na * nb);
}

// Random sentences over a small vocabulary, so postings lists are long and scores tie.
std::vector<std::string> corpus(size_t n, uint32_t seed) {
  static const char* words[] = {"the", "cat", "dog", "sat", "on", "mat", "red", "blue", "car", "tax",
                                "return", "bread", "bake", "river", "bank", "money", "time", "plan",
                                "paris", "france", "capital", "city", "of", "a", "is", "what"};
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> len(2, 9), pick(0, 25);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string s;
    for (int w = len(rng); w > 0; --w) s += std::string(words[pick(rng)]) + " ";
    out.push_back(s);
  }
  return out;
}

IdfTable count(const std::vector<std::string>& texts) {
  IdfTable::Counter c;
  for (const std::string& s : texts) c.add(terms_of(s));
  return c.finish(texts.size());
}

TEST(Featurizer, TermsAreSortedUniqueAndWeightedByType) {
  const std::vector<Term> t = terms_of("The cat, the CAT!");
  ASSERT_FALSE(t.empty());
  for (size_t i = 1; i < t.size(); ++i) EXPECT_LT(t[i - 1].term, t[i].term);
  // Words: "the" and "cat" twice each, saturated: 2 (1.2 + 1) / (2 + 1.2) = 1.375; bigrams
  // "the cat" twice (0.7 x 1.375), "cat the" once (0.7); no character n-grams by default.
  std::vector<float> unigrams, bigrams;
  for (const Term& x : t) (x.term & 3) == 0 ? unigrams.push_back(x.tf) : bigrams.push_back(x.tf);
  ASSERT_EQ(unigrams.size(), 2u);
  ASSERT_EQ(bigrams.size(), 2u);
  EXPECT_FLOAT_EQ(unigrams[0], 1.375f);
  EXPECT_FLOAT_EQ(unigrams[1], 1.375f);
  std::sort(bigrams.begin(), bigrams.end());
  EXPECT_FLOAT_EQ(bigrams[0], 0.7f);
  EXPECT_FLOAT_EQ(bigrams[1], 0.7f * 1.375f);
  // One word three and ten times: 3 x 2.2 / 4.2 and 10 x 2.2 / 11.2 (the curve flattens
  // towards 2.2, where 1 + ln count would grow without bound).
  auto unigram_tf = [](const std::string& text) {
    for (const Term& x : terms_of(text))
      if ((x.term & 3) == 0) return x.tf;
    return 0.0f;
  };
  EXPECT_FLOAT_EQ(unigram_tf("go go go"), 3 * 2.2f / 4.2f);
  EXPECT_FLOAT_EQ(unigram_tf("go go go go go go go go go go"), 10 * 2.2f / 11.2f);
  EXPECT_TRUE(terms_of("  ...  ").empty());
  EXPECT_TRUE(terms_of(std::string("ab\xff", 3)).empty());  // not UTF-8: no terms
}

TEST(Featurizer, InflectionsShareTheirStem) {
  // Plurals, -ed and -ing forms (lexical/stemmer.h) give the same terms, bigrams included.
  for (auto [a, b] : {std::pair{"The companies stated plans", "the company states plan"},
                      std::pair{"making cakes", "Make cake"}, std::pair{"hopping rabbits", "hop rabbit"}}) {
    const std::vector<Term> x = terms_of(a), y = terms_of(b);
    ASSERT_EQ(x.size(), y.size()) << a;
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(x[i].term, y[i].term) << a;
  }
  // Different words stay different; digits and other scripts are not stemmed.
  EXPECT_NE(terms_of("hope")[0].term, terms_of("hop")[0].term);
  EXPECT_NE(terms_of("2020s")[0].term, terms_of("2020")[0].term);
  EXPECT_NE(terms_of("größes")[0].term, terms_of("größe")[0].term);
}

TEST(Featurizer, SameTextSameTermsCaseFolded) {
  const std::vector<Term> a = terms_of("What is the capital of France?");
  const std::vector<Term> b = terms_of("what IS the capital of france");
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].term, b[i].term);
    EXPECT_EQ(a[i].tf, b[i].tf);
  }
}

TEST(IdfTable, SmoothedIdfFromCounts) {
  IdfTable::Counter c;
  c.add(terms_of("red car"));
  c.add(terms_of("red bus"));
  c.add(terms_of("blue car"));
  c.add(terms_of("red red"));
  const IdfTable idf = c.finish(4);
  const uint32_t red = terms_of("red")[0].term, car = terms_of("car")[0].term, bus = terms_of("bus")[0].term;
  EXPECT_FLOAT_EQ(idf.idf(red), static_cast<float>(std::log(5.0 / 4.0) + 1));  // df 3
  EXPECT_FLOAT_EQ(idf.idf(car), static_cast<float>(std::log(5.0 / 3.0) + 1));  // df 2
  // df 1 is not kept: counted as 1, as an unseen term.
  EXPECT_FLOAT_EQ(idf.idf(bus), static_cast<float>(std::log(5.0 / 2.0) + 1));
  EXPECT_FLOAT_EQ(idf.idf(12345), idf.idf(bus));
  EXPECT_FLOAT_EQ(IdfTable().idf(red), 1.0f);
}

TEST(IdfTable, SerializeRoundTripAndDamageIsRefused) {
  const IdfTable idf = count(corpus(200, 1));
  const std::string bytes = idf.serialize();
  const IdfTable back = IdfTable::parse(bytes);
  EXPECT_EQ(back.serialize(), bytes);
  EXPECT_EQ(back.sample_n(), 200u);
  EXPECT_GT(back.terms(), 10u);
  auto error = [](std::string_view b) {
    try {
      IdfTable::parse(b);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(bytes.substr(0, 4), "IDF2");
  EXPECT_EQ(back.terms_version(), 2);
  // Counts from before stemming ("IDF1") are read, and say so; other versions are refused.
  const IdfTable old = IdfTable::parse("IDF1" + bytes.substr(4));
  EXPECT_EQ(old.terms_version(), 1);
  EXPECT_EQ(old.serialize(), "IDF1" + bytes.substr(4));
  EXPECT_EQ(old.terms(), back.terms());
  EXPECT_EQ(error("IDF3" + bytes.substr(4)), "the stored IDF counts have " + std::to_string(bytes.size()) +
                                                  " bytes and no valid header; expected \"IDF2\", two counts and 8 bytes per term");
  EXPECT_EQ(error("IDF"), "the stored IDF counts have 3 bytes and no valid header; expected \"IDF2\", two counts and 8 bytes per term");
  EXPECT_EQ(error(bytes.substr(0, bytes.size() - 3)).substr(0, 30), "the stored IDF counts have " + std::to_string(bytes.size() - 3).substr(0, 3));
  std::string swapped = bytes;  // two terms out of order
  std::swap_ranges(swapped.begin() + 20, swapped.begin() + 28, swapped.begin() + 28);
  EXPECT_EQ(error(swapped),
            "the stored IDF counts are not valid at term 1; expected terms in increasing order with counts from 2 to the texts counted");
}

TEST(LexicalIndex, ScoresAreTheTfIdfCosine) {
  const std::vector<std::string> texts = {"what is the capital of france", "the capital city of france is paris",
                                          "how to bake bread", "tax return deadline"};
  const IdfTable idf = count(texts);
  LexicalIndex index(idf);
  for (size_t i = 0; i < texts.size(); ++i) index.add(static_cast<int64_t>(i + 1), "", terms_of(texts[i]));
  const std::vector<Term> q = terms_of("capital of France?");
  const std::vector<index::Hit> hits = index.search(q, 4, nullptr);
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].id, 1);
  EXPECT_EQ(hits[1].id, 2);
  EXPECT_NEAR(hits[0].score, cosine(idf, q, terms_of(texts[0])), 1e-6);
  EXPECT_NEAR(hits[1].score, cosine(idf, q, terms_of(texts[1])), 1e-6);
  // No shared term: filled with score 0, smallest id first.
  EXPECT_EQ(hits[2].id, 3);
  EXPECT_EQ(hits[2].score, 0.0f);
  EXPECT_EQ(hits[3].id, 4);
  // The same text: cosine 1 exactly.
  EXPECT_EQ(index.search(terms_of("How to bake bread"), 1, nullptr)[0].score, 1.0f);
}

TEST(LexicalIndex, PrunedSearchEqualsExhaustiveAndBruteForce) {
  const std::vector<std::string> texts = corpus(3000, 7);
  const IdfTable idf = count(texts);
  LexicalIndex index(idf);
  index.set_budget(0);  // the exact pruned search (the default budget is tested below)
  for (size_t i = 0; i < texts.size(); ++i) index.add(static_cast<int64_t>(i + 1), "", terms_of(texts[i]));
  std::vector<std::vector<Term>> text_terms;
  for (const std::string& t : texts) text_terms.push_back(terms_of(t));
  size_t pruned_lists = 0, total_lists = 0;
  for (const std::string& qs : corpus(40, 99)) {
    const std::vector<Term> q = terms_of(qs);
    LexicalIndex::Stats st;
    const std::vector<index::Hit> pruned = index.search(q, 10, nullptr, 0, &st);
    const std::vector<index::Hit> full = index.search(q, 10, nullptr, INT_MAX);
    ASSERT_EQ(pruned.size(), 10u);
    EXPECT_FALSE(st.approximate);
    for (size_t i = 0; i < 10; ++i) {  // same ids, same bits
      EXPECT_EQ(pruned[i].id, full[i].id) << qs;
      EXPECT_EQ(pruned[i].score, full[i].score) << qs;
    }
    pruned_lists += st.lists_read;
    total_lists += st.lists_total;
    // Brute force: the 10th best exact cosine equals the 10th score returned.
    std::vector<double> all;
    for (const std::vector<Term>& t : text_terms) all.push_back(cosine(idf, q, t));
    std::sort(all.rbegin(), all.rend());
    EXPECT_NEAR(full[9].score, all[9], 1e-5) << qs;
    EXPECT_NEAR(full[0].score, all[0], 1e-5) << qs;
  }
  EXPECT_LT(pruned_lists, total_lists);  // pruning read fewer lists to their end
}

// The default search stops after a budget of postings; past it only documents already seen
// compete. Every score it returns is still the document's exact score (the same bits as the
// exhaustive form), answers it does not mark approximate equal the exhaustive ones, and
// most of the exhaustive top 10 is found.
TEST(LexicalIndex, BudgetedSearchScoresExactlyAndMarksWhatMayDiffer) {
  const std::vector<std::string> texts = corpus(6000, 3);
  const IdfTable idf = count(texts);
  LexicalIndex index(idf);
  for (size_t i = 0; i < texts.size(); ++i) index.add(static_cast<int64_t>(i + 1), "", terms_of(texts[i]));
  EXPECT_EQ(index.budget(), LexicalIndex::kBudgetMin);  // 32 x sqrt(6000) is below the floor
  index.set_budget(1.0, 1500);
  EXPECT_EQ(index.budget(), 1500u);
  size_t approximate = 0, found = 0, queries = 0;
  for (const std::string& qs : corpus(60, 41)) {
    const std::vector<Term> q = terms_of(qs);
    LexicalIndex::Stats st;
    const std::vector<index::Hit> got = index.search(q, 10, nullptr, 0, &st);
    const std::vector<index::Hit> full = index.search(q, 10, nullptr, INT_MAX);
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(st.approximate, st.budget_hit);
    approximate += st.approximate;
    ++queries;
    std::map<int64_t, float> exact;
    for (const index::Hit& h : index.search(q, 6000, nullptr, INT_MAX)) exact[h.id] = h.score;
    for (size_t i = 0; i < 10; ++i) {
      EXPECT_EQ(got[i].score, exact[got[i].id]) << qs;  // the document's own exact bits
      if (i > 0) EXPECT_TRUE(!index::better_hit(got[i], got[i - 1])) << qs;
      for (const index::Hit& f : full) found += f.id == got[i].id;
      if (!st.approximate) {
        EXPECT_EQ(got[i].id, full[i].id) << qs;
        EXPECT_EQ(got[i].score, full[i].score) << qs;
      }
    }
  }
  EXPECT_GT(approximate, 0u);            // the budget did stop some searches
  EXPECT_LT(approximate, queries);       // and the exact stop came first in others
  EXPECT_GE(found, queries * 10 * 9 / 10);  // recall@10 against the exhaustive answer >= 0.9
}

// The flat layout and the recent postings together: a bulk load (one merge), then adds,
// replacements and removals that stay in the recent lists, then enough to fold them in;
// at each stage pruned == exhaustive (same bits) == brute force over the live texts.
TEST(LexicalIndex, FlatAndRecentPostingsAnswerAlike) {
  const std::vector<std::string> texts = corpus(6000, 11);
  const IdfTable idf = count(texts);
  LexicalIndex index(idf);
  index.set_budget(0);  // exact pruned search
  std::map<int64_t, std::vector<Term>> live;
  index.hold_merges(true);
  for (size_t i = 0; i < 4000; ++i) {
    index.add(static_cast<int64_t>(i + 1), "", terms_of(texts[i]));
    live[static_cast<int64_t>(i + 1)] = terms_of(texts[i]);
  }
  index.hold_merges(false);
  const size_t flat_lists = index.lists();
  auto check = [&](const char* stage) {
    for (const std::string& qs : corpus(15, 5)) {
      const std::vector<Term> q = terms_of(qs);
      const std::vector<index::Hit> pruned = index.search(q, 10, nullptr);
      const std::vector<index::Hit> full = index.search(q, 10, nullptr, INT_MAX);
      ASSERT_EQ(pruned.size(), 10u) << stage;
      for (size_t i = 0; i < 10; ++i) {
        EXPECT_EQ(pruned[i].id, full[i].id) << stage << ": " << qs;
        EXPECT_EQ(pruned[i].score, full[i].score) << stage << ": " << qs;
        EXPECT_TRUE(live.count(full[i].id)) << stage;
      }
      std::vector<double> all;
      for (const auto& [id, t] : live) all.push_back(cosine(idf, q, t));
      std::sort(all.rbegin(), all.rend());
      EXPECT_NEAR(full[0].score, all[0], 1e-5) << stage << ": " << qs;
      EXPECT_NEAR(full[9].score, all[9], 1e-5) << stage << ": " << qs;
    }
  };
  check("flat");
  // 1,000 more, 300 replaced with other texts, 500 removed: below an eighth of the flat
  // postings and below the removal threshold, so all of it is in the recent lists.
  const size_t flat_postings = index.postings();
  for (size_t i = 4000; i < 5000; ++i) {
    index.add(static_cast<int64_t>(i + 1), "", terms_of(texts[i]));
    live[static_cast<int64_t>(i + 1)] = terms_of(texts[i]);
  }
  for (int64_t id = 1; id <= 300; ++id) {
    index.add(id * 7, "", terms_of(texts[5000 + id]));
    live[id * 7] = terms_of(texts[5000 + id]);
  }
  for (int64_t id = 2; id <= 1000; id += 2) {
    index.remove(id * 3);
    live.erase(id * 3);
  }
  EXPECT_GT(index.postings(), flat_postings);  // dead postings still held: no merge yet
  EXPECT_EQ(index.size(), live.size());
  check("flat + recent");
  // Removals past a quarter fold everything into the flat part again.
  for (int64_t id = 1; id <= 4000; id += 3) {
    index.remove(id);
    live.erase(id);
  }
  EXPECT_EQ(index.size(), live.size());
  EXPECT_LE(index.lists(), flat_lists);
  check("merged");
}

TEST(LexicalIndex, TenantFilterRemoveReplaceAndCompaction) {
  LexicalIndex index;
  index.add(1, "a", terms_of("red car"));
  index.add(2, "b", terms_of("red car"));
  index.add(3, "a", terms_of("blue car"));
  const std::string a = "a", c = "c";
  std::vector<index::Hit> hits = index.search(terms_of("red car"), 5, &a);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].id, 1);
  EXPECT_EQ(hits[1].id, 3);
  EXPECT_TRUE(index.search(terms_of("red car"), 5, &c).empty());
  index.add(1, "a", terms_of("green bike"));  // replace
  EXPECT_EQ(index.search(terms_of("green bike"), 1, nullptr)[0].id, 1);
  EXPECT_EQ(index.search(terms_of("red car"), 1, nullptr)[0].id, 2);
  EXPECT_TRUE(index.remove(2));
  EXPECT_FALSE(index.remove(2));
  EXPECT_EQ(index.size(), 2u);
  // Enough removals to compact: the survivors still answer, with the same scores.
  for (int i = 100; i < 3200; ++i) index.add(i, "a", terms_of("filler text number " + std::to_string(i)));
  const std::vector<index::Hit> before = index.search(terms_of("blue car"), 3, nullptr);
  for (int i = 100; i < 3200; ++i) index.remove(i);
  EXPECT_EQ(index.size(), 2u);
  const std::vector<index::Hit> after = index.search(terms_of("blue car"), 3, nullptr);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].id, 3);
  EXPECT_EQ(after[0].score, before[0].score);
  EXPECT_EQ(after[1].id, 1);
  // Compaction ran (every 1,024 removals here): most dead postings are gone.
  EXPECT_LT(index.postings(), 3100u * 7 / 4);
}

TEST(LexicalIndex, EmptyAndWordlessDocuments) {
  LexicalIndex index;
  EXPECT_TRUE(index.search(terms_of("anything"), 3, nullptr).empty());
  index.add(5, "", {});
  const std::vector<index::Hit> hits = index.search(terms_of("anything"), 3, nullptr);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, 5);
  EXPECT_EQ(hits[0].score, 0.0f);
  EXPECT_TRUE(index.search({}, 0, nullptr).empty());
}

}  // namespace
}  // namespace iccache::lexical
