// The transfer loop: curl multi runs up to max_parallel attempts at once; an attempt that
// failed in a retryable way waits for its backoff outside curl, so it holds no slot and
// delays nobody, and is started again when its time comes.
#include "http/client.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>

#include "core/secrets.h"
#include "http/attempt.h"
#include "http/curl_handles.h"

namespace sluice::http {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Client::Connections {
  CurlMulti multi;
};

namespace {

// One Transfer through all its attempts.
struct TransferRun {
  const Transfer* transfer = nullptr;
  std::optional<Transfer> finished;  // the transfer as its `finish` left it
  std::unique_ptr<Attempt> attempt;  // while curl runs it
  int attempts = 0;
  std::vector<std::string> log;
  Clock::time_point started{};
  Clock::time_point next_start{};
  std::optional<Result<Response>> result;

  std::string Subject() const { return transfer->request.method + " " + RedactUrl(transfer->request.url); }
};

std::string Plural(int n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

// One PerformAll call.
class Batch {
 public:
  Batch(CURLM* multi, const RetryPolicy& policy, milliseconds& budget_spent, int max_parallel)
      : multi_(multi), policy_(policy), budget_spent_(budget_spent), max_parallel_(std::max(max_parallel, 1)) {}
  ~Batch() { DetachAll(); }
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  std::vector<Result<Response>> Run(const std::vector<const Transfer*>& transfers);

 private:
  void StartDue();
  void Start(TransferRun& run);
  int CollectFinished();
  void OnAttemptDone(TransferRun& run, CURLcode code);
  void ScheduleRetry(TransferRun& run, AttemptOutcome& outcome);
  void GiveUp(TransferRun& run, AttemptOutcome& outcome, bool budget_exhausted);
  void Complete(TransferRun& run, Response response);
  void Fail(TransferRun& run, Status status);
  void Detach(TransferRun& run);
  void DetachAll();
  int PollTimeoutMs() const;

  CURLM* multi_;
  const RetryPolicy& policy_;
  milliseconds& budget_spent_;
  const int max_parallel_;
  std::deque<TransferRun> runs_;  // a deque never moves its elements: curl holds pointers
  std::deque<TransferRun*> ready_;
  std::vector<TransferRun*> waiting_;
  int running_ = 0;
  bool passed_over_ = false;  // the last StartDue left a transfer whose finish was not ready
};

std::vector<Result<Response>> Batch::Run(const std::vector<const Transfer*>& transfers) {
  for (const Transfer* transfer : transfers) {
    ready_.push_back(&runs_.emplace_back());
    ready_.back()->transfer = transfer;
  }
  while (true) {
    StartDue();
    if (running_ == 0 && waiting_.empty() && ready_.empty()) break;
    int still_running = 0;
    CURLMcode code = curl_multi_perform(multi_, &still_running);
    // A finished attempt may free a slot, end the batch or be due again at once.
    if (code == CURLM_OK && CollectFinished() > 0) continue;
    if (code == CURLM_OK) code = curl_multi_poll(multi_, nullptr, 0, PollTimeoutMs(), nullptr);
    if (code != CURLM_OK) {
      // Only out-of-memory and misuse end up here; nothing in this batch can go on.
      const std::string why = std::string("libcurl multi interface failed: ") + curl_multi_strerror(code);
      for (TransferRun& run : runs_) {
        if (!run.result) Fail(run, InternalError(run.Subject() + ": " + why));
      }
      break;
    }
  }
  std::vector<Result<Response>> results;
  results.reserve(runs_.size());
  for (TransferRun& run : runs_) results.push_back(std::move(*run.result));
  return results;
}

void Batch::StartDue() {
  const auto now = Clock::now();
  // Waiting runs whose time has come join the queue in the order they were due.
  std::sort(waiting_.begin(), waiting_.end(), [](auto* a, auto* b) { return a->next_start < b->next_start; });
  auto due_end = std::find_if(waiting_.begin(), waiting_.end(), [&](auto* run) { return run->next_start > now; });
  ready_.insert(ready_.end(), waiting_.begin(), due_end);
  waiting_.erase(waiting_.begin(), due_end);
  passed_over_ = false;
  while (running_ < max_parallel_ && !ready_.empty()) {
    TransferRun* run = ready_.front();
    const Transfer& transfer = *run->transfer;
    if (running_ > 0 && run->attempts == 0 && transfer.finish && transfer.finish_ready && !transfer.finish_ready()) {
      passed_over_ = true;  // see Transfer::finish_ready
      break;
    }
    ready_.pop_front();
    Start(*run);
  }
}

void Batch::Start(TransferRun& run) {
  if (run.attempts == 0) run.started = Clock::now();
  if (run.attempts == 0 && run.transfer->finish) {
    run.finished = *run.transfer;
    run.finished->finish = nullptr;
    Status finished = run.transfer->finish(run.finished->request);
    if (!finished.ok()) return Fail(run, finished.WithContext(run.Subject()));
    run.transfer = &*run.finished;
  }
  ++run.attempts;
  auto attempt = Attempt::Create(*run.transfer, &run);
  if (!attempt.ok()) return Fail(run, attempt.status().WithContext(run.Subject()));
  run.attempt = std::move(attempt).value();
  if (curl_multi_add_handle(multi_, run.attempt->easy()) != CURLM_OK) {
    run.attempt.reset();
    return Fail(run, InternalError(run.Subject() + ": libcurl could not start the transfer"));
  }
  ++running_;
}

int Batch::CollectFinished() {
  int finished = 0;
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_, &queued)) {
    if (message->msg != CURLMSG_DONE) continue;
    void* owner = nullptr;
    curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &owner);
    // Read the code before Detach: the message belongs to the handle being removed.
    const CURLcode code = message->data.result;
    auto* run = static_cast<TransferRun*>(owner);
    OnAttemptDone(*run, code);
    ++finished;
  }
  return finished;
}

void Batch::OnAttemptDone(TransferRun& run, CURLcode code) {
  AttemptOutcome outcome = run.attempt->Finish(code);
  Detach(run);
  if (outcome.response && !outcome.retryable) return Complete(run, std::move(*outcome.response));
  if (outcome.sink_failure) return Fail(run, std::move(*outcome.sink_failure));
  run.log.push_back(fmt::format("attempt {}: {}", run.attempts, outcome.error));
  if (!outcome.retryable) {
    // Not worth retrying (size limit, refused redirect, TLS verification...): fail now.
    std::string message = run.Subject() + ": " + outcome.error;
    for (size_t i = 0; i + 1 < run.log.size(); ++i) message += "; " + run.log[i];
    return Fail(run, ExternalError(std::move(message)));
  }
  const int allowed = run.transfer->attempts.value_or(policy_.attempts);
  if (run.attempts >= std::max(allowed, 1)) return GiveUp(run, outcome, false);
  ScheduleRetry(run, outcome);
}

void Batch::ScheduleRetry(TransferRun& run, AttemptOutcome& outcome) {
  const milliseconds wait = outcome.retry_after ? std::min(*outcome.retry_after, policy_.max_delay)
                                                : BackoffDelay(policy_, run.attempts);
  const milliseconds left = std::max(policy_.budget - budget_spent_, milliseconds(0));
  if (wait > left) {
    run.log.push_back(fmt::format("retry budget exhausted: the next wait of {} ms exceeds the {} ms left",
                                  wait.count(), left.count()));
    return GiveUp(run, outcome, true);
  }
  budget_spent_ += wait;
  if (run.transfer->sink != nullptr) {
    Status reset = run.transfer->sink->Reset();
    if (!reset.ok()) return Fail(run, std::move(reset));
  }
  run.next_start = Clock::now() + wait;
  waiting_.push_back(&run);
}

// Retries are over: a final HTTP status is the caller's to judge, a transport error is ours.
void Batch::GiveUp(TransferRun& run, AttemptOutcome& outcome, bool budget_exhausted) {
  if (outcome.response) return Complete(run, std::move(*outcome.response));
  std::string message = fmt::format("{}: failed after {}{}: {}", run.Subject(), Plural(run.attempts, "attempt"),
                                    budget_exhausted ? " (retry budget exhausted)" : "", outcome.error);
  for (int i = 0; i + 1 < run.attempts && i < static_cast<int>(run.log.size()); ++i) message += "; " + run.log[i];
  Fail(run, ExternalError(std::move(message)));
}

void Batch::Complete(TransferRun& run, Response response) {
  response.attempts = run.attempts;
  response.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - run.started);
  response.attempt_log = std::move(run.log);
  run.result = std::move(response);
}

void Batch::Fail(TransferRun& run, Status status) { run.result = std::move(status); }

void Batch::Detach(TransferRun& run) {
  if (!run.attempt) return;
  curl_multi_remove_handle(multi_, run.attempt->easy());
  run.attempt.reset();
  --running_;
}

// curl must let go of an easy handle before it is freed, whatever way the batch ends.
void Batch::DetachAll() {
  for (TransferRun& run : runs_) Detach(run);
}

int Batch::PollTimeoutMs() const {
  // curl_multi_poll also wakes for curl's own timers; this bound wakes us for due retries.
  milliseconds timeout(passed_over_ ? 2 : 1000);
  const auto now = Clock::now();
  for (const TransferRun* run : waiting_) {
    timeout = std::min(timeout, std::chrono::ceil<milliseconds>(run->next_start - now));
  }
  return static_cast<int>(std::max(timeout, milliseconds(0)).count());
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  auto same = [&](const std::string& candidate) {
    return std::equal(candidate.begin(), candidate.end(), name.begin(), name.end(),
                      [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                  std::tolower(static_cast<unsigned char>(b)); });
  };
  for (const auto& [key, value] : headers) {
    if (same(key)) return value;
  }
  return std::nullopt;
}

Client::Client(RetryPolicy policy) : policy_(policy) {}
Client::~Client() = default;

Result<Response> Client::Perform(const Transfer& transfer) { return std::move(Run({&transfer}, 1).front()); }

std::vector<Result<Response>> Client::PerformAll(const std::vector<Transfer>& transfers, int max_parallel) {
  std::vector<const Transfer*> pointers;
  pointers.reserve(transfers.size());
  for (const Transfer& transfer : transfers) pointers.push_back(&transfer);
  return Run(pointers, max_parallel);
}

std::vector<Result<Response>> Client::Run(const std::vector<const Transfer*>& transfers, int max_parallel) {
  if (!connections_ && EnsureCurlGlobalInit()) {
    CurlMulti multi(curl_multi_init());
    if (multi) connections_ = std::make_unique<Connections>(Connections{std::move(multi)});
  }
  if (!connections_) {
    return std::vector<Result<Response>>(transfers.size(), InternalError("libcurl could not be initialised"));
  }
  Batch batch(connections_->multi.get(), policy_, budget_spent_, max_parallel);
  return batch.Run(transfers);
}

}  // namespace sluice::http
