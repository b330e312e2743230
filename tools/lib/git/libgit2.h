// libgit2's process-wide set-up, shared by every module that calls it.
#pragma once

namespace sluice::git {

// Initialises libgit2 once per process before any call (it is never shut down: other threads may
// still hold objects at exit), and turns off its strict hash verification: reading an object no
// longer works out its SHA-1 again (SHA-1 with collision detection: 1.5 s of a 500 MiB blob's
// 3.2 s read, on the bench machine). The objects were hashed when they entered the repository (git
// index-pack checks every object a fetch brings; git add names each by its hash), and zlib's
// checksum still refuses a damaged one on every read; the git CLI verifies no more than that on
// a read either (only git fsck does).
void EnsureLibgit2();

}  // namespace sluice::git
