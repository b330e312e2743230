#include "schema/uri.h"

#include <optional>

namespace sluice::schema::detail {
namespace {

struct UriParts {
  std::optional<std::string_view> scheme, authority, query, fragment;
  std::string_view path;
};

UriParts Parse(std::string_view uri) {
  UriParts parts;
  if (auto hash = uri.find('#'); hash != std::string_view::npos) {
    parts.fragment = uri.substr(hash + 1);
    uri = uri.substr(0, hash);
  }
  if (auto question = uri.find('?'); question != std::string_view::npos) {
    parts.query = uri.substr(question + 1);
    uri = uri.substr(0, question);
  }
  auto colon = uri.find(':');
  auto slash = uri.find('/');
  if (colon != std::string_view::npos && colon > 0 && (slash == std::string_view::npos || colon < slash)) {
    parts.scheme = uri.substr(0, colon);
    uri = uri.substr(colon + 1);
  }
  if (uri.substr(0, 2) == "//") {
    uri = uri.substr(2);
    auto end = uri.find('/');
    parts.authority = uri.substr(0, end);
    uri = end == std::string_view::npos ? std::string_view() : uri.substr(end);
  }
  parts.path = uri;
  return parts;
}

std::string RemoveDotSegments(std::string_view path) {
  std::string out;
  while (!path.empty()) {
    if (path.substr(0, 3) == "../") path.remove_prefix(3);
    else if (path.substr(0, 2) == "./") path.remove_prefix(2);
    else if (path.substr(0, 3) == "/./") path.remove_prefix(2);
    else if (path == "/.") path = "/";
    else if (path.substr(0, 4) == "/../" || path == "/..") {
      path = path.size() == 3 ? std::string_view("/") : path.substr(3);
      auto last = out.rfind('/');
      out.erase(last == std::string::npos ? 0 : last);
    } else if (path == "." || path == "..") {
      path = {};
    } else {
      auto next = path.find('/', path[0] == '/' ? 1 : 0);
      out += path.substr(0, next);
      path = next == std::string_view::npos ? std::string_view() : path.substr(next);
    }
  }
  return out;
}

std::string Merge(const UriParts& base, std::string_view relative_path) {
  if (base.authority && base.path.empty()) return "/" + std::string(relative_path);
  auto last = base.path.rfind('/');
  if (last == std::string_view::npos) return std::string(relative_path);
  return std::string(base.path.substr(0, last + 1)) + std::string(relative_path);
}

std::string Compose(const UriParts& p, const std::string& path) {
  std::string out;
  if (p.scheme) out += std::string(*p.scheme) + ":";
  if (p.authority) out += "//" + std::string(*p.authority);
  out += path;
  if (p.query) out += "?" + std::string(*p.query);
  if (p.fragment && !p.fragment->empty()) out += "#" + std::string(*p.fragment);
  return out;
}

}  // namespace

std::string ResolveUri(std::string_view base, std::string_view reference) {
  UriParts r = Parse(reference);
  UriParts b = Parse(base);
  UriParts t;
  std::string path;
  if (r.scheme) {
    t = r;
    path = RemoveDotSegments(r.path);
  } else if (r.authority) {
    t = r;
    t.scheme = b.scheme;
    path = RemoveDotSegments(r.path);
  } else {
    t.scheme = b.scheme;
    t.authority = b.authority;
    if (r.path.empty()) {
      path = std::string(b.path);
      t.query = r.query ? r.query : b.query;
    } else {
      path = r.path[0] == '/' ? RemoveDotSegments(r.path) : RemoveDotSegments(Merge(b, r.path));
      t.query = r.query;
    }
  }
  t.fragment = r.fragment;
  return Compose(t, path);
}

void SplitFragment(std::string_view uri, std::string_view& without_fragment, std::string_view& fragment) {
  auto hash = uri.find('#');
  without_fragment = uri.substr(0, hash);
  fragment = hash == std::string_view::npos ? std::string_view() : uri.substr(hash + 1);
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace sluice::schema::detail
