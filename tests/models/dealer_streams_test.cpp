// A party's key stream does not depend on whether the dealer keeps the other party's keys: one
// dealer writing both parties' streams (the separate dealer, `secinfer deal`) gives each party the
// bytes that its inline dealer (its own keys kept, the other's dropped) gives it. The GPU dealer's
// bert-base check (gpu_dealer_run_test.cpp, [dealer-run-base]) compares its inline dealers with
// one CPU dealer of both streams on the strength of this.
#include <catch2/catch.hpp>

#include "tests/models/dealer_lane.h"

using namespace secinfer;

TEST_CASE("a party's key stream is the same whether the dealer keeps the other's or drops it",
          "[models][dealer]") {
  for (const models::System system : {models::System::kSigma, models::System::kFuseFss}) {
    INFO((system == models::System::kSigma ? "sigma" : "fusefss"));
    models::RunOptions o;
    o.model = "bert-tiny";
    o.seq = 16;
    o.system = system;
    o.seed = 31;
    test::DealerLane both(o, {true, true}), only0(o, {true, false}), only1(o, {false, true});
    for (test::DealerLane* l : {&both, &only0, &only1}) {
      l->model_input();
      for (std::size_t s = 0; s < l->steps(); ++s) l->step(s);
      l->finish();
    }
    const auto b0 = test::drain(*both.buffer(0)), b1 = test::drain(*both.buffer(1));
    CHECK(b0.size() > 1000);
    CHECK(b1.size() > 1000);
    CHECK(b0 == test::drain(*only0.buffer(0)));
    CHECK(b1 == test::drain(*only1.buffer(1)));
    CHECK(both.key_bytes(0) == only0.key_bytes(0));
    CHECK(both.key_bytes(1) == only1.key_bytes(1));
  }
}
