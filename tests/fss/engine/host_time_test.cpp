// The dealer's host-time line is per run of what came after a mark (models/runner_impl.h leaves
// the model input out of it this way).
#include <catch2/catch.hpp>
#include <string>

#include "fss/engine/dealer.h"
#include "fss/engine/key_stream.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

TEST_CASE("Dealer::host_time_summary counts what came after `since`", "[engine][host-time]") {
  KeyWriter w0 = KeyWriter::discard(), w1 = KeyWriter::discard();
  Dealer d(make_ring(64), 12, Block{3, 4}, w0, w1);
  for (int i = 0; i < 20; ++i) d.random(std::size_t{1} << 18);  // masks: some milliseconds
  const Dealer::HostTime mark = d.host_time();
  CHECK(mark.random_ns > 0);
  CHECK(d.host_time_summary(1, mark) ==
        "dealer host time per run: masks 0 ms (the shares' included), shares (split + pack) 0 "
        "ms, FSS keys 0 ms, parallel loops 0 ms; wide shares made as v minus the stream's, "
        "party 0 / 1: 0 / 0 values");
  CHECK(d.host_time_summary(1) != d.host_time_summary(1, mark));
}
