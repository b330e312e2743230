#include "git/object_store.h"

#include <git2.h>


#include <fmt/format.h>

#include "git/libgit2.h"

namespace sluice::git {
namespace {


std::string LastError(const std::string& what) {
  const git_error* error = git_error_last();
  return fmt::format("{}: {}", what, error != nullptr && error->message != nullptr ? error->message : "unknown git error");
}

template <typename T, void (*FreeFn)(T*)>
struct Deleter {
  void operator()(T* p) const { FreeFn(p); }
};
using Commit = std::unique_ptr<git_commit, Deleter<git_commit, git_commit_free>>;
using Tree = std::unique_ptr<git_tree, Deleter<git_tree, git_tree_free>>;
using Reference = std::unique_ptr<git_reference, Deleter<git_reference, git_reference_free>>;
using Signature = std::unique_ptr<git_signature, Deleter<git_signature, git_signature_free>>;
using Odb = std::unique_ptr<git_odb, Deleter<git_odb, git_odb_free>>;

std::string Hex(const git_oid* oid) {
  char buffer[GIT_OID_HEXSZ + 1] = {};
  git_oid_tostr(buffer, sizeof buffer, oid);
  return buffer;
}

Result<git_oid> ParseOid(const std::string& sha) {
  git_oid oid;
  if (sha.size() != GIT_OID_HEXSZ || git_oid_fromstr(&oid, sha.c_str()) != 0) {
    return InternalError(fmt::format("'{}' is not an object id", sha));
  }
  return oid;
}

Result<std::string> WriteObject(git_repository* repo, std::string_view bytes, git_object_t type) {
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, repo) != 0) return InternalError(LastError("cannot open the object database"));
  Odb odb(raw);
  git_oid oid;
  if (git_odb_write(&oid, odb.get(), bytes.data(), bytes.size(), type) != 0) {
    return InternalError(LastError("cannot write an object"));
  }
  return Hex(&oid);
}

}  // namespace

void ObjectStore::Free::operator()(git_repository* repo) const { git_repository_free(repo); }

ObjectStore::ObjectStore(ObjectStore&&) noexcept = default;
ObjectStore& ObjectStore::operator=(ObjectStore&&) noexcept = default;
ObjectStore::~ObjectStore() = default;

Result<ObjectStore> ObjectStore::Discover(const std::filesystem::path& path) {
  EnsureLibgit2();
  git_repository* repo = nullptr;
  if (git_repository_open_ext(&repo, path.c_str(), 0, nullptr) != 0) {
    return InputError(LastError(fmt::format("{} is not inside a git repository", path.string())));
  }
  return ObjectStore(repo);
}

std::filesystem::path ObjectStore::workdir() const {
  const char* dir = git_repository_workdir(repo_.get());
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::path(git_repository_path(repo_.get()));
}

Result<std::string> ObjectStore::CurrentBranch() const {
  git_reference* raw = nullptr;
  if (git_repository_head(&raw, repo_.get()) != 0) return InputError(LastError("cannot read HEAD"));
  Reference head(raw);
  if (!git_reference_is_branch(head.get())) return InputError("HEAD is detached: name the base branch with --base");
  const char* name = nullptr;
  if (git_branch_name(&name, head.get()) != 0) return InputError(LastError("cannot read HEAD's branch"));
  return std::string(name);
}

Result<std::optional<CommitInfo>> ObjectStore::BranchHead(const std::string& branch) const {
  git_reference* raw = nullptr;
  int rc = git_reference_lookup(&raw, repo_.get(), ("refs/heads/" + branch).c_str());
  if (rc == GIT_ENOTFOUND) return std::optional<CommitInfo>();
  if (rc != 0) return InputError(LastError("cannot read branch " + branch));
  Reference ref(raw);
  git_object* peeled = nullptr;
  if (git_reference_peel(&peeled, ref.get(), GIT_OBJECT_COMMIT) != 0) {
    return InputError(LastError("branch " + branch + " does not point at a commit"));
  }
  Commit commit(reinterpret_cast<git_commit*>(peeled));
  CommitInfo info;
  info.sha = Hex(git_commit_id(commit.get()));
  info.tree = Hex(git_commit_tree_id(commit.get()));
  info.message = git_commit_message(commit.get());
  for (unsigned i = 0; i < git_commit_parentcount(commit.get()); ++i) info.parents.push_back(Hex(git_commit_parent_id(commit.get(), i)));
  return std::optional<CommitInfo>(std::move(info));
}

Result<std::vector<TreeEntry>> ObjectStore::ReadTree(const std::string& tree_sha) const {
  auto oid = ParseOid(tree_sha);
  if (!oid.ok()) return oid.status();
  git_tree* raw = nullptr;
  if (git_tree_lookup(&raw, repo_.get(), &*oid) != 0) return InputError(LastError("cannot read tree " + tree_sha));
  Tree tree(raw);
  std::vector<TreeEntry> entries;
  for (size_t i = 0; i < git_tree_entrycount(tree.get()); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree.get(), i);
    entries.push_back({git_tree_entry_name(entry), fmt::format("{:06o}", static_cast<unsigned>(git_tree_entry_filemode(entry))),
                       Hex(git_tree_entry_id(entry))});
  }
  return entries;
}

bool ObjectStore::Has(const std::string& sha) const {
  auto oid = ParseOid(sha);
  if (!oid.ok()) return false;
  git_odb* raw = nullptr;
  if (git_repository_odb(&raw, repo_.get()) != 0) return false;
  Odb odb(raw);
  return git_odb_exists(odb.get(), &*oid) == 1;
}

Result<std::string> ObjectStore::WriteBlob(std::string_view content) { return WriteObject(repo_.get(), content, GIT_OBJECT_BLOB); }

Result<std::string> ObjectStore::WriteTree(std::string_view raw) { return WriteObject(repo_.get(), raw, GIT_OBJECT_TREE); }

Result<std::string> ObjectStore::WriteCommit(const std::string& tree, const std::vector<std::string>& parents,
                                             const std::string& message) {
  git_signature* raw_signature = nullptr;
  if (git_signature_default(&raw_signature, repo_.get()) != 0 &&
      git_signature_now(&raw_signature, "sluice", "sluice@localhost") != 0) {
    return InternalError(LastError("cannot make a commit signature"));
  }
  Signature signature(raw_signature);
  auto tree_oid = ParseOid(tree);
  if (!tree_oid.ok()) return tree_oid.status();
  git_tree* raw_tree = nullptr;
  if (git_tree_lookup(&raw_tree, repo_.get(), &*tree_oid) != 0) return InternalError(LastError("cannot read tree " + tree));
  Tree tree_object(raw_tree);
  std::vector<Commit> parent_commits;
  std::vector<const git_commit*> parent_pointers;
  for (const std::string& parent : parents) {
    auto oid = ParseOid(parent);
    if (!oid.ok()) return oid.status();
    git_commit* raw_parent = nullptr;
    if (git_commit_lookup(&raw_parent, repo_.get(), &*oid) != 0) return InternalError(LastError("cannot read commit " + parent));
    parent_commits.emplace_back(raw_parent);
    parent_pointers.push_back(raw_parent);
  }
  git_oid oid;
  if (git_commit_create(&oid, repo_.get(), nullptr, signature.get(), signature.get(), "UTF-8", message.c_str(),
                        tree_object.get(), parent_pointers.size(), parent_pointers.data()) != 0) {
    return InternalError(LastError("cannot create the commit"));
  }
  return Hex(&oid);
}

Status ObjectStore::SetBranch(const std::string& branch, const std::string& sha, const std::string& log_message) {
  auto oid = ParseOid(sha);
  if (!oid.ok()) return oid.status();
  git_reference* raw = nullptr;
  if (git_reference_create(&raw, repo_.get(), ("refs/heads/" + branch).c_str(), &*oid, 1, log_message.c_str()) != 0) {
    return InternalError(LastError("cannot update branch " + branch));
  }
  Reference ref(raw);
  return Status::Ok();
}

}  // namespace sluice::git
