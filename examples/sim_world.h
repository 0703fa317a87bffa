// The seeded simulated pair of models of examples/sim_models.py, in C++ for
// serving_loop.cpp: the same traffic, models, judge and random streams (see the Python file
// for the rules and why they are what they are). Standard library only; the caller loads
// the problems.
#pragma once
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sim {

inline constexpr const char* kSmall = "sim-small";
inline constexpr const char* kLarge = "sim-large";
inline constexpr double kPLarge = 0.90, kPSmall = 0.30, kLift = 0.60;

inline uint64_t splitmix64(uint64_t x) {
  uint64_t z = x + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

inline uint64_t fnv1a64(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  return h;
}

struct Rng {
  uint64_t state;
  explicit Rng(uint64_t key) : state(key) {}
  uint64_t next() { return splitmix64(state += 0x9E3779B97F4A7C15ull) ; }
  double uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
};

using Words = std::set<std::string>;

inline Words words(const std::string& text) {
  Words out;
  std::string w;
  for (char ch : text + " ") {
    char c = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      w += c;
    } else if (!w.empty()) {
      out.insert(w);
      w.clear();
    }
  }
  return out;
}

inline double jaccard(const Words& a, const Words& b) {
  size_t common = 0;
  for (const std::string& w : a) common += b.count(w);
  const size_t uni = a.size() + b.size() - common;
  return uni ? static_cast<double>(common) / uni : 0.0;
}

// The number after the last "####", else the last number; commas dropped ("" when none).
inline std::string final_number(const std::string& answer) {
  const size_t mark = answer.rfind("####");
  const std::string tail = mark == std::string::npos ? answer : answer.substr(mark + 4);
  std::vector<std::string> nums;
  for (size_t i = 0; i < tail.size();) {
    const bool neg = tail[i] == '-' && i + 1 < tail.size() && std::isdigit(static_cast<unsigned char>(tail[i + 1]));
    if (!neg && !std::isdigit(static_cast<unsigned char>(tail[i]))) { ++i; continue; }
    std::string n = neg ? "-" : "";
    if (neg) ++i;
    while (i < tail.size() && (std::isdigit(static_cast<unsigned char>(tail[i])) || tail[i] == ','))
      if (tail[i++] != ',') n += tail[i - 1];
    if (i + 1 < tail.size() && tail[i] == '.' && std::isdigit(static_cast<unsigned char>(tail[i + 1]))) {
      n += tail[i++];
      while (i < tail.size() && std::isdigit(static_cast<unsigned char>(tail[i]))) n += tail[i++];
    }
    nums.push_back(n);
  }
  if (nums.empty()) return "";
  return mark == std::string::npos ? nums.back() : nums.front();
}

inline double ramp(double j) { return std::min(1.0, std::max(0.0, (j - 0.2) / 0.4)); }

struct Problem {
  std::string question, answer;
};

using Example = std::pair<std::string, std::string>;  // request, response

class World {
 public:
  World(std::vector<Problem> problems, uint64_t seed) : problems_(std::move(problems)), seed_(seed) {
    for (size_t i = 0; i < problems_.size(); ++i) {
      golds_.push_back(final_number(problems_[i].answer));
      for (const std::string& w : words(problems_[i].question)) postings_[w].push_back(static_cast<int>(i));
    }
  }

  // n paraphrased requests over the first `distinct` problems, Zipf(1.1) popularity.
  std::vector<std::string> requests(int n, int distinct, double zipf_s = 1.1) const {
    std::vector<double> cdf;
    double total = 0, acc = 0;
    for (int r = 0; r < distinct; ++r) total += 1.0 / std::pow(r + 1, zipf_s);
    for (int r = 0; r < distinct; ++r) cdf.push_back(acc += 1.0 / std::pow(r + 1, zipf_s) / total);
    Rng rng(splitmix64(seed_ ^ 0x7261666669630000ull));
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
      const double u = rng.uniform();
      int idx = distinct - 1;
      for (int r = 0; r < distinct; ++r)
        if (u < cdf[r]) { idx = r; break; }
      std::string text, w;
      const std::string& q = problems_[idx].question;
      bool first = true;
      for (size_t p = 0; p <= q.size(); ++p) {
        if (p < q.size() && q[p] != ' ') { w += q[p]; continue; }
        const bool digit = std::any_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digit || rng.uniform() >= 0.15) {
          if (!first) text += ' ';
          text += w;
          first = false;
        }
        w.clear();
      }
      out.push_back(text);
    }
    return out;
  }

  int identify(const std::string& text) const {
    std::map<int, int> counts;
    for (const std::string& w : words(text)) {
      auto it = postings_.find(w);
      if (it != postings_.end()) for (int i : it->second) ++counts[i];
    }
    int best = 0, best_n = 0;
    for (const auto& [i, n] : counts)
      if (n > best_n) best = i, best_n = n;  // map order: ties keep the smaller index
    return best;
  }

  std::string generate(const std::string& model, const std::string& request,
                       const std::vector<Example>& examples) {
    const std::string key = model + "\x1f" + request;
    const uint64_t attempt = attempts_[key]++;
    Rng rng(splitmix64(fnv1a64(key) ^ splitmix64(seed_)) + attempt);
    const int idx = identify(request);
    double p = kPLarge;
    if (model == kSmall) {
      const Words rw = words(request);
      double best = 0;
      for (const Example& e : examples)
        if (final_number(e.second) == golds_[idx]) best = std::max(best, jaccard(rw, words(e.first)));
      p = kPSmall + kLift * ramp(best);
    }
    const std::string& answer = problems_[idx].answer;
    if (rng.uniform() < p) return answer;
    const long wrong = std::lround(std::trunc(std::stod(golds_[idx]))) + 1 + static_cast<long>(rng.uniform() * 9);
    return answer.substr(0, answer.rfind("####")) + "#### " + std::to_string(wrong);
  }

  double judge(const std::string& request, const std::string& answer) const {
    return final_number(answer) == golds_[identify(request)] ? 1.0 : 0.0;
  }

 private:
  std::vector<Problem> problems_;
  uint64_t seed_;
  std::vector<std::string> golds_;
  std::unordered_map<std::string, std::vector<int>> postings_;
  std::map<std::string, uint64_t> attempts_;
};

}  // namespace sim
