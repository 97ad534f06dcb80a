// The dealer's host-time line is per run of what came after a mark (models/runner_impl.h leaves
// the model input out of it this way).
#include <catch2/catch.hpp>
#include <string>

#include "fss/engine/dealer.h"
#include "fss/engine/key_stream.h"
#include "fss/engine/two_party_runner.h"

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

TEST_CASE("Party::trace_openings records each opening's times and bytes while on",
          "[engine][host-time]") {
  using Trace = std::vector<Party::OpeningTiming>;
  const auto res = run_two_party<Trace>({}, [](PartyContext& c) {
    Party& p = c.party();
    std::vector<u64> a(1000, 7), b(300, 1), out_a(1000), out_b(300);
    c.online([&] {
      p.open(a, out_a);  // not traced
      p.trace_openings(true);
      p.open(a, out_a, 50);
      p.open_many(std::vector<Party::OpenItem>{{a, out_a, 1}, {b, out_b, 12}});
      p.trace_openings(false);
      p.open(b, out_b);  // not traced
    });
    return p.take_opening_trace();
  });
  for (int party = 0; party < 2; ++party) {
    INFO("party " << party);
    const Trace& t = res[party].value;
    REQUIRE(t.size() == 2);
    CHECK(t[0].bytes == packed_bytes(1000, 50));
    CHECK(t[1].bytes == packed_bytes(1000, 1) + packed_bytes(300, 12));
    for (const Party::OpeningTiming& o : t) {
      CHECK(o.start_ns <= o.packed_ns);
      CHECK(o.packed_ns <= o.exchanged_ns);
      CHECK(o.exchanged_ns <= o.unpacked_ns);
    }
    CHECK(t[0].unpacked_ns <= t[1].start_ns);
  }
}
