// The fusefss suite through the engine's Ops (fss/gates/fusefss/suite.h): GELU and SiLU as leaf
// gates, softmax (nExp + inverse), LayerNorm and RMSNorm (rsqrt) as the shared composites, run as
// DealerOps (offline) then PartyOps (online) in two parties; the opened output equals ClearOps
// with the same suite bit for bit, padding on and off, with the default shared-mask lookup at n =
// 50 and 37 and with the per-cut lookup at n = 37. The fused gates' sub-scopes appear in the party
// log under the op's scope ("Activation::GELU/FSS::IntervalLookup", ...), with the two rounds of
// the gate charged to Horner (opening v^) and PostProcess (opening y^).
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <random>
#include <string>

#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/party_ops.h"
#include "fss/gates/fusefss/fusefss_test_util.h"
#include "fss/gates/fusefss/suite.h"

namespace secinfer::fss::fusefss::test {
namespace {

using engine::Tensor;
using OpsFn = std::function<Tensor(engine::Ops&, const std::vector<Tensor>&)>;

struct OpsRun {
  std::vector<u64> y[2];
  nlohmann::json log[2];
};

OpsRun run_ops(const Gates& gates, compile::Padding pad, compile::LookupMode mode, int n,
               const std::vector<Tensor>& inputs, const OpsFn& fn) {
  engine::TwoPartyOptions opt;
  opt.gate_cache = gates;
  opt.ring = make_ring(n);
  opt.frac_bits = 12;
  const std::uint64_t seed = fresh_seed();
  opt.dealer_seed = Block{seed, ~seed};
  const Ring ring = opt.ring;
  auto res = engine::run_two_party<std::vector<u64>>(opt, [&](engine::PartyContext& c) {
    std::vector<Tensor> masks, hats;
    for (const Tensor& in : inputs) {
      Tensor m{in.shape, c.dealer().random(in.size())};
      Tensor h{in.shape, std::vector<u64>(in.size())};
      for (std::size_t i = 0; i < h.size(); ++i)
        h.data[i] = ring.add(ring.reduce(in.data[i]), m.data[i]);
      masks.push_back(std::move(m));
      hats.push_back(std::move(h));
    }
    engine::DealerOps dops(c.dealer(), suite(pad, mode), c.id() < 0 ? 0 : c.id());
    Tensor mout;
    c.offline([&] { mout = fn(dops, masks); });
    engine::PartyOps pops(c.party(), suite(pad, mode));
    Tensor yhat;
    c.online([&] { yhat = fn(pops, hats); });
    std::vector<u64> y(yhat.size());
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = ring.sub(yhat.data[i], mout.data[i]);
    return y;
  });
  OpsRun out;
  for (int b = 0; b < 2; ++b) {
    out.y[b] = std::move(res[b].value);
    out.log[b] = std::move(res[b].log);
  }
  return out;
}

std::vector<u64> run_clear(const Gates& gates, int n, const std::vector<Tensor>& inputs,
                           const OpsFn& fn) {
  engine::ClearOps cops(make_ring(n), 12, suite(), gates);
  return fn(cops, inputs).data;
}

Tensor random_tensor(std::vector<std::size_t> shape, double lo, double hi, std::uint64_t seed,
                     int n) {
  const Ring r{n};
  std::size_t count = 1;
  for (auto d : shape) count *= d;
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  Tensor t{shape, std::vector<u64>(count)};
  for (auto& v : t.data) v = r.from_signed(static_cast<i64>(std::llround(u(g) * 4096)));
  return t;
}

std::map<std::string, std::uint64_t> rounds_by_path(const nlohmann::json& log) {
  std::map<std::string, std::uint64_t> m;
  for (const auto& sc : log.at("runs").at(0).at("scopes"))
    m[sc.at("path").get<std::string>()] = sc.at("rounds").get<std::uint64_t>();
  return m;
}

void check_equal(const OpsRun& run, const std::vector<u64>& want, const char* what) {
  INFO(what);
  CHECK(run.y[0] == want);
  CHECK(run.y[1] == want);
}

}  // namespace

TEST_CASE("fusefss suite through Ops equals ClearOps bit for bit", "[fusefss][ops]") {
  const std::uint64_t seed = fresh_seed();
  INFO("seed " << seed);
  const Gates gates = new_gates();
  struct Setting {
    int n;
    compile::Padding pad;
    compile::LookupMode mode;
  };
  std::vector<Setting> settings;
  for (int n : {50, 37})
    for (auto pad : {compile::Padding::kOn, compile::Padding::kOff})
      settings.push_back({n, pad, compile::LookupMode::kSharedMask});
  settings.push_back({37, compile::Padding::kOn, compile::LookupMode::kPerCut});
  for (const Setting& st : settings) {
    const int n = st.n;
    INFO("n " << n << " padding " << (st.pad == compile::Padding::kOn ? "on" : "off") << " lookup "
              << lookup_name(st.mode));
    auto secure = [&](const std::vector<Tensor>& in, const OpsFn& fn) {
      return run_ops(gates, st.pad, st.mode, n, in, fn);
    };
    auto clear = [&](const std::vector<Tensor>& in, const OpsFn& fn) {
      return run_clear(gates, n, in, fn);
    };
    const Tensor act = random_tensor({4, 64}, -20, 20, seed, n);
    const OpsFn gelu = [](engine::Ops& o, const std::vector<Tensor>& in) { return o.gelu(in[0]); };
    const OpsFn silu = [](engine::Ops& o, const std::vector<Tensor>& in) { return o.silu(in[0]); };
    const auto rg = secure({act}, gelu);
    check_equal(rg, clear({act}, gelu), "gelu");
    check_equal(secure({act}, silu), clear({act}, silu), "silu");
    const auto rounds = rounds_by_path(rg.log[0]);
    CHECK(rounds.at("Activation::GELU/Horner") == 1);
    CHECK(rounds.at("Activation::GELU/PostProcess") == 1);
    CHECK(rounds.count("Activation::GELU/FSS::IntervalLookup") == 1);
    CHECK(rounds.count("Activation::GELU/FSS::PackedCompare") == 1);

    const Tensor logits = random_tensor({6, 16}, -8, 8, seed + 1, n);
    for (bool causal : {false, true}) {
      const OpsFn sm = [causal](engine::Ops& o, const std::vector<Tensor>& in) {
        return o.softmax(in[0], 16, {.causal = causal});
      };
      check_equal(secure({logits}, sm), clear({logits}, sm), "softmax");
    }
    const Tensor x = random_tensor({3, 32}, -6, 6, seed + 2, n);
    const Tensor gamma = random_tensor({32}, 0.5, 1.5, seed + 3, n);
    const Tensor beta = random_tensor({32}, -1, 1, seed + 4, n);
    const OpsFn ln = [](engine::Ops& o, const std::vector<Tensor>& in) {
      return o.layernorm(in[0], in[1], in[2], 32);
    };
    const OpsFn rms = [](engine::Ops& o, const std::vector<Tensor>& in) {
      return o.rmsnorm(in[0], in[1], 32);
    };
    check_equal(secure({x, gamma, beta}, ln), clear({x, gamma, beta}, ln), "layernorm");
    check_equal(secure({x, gamma}, rms), clear({x, gamma}, rms), "rmsnorm");
  }
}

}  // namespace secinfer::fss::fusefss::test
