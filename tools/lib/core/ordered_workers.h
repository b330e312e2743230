// Jobs run on worker threads and are collected in the order they were submitted: how records
// are parsed or validated on several cores while checks and reports still see them in file
// order. Header-only: a class template over the job type, which needs `void Run()`.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace sluice {

// Threads for work spread over the cores: the machine's cores, or SLUICE_THREADS when it is a
// positive number (1 turns the spreading off).
inline std::size_t WorkerThreads() {
  std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  if (const char* wanted = std::getenv("SLUICE_THREADS")) {
    char* end = nullptr;
    unsigned long n = std::strtoul(wanted, &end, 10);
    if (end != wanted && *end == '\0' && n > 0) threads = n;
  }
  return threads;
}

template <typename Job>
class OrderedWorkers {
 public:
  explicit OrderedWorkers(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  // Stops after the jobs being run; jobs still queued are dropped (their owner frees them).
  ~OrderedWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    queued_.notify_all();
    for (auto& thread : threads_) thread.join();
  }
  OrderedWorkers(const OrderedWorkers&) = delete;
  OrderedWorkers& operator=(const OrderedWorkers&) = delete;

  void Submit(Job* job) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      queue_.push_back(job);
      submitted_.push_back({job, false});
    }
    queued_.notify_one();
  }
  // Jobs submitted and not yet collected.
  std::size_t pending() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return submitted_.size();
  }
  // Waits for the oldest job not yet collected to have run, and returns it (nullptr if none).
  Job* CollectOldest() {
    std::unique_lock<std::mutex> lock(mutex_);
    if (submitted_.empty()) return nullptr;
    done_.wait(lock, [&] { return submitted_.front().done; });
    Job* job = submitted_.front().job;
    submitted_.pop_front();
    return job;
  }

 private:
  struct Submitted {
    Job* job;
    bool done;
  };

  void Work() {
    for (;;) {
      Job* job = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        job = queue_.front();
        queue_.pop_front();
      }
      job->Run();
      {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& entry : submitted_) {
          if (entry.job == job) entry.done = true;
        }
      }
      done_.notify_all();
    }
  }

  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::condition_variable done_;
  std::deque<Job*> queue_;           // waiting for a thread
  std::deque<Submitted> submitted_;  // in submission order, until collected
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sluice
