// Per-instance compilation (fss/compile/instance.h) in the clear, for >= 1000 masks per gate
// (uniform, plus r = 0, r = -a_j and masks making x^ = 0 or 2^n - 1): the lookup the DCFs encode
// (base + sum of Delta_k over thresholds above x^) yields the x^-coefficients of x's interval, so
// that local Horner on x^ gives P_j(x_s) + open_mask exactly; the atoms give the helper bits and
// bit * r; the shape is m thresholds and 2 atoms per predicate reference under padding, and one
// threshold less exactly when no interval wraps (r = -a_j) without padding.
#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "fss/gates/fusefss/fusefss_test_util.h"

namespace secinfer::fss::fusefss::test {

TEST_CASE("instances: lookup and atoms reproduce the gate for every mask", "[fusefss][instance]") {
  const Gates gates = new_gates();
  for (int n : {50, 37})
    for (FunctionId id : {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp,
                          FunctionId::kInverse, FunctionId::kRsqrt}) {
      const SufGate& g = gates->get(params(id, n));
      INFO(g.name << " n=" << n << " " << compile::describe(g));
      const Ring rn{n}, rh{g.poly_bits};
      const std::uint64_t seed = fresh_seed();
      std::mt19937_64 gen(seed);
      const auto x = edge_and_random_inputs(g, 200, seed, -(i64{1} << 18), i64{1} << 18);
      std::vector<u64> zeros(1000, 0);
      const auto masks = edge_masks(g, zeros, seed + 1);
      std::set<u64> no_wrap;
      for (u64 c : g.cuts) no_wrap.insert(rn.neg(c));
      const std::size_t d1 = static_cast<std::size_t>(g.degree + 1);
      std::size_t bad = 0;
      for (std::size_t k = 0; k < masks.size(); ++k) {
        const u64 r = masks[k];
        const u64 om = gen() & rh.mask();
        for (auto pad : {compile::Padding::kOn, compile::Padding::kOff}) {
          const auto inst = compile::compile_instance(g, r, om, pad, gen());
          const std::size_t want_thr =
              pad == compile::Padding::kOn ? g.intervals() : g.intervals() - no_wrap.count(r);
          REQUIRE(inst.lookup_alpha.size() == want_thr);
          REQUIRE(inst.lookup_beta.size() == want_thr * static_cast<std::size_t>(g.payload_len()));
          if (pad == compile::Padding::kOn) REQUIRE(inst.atoms.size() == compile::padded_atoms(g));
          // A few inputs per mask (all of them for the first masks).
          const std::size_t step = k < 4 ? 1 : 37;
          for (std::size_t i = k % step; i < x.size(); i += step) {
            const u64 xh = rn.add(x[i], r);
            const auto c = compile::lookup_clear(g, inst, xh);
            u64 v = 0;
            for (std::size_t e = d1; e-- > 0;) v = rh.add(rh.mul(v, rh.reduce(xh)), c[e]);
            const std::size_t j = compile::find_interval(g, x[i]);
            bad += v != rh.add(compile::eval_poly(g, j, x[i]), om);
            if (g.direct_const) bad += rn.reduce(c[d1]) != g.konst[j];
            const auto a = compile::atoms_clear(g, inst, xh);
            for (std::size_t h = 0; h < g.helpers.size(); ++h) {
              const u64 bit = rn.from_signed(compile::helper_bit(g, g.helpers[h], x[i]));
              bad += a[2 * h] != bit;
              bad += a[2 * h + 1] != rn.mul(bit, r);
            }
          }
        }
      }
      CHECK(bad == 0);
    }
}

TEST_CASE("shared-mask lookup in the clear: indicators times powers of r", "[fusefss][instance]") {
  const Gates gates = new_gates();
  for (int n : {50, 37})
    for (FunctionId id :
         {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp, FunctionId::kInverse}) {
      const SufGate& g = gates->get(params(id, n));
      REQUIRE(compile::supports_shared_mask(g));
      INFO(g.name << " n=" << n << " " << compile::describe(g));
      const Ring rn{n};
      const std::uint64_t seed = fresh_seed();
      std::mt19937_64 gen(seed);
      const auto x = edge_and_random_inputs(g, 100, seed, -(i64{1} << 18), i64{1} << 18);
      std::vector<u64> zeros(1000, 0);
      const auto masks = edge_masks(g, zeros, seed + 1);
      const auto offs = compile::shared_mask_offsets(g);
      const std::size_t W = static_cast<std::size_t>(compile::shared_mask_payload(g));
      const std::size_t d1 = static_cast<std::size_t>(g.degree + 1);
      std::size_t bad = 0;
      for (std::size_t k = 0; k < masks.size(); ++k) {
        const u64 r = masks[k];
        const auto V = compile::shared_mask_payload_vector(g, r);
        const std::size_t step = k < 4 ? 1 : 29;
        for (std::size_t i = k % step; i < x.size(); i += step) {
          const u64 xh = rn.add(x[i], r);
          // What the two DCF evaluations and the V sharing give, split into random shares.
          std::vector<u64> p0(offs.size() * W), p1(p0.size()), v0(W), v1(W);
          for (std::size_t o = 0; o < offs.size(); ++o)
            for (std::size_t e = 0; e < W; ++e) {
              const u64 val = rn.sub(xh, offs[o]) < r ? V[e] : 0;
              p0[o * W + e] = gen() & rn.mask();
              p1[o * W + e] = rn.sub(val, p0[o * W + e]);
            }
          for (std::size_t e = 0; e < W; ++e) {
            v0[e] = gen() & rn.mask();
            v1[e] = rn.sub(V[e], v0[e]);
          }
          const auto a = compile::shared_mask_combine(g, xh, p0, v0, true);
          const auto b = compile::shared_mask_combine(g, xh, p1, v1, false);
          u64 v = 0;
          for (std::size_t e = d1; e-- > 0;)
            v = rn.add(rn.mul(v, xh), rn.add(a.coeffs[e], b.coeffs[e]));
          const std::size_t j = compile::find_interval(g, x[i]);
          bad += v != compile::eval_poly(g, j, x[i]);
          bad += rn.add(a.konst, b.konst) != g.konst[j];
          for (std::size_t h = 0; h < g.helpers.size(); ++h) {
            const u64 bit = rn.from_signed(compile::helper_bit(g, g.helpers[h], x[i]));
            bad += rn.add(a.helpers[2 * h], b.helpers[2 * h]) != bit;
            bad += rn.add(a.helpers[2 * h + 1], b.helpers[2 * h + 1]) != rn.mul(bit, r);
          }
        }
      }
      CHECK(bad == 0);
    }
}

}  // namespace secinfer::fss::fusefss::test
