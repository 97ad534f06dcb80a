// The cleartext fixed-point forward (ClearOps, SIGMA's gate algorithms) against the float
// reference (exact functions on the same decoded weights and inputs).
#include <catch2/catch.hpp>
#include <cmath>

#include "fss/engine/clear_ops.h"
#include "fss/gates/sigma/suite.h"
#include "models/compare.h"
#include "models/float_reference.h"
#include "models/registry.h"
#include "models/transformer.h"
#include "models/weights.h"
#include "tests/models/small_models.h"

using namespace secinfer;
using namespace secinfer::models;

namespace {

struct Outputs {
  std::vector<u64> fixed;
  std::vector<double> exact;
};

Outputs run_both(const ModelConfig& c, std::size_t batch, std::size_t seq, std::uint64_t seed) {
  RandomWeights w(c, seed);
  const auto input = make_input(c, batch, seq, seed);
  fss::engine::ClearOps ops(fss::Ring{c.ring_bits}, c.frac_bits, fss::sigma::suite());
  Transformer t(c, batch, seq);
  Outputs o;
  o.fixed = t.forward(ops, &w, input);
  o.exact = float_forward(c, batch, seq, w, input);
  return o;
}

}  // namespace

TEST_CASE("bert-tiny: cleartext fixed point agrees with the float reference", "[models][forward]") {
  const ModelConfig& c = find_model("bert-tiny");
  const Outputs o = run_both(c, 1, 32, 7);
  REQUIRE(o.fixed.size() == 32 * c.hidden);
  const Difference d = compare_to_float(o.fixed, o.exact, fss::Ring{c.ring_bits}, c.frac_bits);
  INFO("max abs " << d.max_abs << " mean abs " << d.mean_abs << " max ulp " << d.max_ulp);
  // Post-LN outputs are ~N(0, 1); SIGMA's approximations (GELU table at scale 6, nExp and inverse
  // tables, a 7-bit-mantissa rsqrt) cost about 1e-2 here (measured: 0.012 max, 0.002 mean).
  CHECK(d.max_abs < 0.08);
  CHECK(d.mean_abs < 0.01);
}

TEST_CASE("gpt2-2l: cleartext fixed point agrees with the float reference", "[models][forward]") {
  const ModelConfig& c = find_model("gpt2-2l");
  const Outputs o = run_both(c, 1, 16, 3);
  const Difference d = compare_to_float(o.fixed, o.exact, fss::Ring{c.ring_bits}, c.frac_bits);
  INFO("max abs " << d.max_abs << " mean abs " << d.mean_abs);
  CHECK(d.max_abs < 0.08);
  CHECK(d.mean_abs < 0.01);
}

TEST_CASE("llama-tiny runs: RMSNorm, SiLU-gated MLP, RoPE", "[models][forward]") {
  const ModelConfig& c = find_model("llama-tiny");
  const Outputs o = run_both(c, 2, 16, 5);
  const Difference d = compare_to_float(o.fixed, o.exact, fss::Ring{c.ring_bits}, c.frac_bits);
  INFO("max abs " << d.max_abs << " mean abs " << d.mean_abs);
  CHECK(d.max_abs < 0.08);
  CHECK(d.mean_abs < 0.01);
}

TEST_CASE("gpt-neo local attention masks keys beyond the window", "[models][forward]") {
  // A 2-layer GPT-Neo-shaped model with a window of 8 at seq 24: layer 1 is local.
  ModelConfig c = test::small_gpt_neo();
  c.name = "gpt-neo-test";
  c.intermediate = 512;
  const Outputs o = run_both(c, 1, 24, 9);
  const Difference d = compare_to_float(o.fixed, o.exact, fss::Ring{c.ring_bits}, c.frac_bits);
  INFO("max abs " << d.max_abs << " mean abs " << d.mean_abs);
  CHECK(d.max_abs < 0.08);
  // Without the window the float reference differs: the mask matters.
  ModelConfig g = c;
  g.attention_types.clear();
  RandomWeights w(c, 9);
  const auto input = make_input(c, 1, 24, 9);
  const auto global = float_forward(g, 1, 24, w, input);
  double max_gap = 0;
  for (std::size_t i = 0; i < global.size(); ++i)
    max_gap = std::max(max_gap, std::fabs(global[i] - o.exact[i]));
  CHECK(max_gap > 0.01);
}

TEST_CASE("the float reference and the logit comparison do not depend on the thread count",
          "[models][forward]") {
  const ModelConfig& c = find_model("gpt2-2l");
  RandomWeights w(c, 11);
  const auto input = make_input(c, 2, 16, 11);
  const std::vector<double> one = float_forward(c, 2, 16, w, input, 1);
  CHECK(float_forward(c, 2, 16, w, input, 3) == one);  // bit for bit
  // A random LM head over 100 tokens; the secure side is the reference rounded to fixed point.
  const fss::Ring r{c.ring_bits};
  WeightTensor head;
  head.shape = {100, c.hidden};
  head.frac_bits = c.frac_bits;
  head.data = make_input(c, 1, 100, 12);
  std::vector<u64> secure(one.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    secure[i] = r.from_signed(static_cast<i64>(std::llround(std::ldexp(one[i], c.frac_bits))));
  const LogitAccuracy a = compare_logits(c, secure, one, head, 1);
  const LogitAccuracy b = compare_logits(c, secure, one, head, 4);
  CHECK(a.positions == 32);
  CHECK(b.positions == a.positions);
  CHECK(b.top1_agree == a.top1_agree);
  CHECK(b.vs_float.to_json() == a.vs_float.to_json());
}
