// Table: the per-connection state of one iccache table and the writes that keep the shadow
// tables and the in-memory index in step (tables first, memory last, so a failed write
// never leaves memory ahead of the file).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "common/utf8.h"
#include "privacy/pii_scanner.h"
#include "index/kmeans.h"
#include "index/nprobe_tuner.h"
#include "vector/vector_parse.h"
#include "vtab.h"

namespace iccache::ext {

Table::Table(sqlite3* db_, const std::string& schema, const std::string& name_, TableOptions opts)
    : db(db_),
      name(name_),
      options(std::move(opts)),
      storage(db_, schema, name_),
      index_store(storage),
      index(options.dim, options.sq8),
      stmts(db_),
      nprobe(1),
      nonce_rng(std::random_device{}()) {
  std::memset(static_cast<sqlite3_vtab*>(this), 0, sizeof(sqlite3_vtab));
  if (options.embedder == EmbedderKind::kHash) embedder = std::make_unique<HashEmbedder>(options.dim);
}

void Table::drop_index_if_stale() {
  if (index_loaded && storage.generation() != index_generation) {
    index.clear();
    index_loaded = false;
  }
}

void Table::ensure_index() {
  int64_t g = storage.generation();
  if (index_loaded && g == index_generation) return;
  index.clear();
  index_loaded = false;
  nprobe = effective_nprobe();
  std::vector<float> centroids = index_store.centroids(options.dim);
  if (!centroids.empty()) index.set_training(std::move(centroids), index_store.sq8_ranges(options.dim));
  const bool codes = index.sq8() && index.trained();
  const size_t expect = codes ? static_cast<size_t>(options.dim) : sizeof(float) * options.dim;
  index_store.for_each(!codes, [&](int64_t id, int list, std::string_view tenant, std::string_view blob) {
    if (blob.size() != expect)
      throw SqlError(SQLITE_CORRUPT_VTAB,
                     name + ": the stored " + (codes ? "code" : "vector") + " of example " +
                         std::to_string(id) + " has " + std::to_string(blob.size()) +
                         " bytes; expected " + std::to_string(expect) + " (run INSERT INTO " +
                         name + "(" + name + ") VALUES('integrity-check'))");
    if (list < 0 || list >= index.nlist())
      throw SqlError(SQLITE_CORRUPT_VTAB, name + ": example " + std::to_string(id) + " is in list " +
                                              std::to_string(list) + " but the index has " +
                                              std::to_string(index.nlist()) + " lists");
    // blob is a float32 vector or an SQ8 code; memcpy-free views are fine: add() copies.
    index.add(id, list, tenant, codes ? nullptr : reinterpret_cast<const float*>(blob.data()),
              codes ? reinterpret_cast<const uint8_t*>(blob.data()) : nullptr);
  });
  index_loaded = true;
  index_generation = g;
}

int Table::effective_nprobe() {
  // The 'nprobe=N' command wins, then the CREATE option, then the value tuned at training.
  int64_t set = storage.state_int("nprobe", 0);
  if (set > 0) return static_cast<int>(set);
  if (options.nprobe > 0) return options.nprobe;
  int tuned = index_store.tuned_nprobe();
  return tuned > 0 ? tuned : 1;
}

void Table::bump_generation() {
  int64_t g = static_cast<int64_t>(nonce_rng() >> 1);  // random: a rollback can never
  storage.set_generation(g);                              // bring back a value in use
  if (index_loaded) index_generation = g;
}

// Stores the example's list (and SQ8 code) and adds it to the loaded index.
void Table::index_put(int64_t id, const float* vec, std::string_view tenant) {
  const int list = index.assign(vec);
  std::vector<uint8_t> code;
  if (index.sq8() && index.trained()) {
    code.resize(options.dim);
    index.encode(vec, code.data());
  }
  index_store.put(id, list, tenant, code.empty() ? nullptr : code.data(), code.size());
  bump_generation();
  index.add(id, list, tenant, vec, code.empty() ? nullptr : code.data());
}

int64_t Table::insert_example(const int64_t* id, const StoredExample& row, const float* vec) {
  ensure_index();  // the new vector's list depends on the trained centroids
  int64_t new_id = storage.insert(id, row, vec, options.dim);
  index_put(new_id, vec, row.tenant);
  maybe_train();
  return new_id;
}

void Table::update_example(int64_t old_id, int64_t new_id, const StoredExample& row, const float* vec) {
  ensure_index();
  if (new_id != old_id) {
    storage.change_id(old_id, new_id);
    index_store.change_id(old_id, new_id);
    index.remove(old_id);
  }
  storage.update(new_id, row, vec, options.dim);
  index_put(new_id, vec, row.tenant);
}

void Table::delete_example(int64_t id) {
  drop_index_if_stale();
  storage.remove(id);
  index_store.remove(id);
  bump_generation();
  if (index_loaded) index.remove(id);
}

void Table::maybe_train() {
  const int64_t n = static_cast<int64_t>(index.size());
  const int64_t trained_n = index.trained() ? index_store.trained_n() : 0;
  if (trained_n == 0 ? n >= options.ivf_min : n >= 4 * trained_n) train_index();
}

void Table::train_index() {
  // Reads every example's vector (and its tenant from the example row), not the loaded
  // index nor T_index, so that training also repairs lists, list rows or centroids that
  // are damaged or missing.
  const int dim = options.dim;
  // Every vector with its tenant, in id order (so training is deterministic for a seed).
  std::vector<int64_t> ids;
  std::vector<std::string> tenants;
  std::vector<float> data;
  index_store.for_each_example_vector(dim, [&](int64_t id, std::string_view tenant, const float* v) {
    ids.push_back(id);
    tenants.emplace_back(tenant);
    data.insert(data.end(), v, v + dim);
  });
  const size_t n = ids.size();
  if (n == 0) return;
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  auto t0 = Clock::now();
  // K = round(sqrt(N)) lists, trained on the distinct vectors (kmeans.h), and never more
  // lists than distinct vectors (equal vectors always share a list).
  const std::vector<float> distinct = distinct_vectors(data.data(), n, dim);
  const size_t n_distinct = distinct.size() / dim;
  const int k = static_cast<int>(std::clamp<int64_t>(std::llround(std::sqrt(static_cast<double>(n))), 1,
                                                      static_cast<int64_t>(n_distinct)));
  KmeansParams params;
  params.seed = options.seed;
  std::vector<float> centroids = train_centroids(distinct.data(), n_distinct, dim, k, params);
  const double kmeans_s = seconds(t0);
  t0 = Clock::now();
  std::vector<int32_t> lists = assign_to_centroids(centroids.data(), k, data.data(), n, dim);
  std::vector<float> ranges;
  if (options.sq8) {
    // The quantizer's per-dimension ranges from an evenly spaced sample of at most 64k.
    const size_t step = std::max<size_t>(1, n / 65536);
    std::vector<float> sample;
    for (size_t i = 0; i < n; i += step) sample.insert(sample.end(), &data[i * dim], &data[i * dim] + dim);
    ranges = train_sq8(sample.data(), sample.size() / dim, dim);
  }
  const double assign_s = seconds(t0);
  t0 = Clock::now();
  // Everything computed; now write, then rebuild memory from what was written. Emptying
  // T_index first turns the rewrite into appends in id order (faster than replacing).
  index_store.save_training(centroids, dim, ranges, static_cast<int64_t>(n));
  index_store.clear_rows();
  index.clear();
  index.set_training(std::move(centroids), std::move(ranges));
  std::vector<uint8_t> code(options.sq8 ? dim : 0);
  for (size_t i = 0; i < n; ++i) {
    const float* v = &data[i * dim];
    if (options.sq8) index.encode(v, code.data());
    index_store.put(ids[i], lists[i], tenants[i], options.sq8 ? code.data() : nullptr, code.size());
    index.add(ids[i], lists[i], tenants[i], v, options.sq8 ? code.data() : nullptr);
  }
  index_loaded = true;
  const double write_s = seconds(t0);
  t0 = Clock::now();
  NprobeTuning tuning = tune_nprobe(index, data.data(), ids.data(), n);
  index_store.save_tuning(tuning.nprobe, tuning.recall);
  storage.set_state_real("train_kmeans_s", kmeans_s);
  storage.set_state_real("train_assign_s", assign_s);
  storage.set_state_real("train_write_s", write_s);
  storage.set_state_real("train_tune_s", seconds(t0));
  nprobe = effective_nprobe();
  bump_generation();
}

std::vector<Hit> Table::search(const float* q, int k, const std::string* tenant, int nprobe_override) {
  ensure_index();
  auto fetch = [this](const std::vector<int64_t>& ids, float* out) {
    for (size_t i = 0; i < ids.size(); ++i) {
      std::vector<float> v = storage.stored_vector(ids[i], options.dim);
      std::memcpy(out + i * options.dim, v.data(), v.size() * sizeof(float));
    }
  };
  return index.search(q, k, tenant, nprobe_override > 0 ? nprobe_override : nprobe, fetch);
}

std::vector<float> Table::embed_text(std::string_view text, const std::string& what) {
  size_t bad = utf8::first_invalid(text);
  if (bad != text.size())
    throw Error(what + ": the text is not valid UTF-8 (invalid byte at offset " +
                std::to_string(bad) + "); expected UTF-8 text");
  if (!embedder)
    throw Error(what + ": received TEXT, which is always request text, but the table has "
                "embedder='none'; expected a vector as a float32 BLOB of " +
                std::to_string(options.dim) + " dimensions" +
                (looks_like_json_array(text) ? ": write iccache_vector('[...]') around a JSON array"
                                             : " (iccache_vector('[...]') makes one from a JSON array)"));
  try {
    return embedder->embed(text);
  } catch (const Error& e) {
    throw Error(what + ": the text " + e.what());
  }
}

std::vector<float> Table::embed_query(std::string_view text, const std::string& what) {
  std::string redacted;
  if (options.pii != PiiMode::kOff && utf8::first_invalid(text) == text.size() &&
      redact_pii(text, &redacted))
    return embed_text(redacted, what);
  return embed_text(text, what);
}

}  // namespace iccache::ext
