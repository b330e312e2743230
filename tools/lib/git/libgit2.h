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
//
// Its buffers of 4 MiB or more (a large blob: the loose object as read, then inflated) are
// advised to transparent huge pages (madvise MADV_HUGEPAGE; the kernel's default mode, "madvise",
// gives them only where asked): fresh memory costs a page fault per 4 KiB page otherwise, which on
// a virtual machine took most of a 500 MiB blob's read (8.2 s against 3.4 s on the bench machine).
void EnsureLibgit2();

}  // namespace sluice::git
