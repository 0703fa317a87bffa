// Options of `CREATE VIRTUAL TABLE ex USING iccache(key=value, ...)`, parsed and validated.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/stat_rows.h"
#include "privacy/pii_scanner.h"
#include "options/manage_options.h"
#include "options/route_options.h"
#include "options/select_options.h"

namespace iccache {

constexpr int kMaxNprobe = 1 << 20;  // nprobe option, 'nprobe=N' command and MATCH constraint

enum class EmbedderKind { kHash, kNone };

// Which index answers a MATCH with request text (docs/selection.md, "Lexical similarity"):
// the lexical index over the request texts' terms (the default with embedder='hash'), or
// the IVF over their embeddings ('vector'; the only one with embedder='none'). A MATCH with
// a vector always uses the IVF.
enum class TextIndex { kLexical, kVector };

// When the IVF index trains by itself (docs/sql-reference.md, "Automatic training"):
//   kBackground: when the table reaches ivf_min examples, then 4x the last trained size
//     (off the request path for file tables; inside that write for in-memory and temp ones);
//   kOnUse: the same, but only once the IVF has served a search in this process (a MATCH
//     with a vector, a MATCH with text under text_index='vector', dedup=on's look-up): the
//     default under text_index='lexical', whose text MATCH never reads the IVF;
//   kManual: never by itself; 'optimize' (or 'optimize-background') trains, and ex_stats
//     says when training is due.
enum class TrainingPolicy { kBackground, kOnUse, kManual };

struct ModelArm {
  std::string name;  // [A-Za-z0-9_./-]+ (so never ':' or ','); see parse_models
  double cost;       // relative cost, finite and >= 0
};

struct TableOptions {
  int dim = 256;                     // 1..4096
  EmbedderKind embedder = EmbedderKind::kHash;
  TextIndex text_index = TextIndex::kLexical;  // set to kVector with embedder='none'
  std::vector<ModelArm> models = {{"small", 0.1}, {"large", 1.0}};
  std::optional<int64_t> budget;     // bytes; absent = unbounded
  std::optional<int64_t> tenant_budget;  // bytes per tenant; absent = only the global budget
  int nprobe = 0;                    // IVF lists scanned per query; 0 = tuned at training
  bool sq8 = false;                  // quantizer='sq8': 8-bit codes in memory, re-ranked
  int ivf_min = 20000;               // below this many examples search stays exact
  // training='background'|'on-use'|'manual'; absent: 'on-use' under text_index='lexical',
  // else 'background' (parse_table_options settles it).
  TrainingPolicy training = TrainingPolicy::kBackground;
  uint64_t seed = 0;                 // every seeded decision (k-means, routing, tuning)
  // Change log (ext/store/change_log.h): entries kept for other connections' catch-up. An index
  // further behind than what is kept reloads instead.
  int change_log_keep = 10000;       // newest entries kept
  double change_log_age = 86400;     // seconds: older entries are pruned (the newest never)
  ManageOptions manage;              // example manager (docs/example-manager.md)
  // Personal data in request and response before they are embedded or stored
  // (docs/privacy.md). 'off' by default: see there for why.
  PiiMode pii = PiiMode::kOff;
  RouteOptions route;                // routing (docs/routing.md)
  SelectOptions select;              // two-stage selection (docs/selection.md)

  // Index of the named model, or -1.
  int model_index(std::string_view name) const;
  // Name of the most expensive model (the default author of an example).
  const std::string& default_model() const;
  // "small, large": for error messages.
  std::string model_list() const;
};

// Parses the module arguments (argv[3..] of xCreate, each "key=value", value optionally
// quoted with ' or "). Keys are case-insensitive. Throws iccache::Error naming the table,
// the option and what was expected, for: unknown option, duplicate option, missing '=',
// bad value (dim outside 1..4096 or not an integer, embedder not 'hash'/'none', malformed
// models list, duplicate model name, negative/non-finite cost, budget not a positive size).
TableOptions parse_table_options(std::string_view table, const std::vector<std::string>& args);

// The option's spelling of a training policy ("background", "on-use", "manual").
std::string_view training_policy_name(TrainingPolicy p);

// Every option name, in documentation order: the table's own, then routing's, then
// selection's (each concept lists its options once; see option_parse.h).
std::vector<std::string_view> table_option_names();

// "name:cost,name:cost" (whitespace around items allowed).
std::vector<ModelArm> parse_models(std::string_view table, std::string_view value);
// The models option's text of `models` ("small:0.25,large:1", costs as format_number writes
// them), which parse_models reads back (ex_stats `models`).
std::string format_models(std::span<const ModelArm> models);

// "1048576", "512KB", "256MB", "1.5GB", "2TB", "100B" (units 1024-based, case-insensitive).
int64_t parse_size(std::string_view table, std::string_view option, std::string_view value);

// The table's option rows of iccache_stats, in output order: dim, embedder, models, budget
// (NULL when unbounded) and seed.
void option_stats(const TableOptions& o, StatRows& out);

}  // namespace iccache
