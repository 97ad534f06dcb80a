// The `secinfer` executable: everything lives in secinfer_app (apps/cli.h).
#include "apps/cli.h"

int main(int argc, char** argv) {
  return secinfer::apps::secinfer_main(argc, argv);
}
