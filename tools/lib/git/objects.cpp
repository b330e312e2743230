#include "git/objects.h"

#include <git2.h>

#include <algorithm>

#include <fmt/format.h>

#include "git/libgit2.h"

namespace sluice::git {
namespace {


std::string Hex(const git_oid& oid) {
  char buffer[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buffer, sizeof buffer, &oid);
  return buffer;
}

// git sorts a tree's entries by name, a sub-tree's name compared as if it ended in '/'.
bool GitOrder(const TreeEntry& a, const TreeEntry& b) {
  std::string left = a.name + (a.IsTree() ? "/" : "");
  std::string right = b.name + (b.IsTree() ? "/" : "");
  return left < right;
}

}  // namespace

std::string BlobId(std::string_view content) {
  EnsureLibgit2();
  git_oid oid;
  git_odb_hash(&oid, content.data(), content.size(), GIT_OBJECT_BLOB);
  return Hex(oid);
}

Result<std::string> BlobIdOfFile(const std::filesystem::path& path) {
  EnsureLibgit2();
  git_oid oid;
  if (git_odb_hashfile(&oid, path.c_str(), GIT_OBJECT_BLOB) != 0) {
    const git_error* error = git_error_last();
    return InputError(fmt::format("{}: cannot read: {}", path.string(),
                                  error != nullptr && error->message != nullptr ? error->message : "unknown error"));
  }
  return Hex(oid);
}

Result<RawTree> SerializeTree(std::vector<TreeEntry> entries) {
  EnsureLibgit2();
  std::sort(entries.begin(), entries.end(), GitOrder);
  RawTree tree;
  for (size_t i = 0; i < entries.size(); ++i) {
    const TreeEntry& entry = entries[i];
    if (entry.name.empty() || entry.name.find('/') != std::string::npos || entry.name.find('\0') != std::string::npos) {
      return InternalError(fmt::format("invalid tree entry name '{}'", entry.name));
    }
    if (i > 0 && entries[i - 1].name == entry.name) return InternalError("duplicate tree entry " + entry.name);
    git_oid oid;
    if (entry.sha.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, entry.sha.c_str()) != 0) {
      return InternalError(fmt::format("tree entry {} has a malformed sha '{}'", entry.name, entry.sha));
    }
    // The raw form drops the leading zero of "040000".
    std::string_view mode = entry.mode;
    while (mode.size() > 1 && mode.front() == '0') mode.remove_prefix(1);
    tree.bytes.append(mode);
    tree.bytes.push_back(' ');
    tree.bytes.append(entry.name);
    tree.bytes.push_back('\0');
    tree.bytes.append(reinterpret_cast<const char*>(oid.id), GIT_OID_RAWSZ);
  }
  git_oid oid;
  git_odb_hash(&oid, tree.bytes.data(), tree.bytes.size(), GIT_OBJECT_TREE);
  tree.sha = Hex(oid);
  return tree;
}

}  // namespace sluice::git
