// One background training job (index_trainer.h, request_training): what the worker thread
// runs on its own connection to the file.
#pragma once
#include <memory>
#include <string>

#include "ext/index/index_cache.h"
#include "ext/index/index_registry.h"
#include "options/table_options.h"

namespace iccache::ext {


struct Job {
  std::string path, table;
  TableOptions options;
  // The process's shared index, to hand the built index to; weak, so that a queued or
  // running job is not counted as a connection sharing it (index_shared_by).
  std::weak_ptr<IndexCache> cache;
  std::shared_ptr<TrainingStatus> status;
  bool forced = false;  // an explicit command: trains even when the policy says not due
};

// Opens the file, takes the lock row, snapshots, computes, writes, hands the index over
// (index_trainer.h, steps 1-4). Throws on failure (the lock row is released first; a file
// its own connection cannot read is remembered in status->own_connection_reads).
void run_job(Job& job);

}  // namespace iccache::ext
