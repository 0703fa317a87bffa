// Table: the per-connection state of one iccache table and its writes. A write changes the
// shadow tables and appends a change-log entry inside the writing transaction; no index in
// memory is touched (each one follows the log at its next query, table_index.cpp), so a
// failed or rolled-back write can never leave memory ahead of the file.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "common/utf8.h"
#include "privacy/pii_scanner.h"
#include "index/kmeans.h"
#include "index/nprobe_tuner.h"
#include "index/training_policy.h"
#include "vector/vector_parse.h"
#include "ext/table/vtab.h"

namespace iccache::ext {

Table::Table(sqlite3* db_, const std::string& schema, const std::string& name_, TableOptions opts)
    : db(db_),
      name(name_),
      options(std::move(opts)),
      storage(db_, schema, name_),
      index_store(storage),
      log(storage),
      overlay(options.dim),
      assigner(options.dim, options.sq8),
      stmts(db_),
      nonce_rng(std::random_device{}()) {
  std::memset(static_cast<sqlite3_vtab*>(this), 0, sizeof(sqlite3_vtab));
  if (options.embedder == EmbedderKind::kHash) embedder = std::make_unique<HashEmbedder>(options.dim);
  cache = std::make_shared<IndexCache>(options.dim, options.sq8);
}

int Table::effective_nprobe() {
  // The 'nprobe=N' command, the CREATE option, the tuned value (index/training_policy.h).
  const int64_t command = storage.state_int("nprobe", 0);
  const int tuned = command > 0 || options.nprobe > 0 ? 0 : index_store.tuned_nprobe();  // read when it decides
  return index::effective_nprobe(command, options.nprobe, tuned);
}

Change Table::record_change(ChangeKind kind, int64_t id, int64_t n_delta) {
  const int64_t g = static_cast<int64_t>(nonce_rng() >> 1);  // random: a rollback can never
  storage.set_generation(g);                                  // bring back a value in use
  Change c = log.append(kind, id, g, n_delta, [this] { return storage.count(); });
  if (c.seq % 256 == 0) log.prune(options.change_log_keep, options.change_log_age);
  return c;
}

void Table::set_nprobe(int n) {
  storage.set_state_int("nprobe", n);
  record_change(ChangeKind::kSettings, 0, 0);  // every index re-reads it at its next query
}

int64_t Table::insert_example(const int64_t* id, const StoredExample& row, const float* vec) {
  int64_t new_id = storage.insert(id, row, vec, options.dim);
  put_index_row(new_id, vec, row.tenant);
  Change c = record_change(ChangeKind::kExample, new_id, +1);
  maybe_train(c.n);
  return new_id;
}

void Table::update_example(int64_t old_id, int64_t new_id, const StoredExample& row, const float* vec) {
  if (new_id != old_id) {
    storage.change_id(old_id, new_id);
    index_store.change_id(old_id, new_id);
    record_change(ChangeKind::kExample, old_id, -1);
  }
  storage.update(new_id, row, vec, options.dim);
  put_index_row(new_id, vec, row.tenant);
  record_change(ChangeKind::kExample, new_id, new_id != old_id ? +1 : 0);
}

void Table::delete_example(int64_t id) {
  storage.remove(id);
  index_store.remove(id);
  record_change(ChangeKind::kExample, id, -1);
}

void Table::maybe_train(int64_t n) {
  const int64_t trained_n = assigner.trained() ? index_store.trained_n() : 0;
  if (index::training_due(n, trained_n, options.ivf_min)) train_index();
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
  // Everything computed; now write, then build memory from what was written. Emptying
  // T_index first turns the rewrite into appends in id order (faster than replacing).
  index_store.save_training(centroids, dim, ranges, static_cast<int64_t>(n));
  index_store.clear_rows();
  auto built = std::make_shared<IndexCache>(dim, options.sq8);
  IvfIndex& index = built->index;
  index.set_training(centroids, ranges);
  std::vector<uint8_t> code(options.sq8 ? dim : 0);
  for (size_t i = 0; i < n; ++i) {
    const float* v = &data[i * dim];
    if (options.sq8) index.encode(v, code.data());
    index_store.put(ids[i], lists[i], tenants[i], options.sq8 ? code.data() : nullptr, code.size());
    index.add(ids[i], lists[i], tenants[i], v, options.sq8 ? code.data() : nullptr);
  }
  const double write_s = seconds(t0);
  t0 = Clock::now();
  NprobeTuning tuning = tune_nprobe(index, data.data(), ids.data(), n);
  index_store.save_tuning(tuning.nprobe, tuning.recall);
  storage.set_state_real("train_kmeans_s", kmeans_s);
  storage.set_state_real("train_assign_s", assign_s);
  storage.set_state_real("train_write_s", write_s);
  storage.set_state_real("train_tune_s", seconds(t0));
  // A new epoch: every other index reloads (training rewrote every list).
  const int64_t epoch = static_cast<int64_t>(nonce_rng() >> 1);
  storage.set_state_int("epoch", epoch);
  Change c = record_change(ChangeKind::kEpoch, 0, 0);
  built->loaded = true;
  built->seq = c.seq;
  built->gen = c.gen;
  built->epoch = epoch;
  built->nprobe = effective_nprobe();
  adopt_trained(std::move(built));
  assigner = IvfIndex(dim, options.sq8);
  assigner.set_training(std::move(centroids), std::move(ranges));
  assigner_epoch = epoch;
  assigner_loaded = true;
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
