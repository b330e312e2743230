#include "git/libgit2.h"

#include <git2.h>

#include <mutex>

namespace sluice::git {

void EnsureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  });
}

}  // namespace sluice::git
