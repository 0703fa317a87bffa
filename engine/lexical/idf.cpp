#include "lexical/idf.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"

namespace iccache::lexical {

void IdfTable::Counter::add(const std::vector<Term>& terms) {
  for (const Term& t : terms) all_.push_back(t.term);
  ++texts_;
}

IdfTable IdfTable::Counter::finish(uint64_t table_n) {
  IdfTable t;
  t.sample_n_ = texts_;
  t.table_n_ = std::max<uint64_t>(table_n, texts_);
  std::sort(all_.begin(), all_.end());
  for (size_t i = 0; i < all_.size();) {
    size_t j = i;
    while (j < all_.size() && all_[j] == all_[i]) ++j;
    if (j - i >= 2) t.df_.emplace_back(all_[i], static_cast<uint32_t>(j - i));
    i = j;
  }
  t.df_.shrink_to_fit();
  std::vector<uint32_t>().swap(all_);
  texts_ = 0;
  return t;
}

float IdfTable::idf(uint32_t term) const {
  if (sample_n_ == 0) return 1.0f;
  auto it = std::lower_bound(df_.begin(), df_.end(), std::make_pair(term, uint32_t{0}));
  const double df = it != df_.end() && it->first == term ? it->second : 1.0;
  // df and n in the sample's scale; the ratio is what a full count would give.
  const double n = static_cast<double>(sample_n_);
  return static_cast<float>(std::log((1.0 + n) / (1.0 + df)) + 1.0);
}

namespace {
void put_u64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void put_u32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint64_t get(std::string_view b, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}
constexpr size_t kHeader = 4 + 8 + 8;
}  // namespace

std::string IdfTable::serialize() const {
  std::string s = "IDF" + std::to_string(terms_version_);
  s.reserve(kHeader + 8 * df_.size());
  put_u64(s, table_n_);
  put_u64(s, sample_n_);
  for (const auto& [term, df] : df_) {
    put_u32(s, term);
    put_u32(s, df);
  }
  return s;
}

IdfTable IdfTable::parse(std::string_view b) {
  const std::string current = "IDF" + std::to_string(Featurizer::kVersion);
  if (b.size() < kHeader || (b.substr(0, 4) != current && b.substr(0, 4) != "IDF1") || (b.size() - kHeader) % 8 != 0)
    throw Error("the stored IDF counts have " + std::to_string(b.size()) + " bytes and no valid header; expected \"" +
                current + "\", two counts and 8 bytes per term");
  IdfTable t;
  t.terms_version_ = b[3] - '0';
  t.table_n_ = get(b, 4, 8);
  t.sample_n_ = get(b, 12, 8);
  const size_t n = (b.size() - kHeader) / 8;
  t.df_.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const auto term = static_cast<uint32_t>(get(b, kHeader + 8 * i, 4));
    const auto df = static_cast<uint32_t>(get(b, kHeader + 8 * i + 4, 4));
    if ((!t.df_.empty() && term <= t.df_.back().first) || df < 2 || df > t.sample_n_)
      throw Error("the stored IDF counts are not valid at term " + std::to_string(i) +
                  "; expected terms in increasing order with counts from 2 to the texts counted");
    t.df_.emplace_back(term, df);
  }
  return t;
}

}  // namespace iccache::lexical
