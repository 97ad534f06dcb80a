// GPT-Neo's local attention beyond the window (the public -64 offset built from Ops primitives,
// tensor_utils.h add_public) runs securely and matches ClearOps bit for bit. A small GPT-Neo-shaped
// config with a window of 8 at seq 20, through the engine's two-party test runner.
#include <catch2/catch.hpp>

#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/party_ops.h"
#include "fss/engine/two_party_runner.h"
#include "fss/gates/sigma/suite.h"
#include "models/registry.h"
#include "models/runner.h"
#include "models/transformer.h"
#include "models/weights.h"
#include "tests/models/small_models.h"

using namespace secinfer;
using namespace secinfer::models;

TEST_CASE("gpt-neo local attention beyond the window is bit-identical to ClearOps",
          "[models][secure][local]") {
  const ModelConfig c = test::small_gpt_neo();  // layer 0 global, layer 1 local, window 8
  const std::size_t batch = 1, seq = 20;
  const Transformer t(c, batch, seq);
  const RandomWeights w(c, 31);
  const auto input = make_input(c, batch, seq, 31);
  const auto& suite = fss::sigma::suite();

  fss::engine::ClearOps clear(fss::Ring{c.ring_bits}, c.frac_bits, suite);
  const std::vector<u64> expected = t.forward(clear, &w, input);

  fss::engine::TwoPartyOptions opt;
  opt.ring = fss::Ring{c.ring_bits};
  opt.frac_bits = c.frac_bits;
  opt.dealer_seed = dealer_seed(31);
  auto res = fss::engine::run_two_party<std::vector<u64>>(opt, [&](fss::engine::PartyContext& ctx) {
    fss::engine::DealerOps dops(ctx.dealer(), suite, ctx.id());
    ctx.offline([&] { t.forward(dops, nullptr, {}); });
    std::vector<u64> out;
    ctx.online([&] {
      fss::engine::PartyOps pops(ctx.party(), suite);
      out = t.forward(pops, ctx.id() == 0 ? &w : nullptr,
                      ctx.id() == 1 ? std::span<const u64>(input) : std::span<const u64>());
    });
    return out;
  });
  CHECK(res[0].value == expected);
  CHECK(res[1].value == expected);
}
