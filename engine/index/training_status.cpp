#include "index/training_status.h"

#include <cstdio>
#include <cstring>

#include "index/training_policy.h"

namespace iccache::index {

void TrainingStatus::set(std::string_view state_, std::string_view phase_, double progress_) {
  std::lock_guard lock(mu);
  state = state_;
  phase = phase_;
  progress = progress_;
}

TrainingProgressFn TrainingStatus::computing() {
  return [this](std::string_view phase_, double share) { set("running", phase_, 0.05 + 0.85 * share); };
}

bool TrainingStatus::try_queue(TrainingRequest why, double now) {
  std::lock_guard lock(mu);
  if (state == "queued" || state == "running") return false;
  if (why != TrainingRequest::kCommand && now < retry_at) return false;
  state = "queued";
  phase.clear();
  progress = 0;
  return true;
}

bool TrainingStatus::busy() const {
  std::lock_guard lock(mu);
  return state == "queued" || state == "running";
}

void TrainingStatus::failed(const std::string& error_, double now) {
  std::lock_guard lock(mu);
  state = "failed";
  phase.clear();
  error = error_;
  retry_at = now + kRetryPauseSeconds;
}

void TrainingStatus::taken_elsewhere(double now) {
  std::lock_guard lock(mu);
  state = "idle";
  phase.clear();
  retry_at = now + kRetryPauseSeconds;
}

void TrainingStatus::background_done(bool built, double seconds) {
  std::lock_guard lock(mu);
  state = "idle";
  phase.clear();
  progress = 0;
  error.clear();
  if (built) {
    ++runs;
    ++background_runs;
    last_seconds = seconds;
  }
}

void TrainingStatus::done_now(double seconds) {
  std::lock_guard lock(mu);
  state = "idle";
  phase.clear();
  progress = 0;
  ++runs;
  last_seconds = seconds;
}

void TrainingStatus::forget_in_child() {
  if (!mu.try_lock()) return;
  state = "idle";
  phase.clear();
  mu.unlock();
}

bool TrainingStatus::note_search(double now) {
  std::lock_guard lock(mu);
  if (ivf_searched && now - due_checked_at < 1.0) return false;
  ivf_searched = true;
  due_checked_at = now;
  return true;
}

bool TrainingStatus::searched() const {
  std::lock_guard lock(mu);
  return ivf_searched;
}

bool TrainingStatus::write_asks(TrainingPolicy policy) const {
  if (policy == TrainingPolicy::kManual) return false;
  return policy != TrainingPolicy::kOnUse || searched();
}

bool TrainingStatus::own_connection_can_read(const std::function<int()>& probe) {
  std::lock_guard lock(mu);
  if (own_connection_reads < 0) own_connection_reads = probe();
  return own_connection_reads != 0;
}

void training_stats(const TrainingStatus& st, const TrainingFacts& f, StatRows& out) {
  bool searched = false;
  {
    std::lock_guard lock(st.mu);
    out.push_back({"training_state", st.state});
    out.push_back({"training_phase", st.phase.empty() ? StatValue() : StatValue(st.phase)});
    out.push_back({"training_progress", st.state == "running" ? StatValue(st.progress) : StatValue()});
    out.push_back({"training_running", int64_t{st.state == "running" ? 1 : 0}});
    out.push_back({"training_runs", st.runs});
    out.push_back({"training_background_runs", st.background_runs});
    out.push_back({"training_last_s", st.last_seconds});
    out.push_back({"training_error", st.error.empty() ? StatValue() : StatValue(st.error)});
    searched = st.ivf_searched;
  }
  out.push_back({"training_lock_pid", f.lock_pid});
  const DueFigures due = due_figures(f.n, f.trained_n, f.ivf_min, f.due_since);
  out.push_back({"training_policy", std::string(training_policy_name(f.policy))});
  out.push_back({"training_ivf_searched", int64_t{searched ? 1 : 0}});
  out.push_back({"training_trained_n", f.trained_n});
  out.push_back({"training_new_examples", due.new_examples});
  out.push_back({"training_due", int64_t{due.due ? 1 : 0}});
  out.push_back({"training_due_since", due.due_since ? StatValue(*due.due_since) : StatValue()});
}

RequestAction request_action(TrainingRequest why, TrainingStatus* background, double now) {
  if (!background) return why == TrainingRequest::kOnUse ? RequestAction::kNothing : RequestAction::kTrainNow;
  return background->try_queue(why, now) ? RequestAction::kQueue : RequestAction::kNothing;
}

int plain_database_header(const std::string& path) {
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    char head[16];
    const size_t got = std::fread(head, 1, sizeof head, f);
    std::fclose(f);
    if (got == sizeof head) return std::memcmp(head, "SQLite format 3", 16) == 0 ? 1 : 0;
  }
  return -1;
}

}  // namespace iccache::index
