// Real-text corpora built at run time from ../shared/data (nothing of them is shipped):
//   sentences(): AlpacaEval answers of six models, GSM8K questions and answers, and the two
//     Alpaca files (prompts and answers), split into distinct sentences of 30-400 bytes,
//     shuffled with a fixed seed;
//   paraphrase sets: MRPC train pairs labelled 1 and GPTCache's mock pairs, each side with
//     the distractor requests (GSM8K questions + AlpacaEval instructions).
// Empty results when the data is missing; the caller says so and skips.
#pragma once
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace bench {

inline std::string slurp_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Texts through SQLite's JSON functions: `sql` selects one text column from json_each(?1).
inline void json_column(sqlite3* db, const std::string& json, const char* sql, std::vector<std::string>& out) {
  if (json.empty()) return;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) return;
  sqlite3_bind_text(s, 1, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
  while (sqlite3_step(s) == SQLITE_ROW)
    if (const unsigned char* t = sqlite3_column_text(s, 0)) out.emplace_back(reinterpret_cast<const char*>(t));
  sqlite3_finalize(s);
}

inline std::string jsonl_to_array(const std::string& jsonl) {
  std::string arr = "[";
  std::istringstream lines(jsonl);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) arr += (arr.size() > 1 ? "," : "") + line;
  return arr + "]";
}

inline const char* const kAlpacaEvalModels[] = {
    "alpaca-7b", "llama-2-7b-chat-hf", "Mixtral-8x7B-Instruct-v0.1", "gpt-3.5-turbo-0613", "gpt4",
    "gpt4_1106_preview"};

// Sentences: split at line breaks and after '.', '!' or '?' followed by a space; trimmed;
// kept when 30 to 400 bytes with at least one letter or digit; each once; shuffled (seed 14).
inline std::vector<std::string> sentences(const std::string& dir) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  std::vector<std::string> texts;
  for (const char* m : kAlpacaEvalModels)
    json_column(db, slurp_file(dir + "/alpaca_eval/" + m + ".model_outputs.json"),
                "SELECT json_extract(value,'$.output') FROM json_each(?1)", texts);
  const std::string gsm = jsonl_to_array(slurp_file(dir + "/gsm8k/train.jsonl"));
  json_column(db, gsm, "SELECT json_extract(value,'$.question') FROM json_each(?1)", texts);
  json_column(db, gsm, "SELECT json_extract(value,'$.answer') FROM json_each(?1)", texts);
  for (const char* f : {"/alpaca/alpaca_data_1k.json", "/alpaca/alpaca_gpt4_en_demo_1k.json"}) {
    const std::string j = slurp_file(dir + f);
    json_column(db, j, "SELECT trim(json_extract(value,'$.instruction') || ' ' || json_extract(value,'$.input')) FROM json_each(?1)", texts);
    json_column(db, j, "SELECT json_extract(value,'$.output') FROM json_each(?1)", texts);
  }
  sqlite3_close(db);
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  auto emit = [&](std::string s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return;
    s = s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
    const bool has_word = std::any_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (s.size() >= 30 && s.size() <= 400 && has_word && seen.insert(s).second) out.push_back(std::move(s));
  };
  for (const std::string& t : texts) {
    std::string cur;
    for (size_t i = 0; i < t.size(); ++i) {
      const char c = t[i];
      if (c == '\n') {
        emit(std::move(cur));
        cur.clear();
        continue;
      }
      cur.push_back(c);
      if ((c == '.' || c == '!' || c == '?') && i + 1 < t.size() && t[i + 1] == ' ') {
        emit(std::move(cur));
        cur.clear();
      }
    }
    emit(std::move(cur));
  }
  std::mt19937_64 rng(14);
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

struct ParaphraseSet {
  std::string name;
  std::vector<std::pair<std::string, std::string>> pairs;  // (stored, query)
};

// MRPC train pairs labelled 1 (first string stored, second asked) and GPTCache mock pairs
// (origin stored, similar asked).
inline std::vector<ParaphraseSet> paraphrase_sets(const std::string& dir) {
  std::vector<ParaphraseSet> sets;
  ParaphraseSet mrpc{"MRPC train (label 1)", {}};
  std::istringstream lines(slurp_file(dir + "/mrpc/msr_paraphrase_train.txt"));
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::stringstream ls(line);
    for (std::string x; std::getline(ls, x, '\t');) f.push_back(x);
    if (f.size() == 5 && f[0] == "1") mrpc.pairs.emplace_back(f[3], f[4]);
  }
  if (!mrpc.pairs.empty()) sets.push_back(std::move(mrpc));
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  std::vector<std::string> o, s;
  const std::string g = slurp_file(dir + "/gptcache_mock/mock_data_0_748.json");
  json_column(db, g, "SELECT json_extract(value,'$.origin') FROM json_each(?1)", o);
  json_column(db, g, "SELECT json_extract(value,'$.similar') FROM json_each(?1)", s);
  sqlite3_close(db);
  ParaphraseSet gc{"GPTCache mock", {}};
  for (size_t i = 0; i < o.size() && i < s.size(); ++i) gc.pairs.emplace_back(o[i], s[i]);
  if (!gc.pairs.empty()) sets.push_back(std::move(gc));
  return sets;
}

// Distractor requests: GSM8K train questions and the 805 AlpacaEval instructions.
inline std::vector<std::string> distractors(const std::string& dir) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  std::vector<std::string> out;
  json_column(db, jsonl_to_array(slurp_file(dir + "/gsm8k/train.jsonl")),
              "SELECT json_extract(value,'$.question') FROM json_each(?1)", out);
  json_column(db, slurp_file(dir + "/alpaca_eval/gpt4.model_outputs.json"),
              "SELECT json_extract(value,'$.instruction') FROM json_each(?1)", out);
  sqlite3_close(db);
  return out;
}

}  // namespace bench
