// Owners for libcurl's C handles (private to the http module). Every handle is wrapped the
// moment curl returns it, so no early return can leak one.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace sluice::http {

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// curl_global_init is not thread-safe and must run before any other curl call; a
// function-local static runs it exactly once, whichever thread gets here first. The matching
// curl_global_cleanup is left to process exit: other static objects may still hold handles.
inline bool EnsureCurlGlobalInit() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

// Appends `line` to `list`; on failure the old list is kept (and still owned) and false returned.
inline bool AppendHeader(CurlSlist& list, const char* line) {
  curl_slist* grown = curl_slist_append(list.get(), line);
  if (grown == nullptr) return false;
  (void)list.release();  // `grown` starts with the same nodes
  list.reset(grown);
  return true;
}

}  // namespace sluice::http
