// facepass-test-fill-group DATA_DIR GROUP FACES DIM: support/fill_group.h for
// the browser test (a stopped server's data directory).
#include <cstdio>
#include <cstdlib>

#include "support/fill_group.h"

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DATA_DIR GROUP FACES DIM\n", argv[0]);
    return 2;
  }
  facepass::Status s = facepass::testing::FillGroup(argv[1], argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  if (!s.ok()) {
    std::fprintf(stderr, "fill-group: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
