#include "http/attempt.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/secrets.h"

namespace sluice::http {
namespace {

// With a sink, a non-2xx body is kept only to show the error page; this much is enough.
constexpr size_t kErrorBodyLimit = 64 * 1024;

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool HasHeader(const Headers& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return Lower(h.first) == name; });
}

// Failures where the request never reached the server: repeating it cannot do anything twice.
bool IsConnectError(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT;
}

bool IsRetryableCurlError(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SSL_CONNECT_ERROR:  // mostly a reset during the handshake; bad certificates are 60
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:  // Content-Length promised more than arrived
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::unique_ptr<Attempt>> Attempt::Create(const Transfer& transfer, void* owner) {
  if (!EnsureCurlGlobalInit()) return InternalError("libcurl failed to initialise");
  std::unique_ptr<Attempt> attempt(new Attempt(transfer));
  attempt->easy_.reset(curl_easy_init());
  if (!attempt->easy_) return InternalError("libcurl could not create a transfer (out of memory?)");
  SLUICE_RETURN_IF_ERROR(attempt->Configure(owner));
  return attempt;
}

Status Attempt::Configure(void* owner) {
  const Request& request = transfer_.request;
  CURL* easy = easy_.get();
  // Only http and https, for the first URL and every redirect: a redirect to file:// or
  // gopher:// must never read local files or reach internal services.
  const bool safe = curl_easy_setopt(easy, CURLOPT_URL, request.url.c_str()) == CURLE_OK &&
                    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
                    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") == CURLE_OK &&
                    SetMethodAndBody();
  if (!safe) return InternalError("libcurl refused the request settings for " + RedactUrl(request.url));
  curl_easy_setopt(easy, CURLOPT_PRIVATE, owner);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // signals and threads do not mix
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, request.max_redirects > 0 ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_MAXREDIRS, static_cast<long>(request.max_redirects));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl can decode
  // On a reused connection that dies before any answer, curl sends the request again by itself;
  // the server may have acted on the first one. A request that must go out once gets a
  // connection of its own.
  if (!Repeatable(transfer_)) curl_easy_setopt(easy, CURLOPT_FRESH_CONNECT, 1L);
  if (request.max_bytes > 0) {
    // Refuses early when Content-Length already says too much; OnBody counts the rest.
    curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_bytes));
  }
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Attempt::OnBody);
  // curl's default 16 KiB receive buffer means a callback (and a write) per 16 KiB; 512 KiB
  // brings a large download within reach of curl's own speed (bench/fetch).
  curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(easy, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024L);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Attempt::OnHeader);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  if (transfer_.on_progress) {
    curl_easy_setopt(easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(easy, CURLOPT_XFERINFOFUNCTION, &Attempt::OnProgress);
    curl_easy_setopt(easy, CURLOPT_XFERINFODATA, this);
  }
  return SetHeaders();
}

bool Attempt::SetMethodAndBody() {
  const Request& request = transfer_.request;
  CURL* easy = easy_.get();
  if (request.method == "GET") return curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L) == CURLE_OK;
  if (request.method == "HEAD") return curl_easy_setopt(easy, CURLOPT_NOBODY, 1L) == CURLE_OK;
  if (request.method != "POST" &&
      curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, request.method.c_str()) != CURLE_OK) {
    return false;
  }
  // DELETE usually has no body; POST, PUT and PATCH send one (possibly empty, so that the
  // server sees Content-Length: 0).
  if (request.method == "DELETE" && request.Payload().empty()) return true;
  // The Request outlives the transfer, so curl may point into it instead of copying.
  const std::string_view payload = request.Payload();
  return curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size())) == CURLE_OK &&
         curl_easy_setopt(easy, CURLOPT_POSTFIELDS, payload.data()) == CURLE_OK;
}

Status Attempt::SetHeaders() {
  const Headers& headers = transfer_.request.headers;
  bool appended = true;
  for (const auto& [name, value] : headers) {
    // A line break would end the header early and smuggle the rest in as a new one; the
    // usual cause is a token read from a file with its trailing newline.
    if (value.find_first_of("\r\n") != std::string::npos || name.find_first_of("\r\n:") != std::string::npos) {
      return ConfigError("header " + Mask(name) + " contains a line break (in its name or value); strip the "
                         "trailing newline from the value");
    }
    // "Name;" is curl's way to send a header with an empty value ("Name:" would remove it).
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    appended = appended && AppendHeader(header_list_, line.c_str());
  }
  if (!HasHeader(headers, "user-agent")) {
    appended = appended && AppendHeader(header_list_, "User-Agent: sluice/" SLUICE_VERSION);
  }
  // curl waits up to a second for "100 Continue" before sending a body over 1 KiB; many
  // servers never send it.
  if (!transfer_.request.Payload().empty() && !HasHeader(headers, "expect")) {
    appended = appended && AppendHeader(header_list_, "Expect:");
  }
  if (!appended) return InternalError("out of memory while building request headers");
  curl_easy_setopt(easy_.get(), CURLOPT_HTTPHEADER, header_list_.get());
  return Status::Ok();
}

size_t Attempt::OnBody(char* data, size_t size, size_t count, void* self) {
  return static_cast<Attempt*>(self)->TakeBody(std::string_view(data, size * count));
}

size_t Attempt::TakeBody(std::string_view chunk) {
  constexpr size_t kAbort = 0;  // any count other than chunk.size() makes curl stop
  bytes_ += chunk.size();
  const std::uint64_t limit = transfer_.request.max_bytes;
  if (limit > 0 && bytes_ > limit) {
    too_large_ = true;
    return kAbort;
  }
  const bool success = status_ >= 200 && status_ < 300;
  if (transfer_.sink != nullptr && success) {
    Status status = transfer_.sink->OnData(chunk);
    if (!status.ok()) {
      sink_failure_ = std::move(status);
      return kAbort;
    }
  } else if (transfer_.sink != nullptr) {
    body_.append(chunk.substr(0, kErrorBodyLimit - std::min(kErrorBodyLimit, body_.size())));
  } else {
    body_.append(chunk);
  }
  return chunk.size();
}

size_t Attempt::OnHeader(char* data, size_t size, size_t count, void* self) {
  static_cast<Attempt*>(self)->TakeHeaderLine(std::string_view(data, size * count));
  return size * count;
}

void Attempt::TakeHeaderLine(std::string_view line) {
  line = Trim(line);
  // Each response (redirects and 100 Continue included) starts with its status line; only
  // the last one's headers describe the body.
  if (line.substr(0, 5) == "HTTP/") {
    const size_t space = line.find(' ');
    status_ = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    headers_.clear();
    location_.clear();
    return;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return;  // blank end-of-headers line, or obsolete folding
  std::string name = Lower(Trim(line.substr(0, colon)));
  std::string value(Trim(line.substr(colon + 1)));
  if (name == "location") location_ = value;
  headers_.emplace_back(std::move(name), std::move(value));
}

int Attempt::OnProgress(void* self, curl_off_t dl_total, curl_off_t dl_now, curl_off_t, curl_off_t) {
  auto* attempt = static_cast<Attempt*>(self);
  Progress now{static_cast<std::uint64_t>(std::max<curl_off_t>(dl_now, 0)),
               static_cast<std::uint64_t>(std::max<curl_off_t>(dl_total, 0))};
  // curl calls this often, changed or not; callers want news.
  if (now.received == attempt->last_progress_.received && now.expected == attempt->last_progress_.expected) return 0;
  attempt->last_progress_ = now;
  attempt->transfer_.on_progress(now);
  return 0;
}

AttemptOutcome Attempt::Finish(CURLcode code) {
  AttemptOutcome outcome;
  if (sink_failure_) {
    outcome.sink_failure = std::move(sink_failure_);
    outcome.error = "the body could not be stored";
    return outcome;
  }
  if (too_large_ || code == CURLE_FILESIZE_EXCEEDED) {
    outcome.error = fmt::format("body exceeds the limit of {} bytes (max_bytes); not retried",
                                transfer_.request.max_bytes);
    return outcome;
  }
  if (code != CURLE_OK) return FinishTransportError(code);

  Response response;
  curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &response.status);
  const char* effective_url = nullptr;
  curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &effective_url);
  response.effective_url = RedactUrl(effective_url != nullptr ? effective_url : transfer_.request.url);
  response.headers = std::move(headers_);
  response.bytes = bytes_;
  response.body = std::move(body_);
  if (response.status >= 500 || response.status == 429) {
    auto retry_after = response.Header("retry-after");
    const bool declined = response.status == 429 || (response.status == 503 && retry_after.has_value());
    outcome.retryable = declined || Repeatable(transfer_);
    outcome.error = fmt::format("HTTP {}", response.status);
    if (retry_after && (response.status == 429 || response.status == 503)) {
      outcome.retry_after = ParseRetryAfter(*retry_after, std::chrono::system_clock::now());
    }
  }
  outcome.response = std::move(response);
  return outcome;
}

AttemptOutcome Attempt::FinishTransportError(CURLcode code) const {
  AttemptOutcome outcome;
  if (code == CURLE_UNSUPPORTED_PROTOCOL && !location_.empty()) {
    outcome.error = "redirect to a non-HTTP(S) URL refused: " + RedactUrl(location_);
  } else if (code == CURLE_UNSUPPORTED_PROTOCOL) {
    outcome.error = "only http:// and https:// URLs are fetched";
  } else {
    outcome.retryable = IsRetryableCurlError(code) && (IsConnectError(code) || Repeatable(transfer_));
    outcome.error = DescribeCurlError(code);
    if (IsRetryableCurlError(code) && !outcome.retryable) {
      outcome.error += " (not repeated: the server may have carried out this " + transfer_.request.method + ")";
    }
  }
  return outcome;
}

std::string Attempt::DescribeCurlError(CURLcode code) const {
  // curl's own sentence names host and port, never header values; Mask() catches a URL
  // credential should one ever appear in it.
  std::string text = error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code);
  return Mask(text) + fmt::format(" (curl {})", static_cast<int>(code));
}

bool Repeatable(const Transfer& transfer) {
  if (transfer.repeatable) return *transfer.repeatable;
  const Request& request = transfer.request;
  if (HasHeader(request.headers, "if-match") || HasHeader(request.headers, "if-none-match")) return false;
  return request.method != "POST" && request.method != "PATCH";
}

}  // namespace sluice::http
