// The `secinfer` executable: everything lives in secinfer_app (apps/cli.h).
#include <malloc.h>

#include "apps/cli.h"

int main(int argc, char** argv) {
  // A party allocates and frees tensors of a few MiB per gate, thousands of times a run. glibc
  // serves those from fresh mmaps and trims the heap after each free, so every tensor would be
  // page-faulted in again (a large share of the online CPU time); keep them in the heap instead.
  // 32 MiB is glibc's largest mmap threshold on 64-bit hosts.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  return secinfer::apps::secinfer_main(argc, argv);
}
