// The `secinfer` executable: everything lives in secinfer_app (apps/cli.h).
#include <malloc.h>

#include "apps/cli.h"

int main(int argc, char** argv) {
  // A party allocates and frees tensors and key arrays of a few MiB to hundreds of MiB per gate,
  // thousands of times a run. glibc serves the large ones from fresh mmaps (above 32 MiB always)
  // and trims the heap after frees, so every array would be page-faulted in and zeroed by the
  // kernel again: half of the dealer's CPU time on a bert-base run (docs/perf.md, "The
  // allocator"). Keep freed memory in the heap for reuse: no mmap for large blocks, no trimming.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, -1);
  return secinfer::apps::secinfer_main(argc, argv);
}
