// One try of one Transfer (private to the http module): an easy handle configured from the
// Request, the callbacks that route the body, and the judgement of what came back.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/client.h"
#include "http/curl_handles.h"

namespace sluice::http {

struct AttemptOutcome {
  std::optional<Response> response;  // an HTTP response arrived whole
  bool retryable = false;            // worth another attempt (5xx, 429, transport trouble)
  std::string error;                 // for the attempt log, e.g. "HTTP 503"; empty on success
  std::optional<std::chrono::milliseconds> retry_after;  // what a 429/503 asked for
  std::optional<Status> sink_failure;  // the sink's own Status, to pass through unchanged
};

class Attempt {
 public:
  // Fails when curl cannot allocate or refuses a setting that safety depends on, or when a
  // header value holds a line break. `owner` is stored as the handle's CURLOPT_PRIVATE.
  static Result<std::unique_ptr<Attempt>> Create(const Transfer& transfer, void* owner);
  // Callbacks hold `this`, so an Attempt never moves.
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;

  CURL* easy() const { return easy_.get(); }
  // Judges the attempt once curl reports it done with `code`.
  AttemptOutcome Finish(CURLcode code);

 private:
  explicit Attempt(const Transfer& transfer) : transfer_(transfer) {}
  Status Configure(void* owner);
  bool SetMethodAndBody();
  Status SetHeaders();
  AttemptOutcome FinishTransportError(CURLcode code) const;
  std::string DescribeCurlError(CURLcode code) const;

  static size_t OnBody(char* data, size_t size, size_t count, void* self);
  static size_t OnHeader(char* data, size_t size, size_t count, void* self);
  static int OnProgress(void* self, curl_off_t dl_total, curl_off_t dl_now, curl_off_t, curl_off_t);
  size_t TakeBody(std::string_view chunk);
  void TakeHeaderLine(std::string_view line);

  const Transfer& transfer_;
  CurlEasy easy_;
  CurlSlist header_list_;
  char error_buffer_[CURL_ERROR_SIZE] = {};

  long status_ = 0;  // of the response whose headers are arriving
  Headers headers_;
  std::string location_;  // of the last redirect, to name a refused one
  std::string body_;
  std::uint64_t bytes_ = 0;
  bool too_large_ = false;
  std::optional<Status> sink_failure_;
  Progress last_progress_;
};

}  // namespace sluice::http
