#include "git/libgit2.h"

#include <git2.h>
#include <git2/sys/alloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace sluice::git {
namespace {

// Hands `bytes` at `at` to transparent huge pages where they are at least kHugeFrom long (see
// EnsureLibgit2): only whole pages inside the block are advised, and the advice is only that.
constexpr std::size_t kHugeFrom = 4u << 20;
void* AdviseHuge(void* at, std::size_t bytes) {
  if (at == nullptr || bytes < kHugeFrom) return at;
  static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(at) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(at) + bytes) & ~(page - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  return at;
}

// libgit2's allocator interface over malloc and friends, as its own default is (Debian's
// libgit2 does not export git_stdalloc_init_allocator). A null answer is libgit2's to report.
std::size_t Product(std::size_t count, std::size_t size, bool& overflow) {
  std::size_t bytes = 0;
  overflow = __builtin_mul_overflow(count, size, &bytes);
  return bytes;
}
void* Malloc(std::size_t n, const char*, int) { return AdviseHuge(std::malloc(n), n); }
void* Calloc(std::size_t count, std::size_t size, const char*, int) {
  bool overflow = false;
  const std::size_t bytes = Product(count, size, overflow);
  return overflow ? nullptr : AdviseHuge(std::calloc(count, size), bytes);
}
char* Strdup(const char* text, const char*, int) { return strdup(text); }
char* Strndup(const char* text, std::size_t n, const char*, int) { return strndup(text, n); }
char* Substrdup(const char* text, std::size_t n, const char*, int) {
  if (n == SIZE_MAX) return nullptr;
  auto* copy = static_cast<char*>(std::malloc(n + 1));
  if (copy == nullptr) return nullptr;
  std::memcpy(copy, text, n);
  copy[n] = '\0';
  return copy;
}
void* Realloc(void* ptr, std::size_t n, const char*, int) { return AdviseHuge(std::realloc(ptr, n), n); }
void* MallocArray(std::size_t count, std::size_t size, const char* file, int line) {
  bool overflow = false;
  const std::size_t bytes = Product(count, size, overflow);
  return overflow ? nullptr : Malloc(bytes, file, line);
}
void* ReallocArray(void* ptr, std::size_t count, std::size_t size, const char* file, int line) {
  bool overflow = false;
  const std::size_t bytes = Product(count, size, overflow);
  return overflow ? nullptr : Realloc(ptr, bytes, file, line);
}
void Free(void* ptr) { std::free(ptr); }

}  // namespace

void EnsureLibgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    static git_allocator ours{Malloc, Calloc, Strdup, Strndup, Substrdup, Realloc, ReallocArray, MallocArray, Free};
    git_libgit2_opts(GIT_OPT_SET_ALLOCATOR, &ours);
  });
}

}  // namespace sluice::git
