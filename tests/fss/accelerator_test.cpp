// BatchOptions::accel (fss/accelerator.h): dcf_eval, dpf_eval and dpf_lut_eval run their checks,
// then hand the evaluation to the accelerator and return exactly its outputs; without one (or
// with the CPU behind it) the outputs are the CPU path's. sigma_dcf_gen hands the generation of
// tables and trees to it and moves its stream as the CPU would have. The CUDA backend plugs in
// here; its kernels' bit-identity is checked on the device (scripts/gpu_check.sh,
// scripts/gpu_e2e.sh).
#include "fss/accelerator.h"

#include <catch2/catch.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/sigma_dcf.h"
#include "fss_test_util.h"

using namespace secinfer::fss;
using secinfer::fss::test::fresh_seed;
using secinfer::fss::test::make_cases;
using secinfer::fss::test::random_block;

namespace {

// Either the CPU path (kForward: what a bit-identical accelerator returns) or a marker that no
// evaluation produces (kMark: out[i] = tag + i), counting the calls.
class FakeAccelerator final : public Accelerator {
 public:
  enum class Mode { kForward, kMark };
  explicit FakeAccelerator(Mode mode) : mode_(mode) {}

  std::string describe() const override { return "fake"; }
  void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out) const override {
    ++dcf_calls;
    if (mode_ == Mode::kForward)
      secinfer::fss::dcf_eval(keys, x, out, BatchOptions{AesImpl::kAuto, 1});
    else
      mark(out, 0xdcf0000);
  }
  void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out) const override {
    ++dpf_calls;
    if (mode_ == Mode::kForward)
      secinfer::fss::dpf_eval(keys, x, out, BatchOptions{AesImpl::kAuto, 1});
    else
      mark(out, 0xd9f0000);
  }
  void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                    std::span<u64> out) const override {
    ++lut_calls;
    if (mode_ == Mode::kForward)
      secinfer::fss::dpf_lut_eval(keys, xhat, table, out, BatchOptions{AesImpl::kAuto, 1});
    else
      mark(out, 0x1070000);
  }
  void dcf_eval_multipoint(const DcfKeys&, std::size_t, std::span<const u64>,
                           std::span<u64>) const override {
    throw std::logic_error("not used by the FSS core (tests/apps covers the fused gates)");
  }

  mutable int dcf_calls = 0, dpf_calls = 0, lut_calls = 0;

 private:
  static void mark(std::span<u64> out, u64 tag) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = tag + i;
  }
  Mode mode_;
};

bool marked(const std::vector<u64>& v, u64 tag) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != tag + i) return false;
  return true;
}

}  // namespace

TEST_CASE("dcf_eval hands the evaluation to BatchOptions::accel", "[fss][accel]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  FakeAccelerator mark(FakeAccelerator::Mode::kMark), fwd(FakeAccelerator::Mode::kForward);
  for (int trial = 0; trial < 12; ++trial) {
    const int n = 1 + static_cast<int>(g() % 64), m = 1 + static_cast<int>(g() % 64);
    const int L = trial % 4 == 3 ? 5 : 1 + trial % 3;
    INFO("n " << n << " m " << m << " L " << L);
    const auto c = make_cases(g, n, m, L, 300);
    SeededPrg rng(random_block(g));
    const auto [k0, k1] = dcf_gen({n, m, L}, c.alpha, c.beta, rng);
    const std::size_t outs = c.x.size() * static_cast<std::size_t>(L);
    for (const DcfKeys* k : {&k0, &k1}) {
      std::vector<u64> cpu(outs), via_fwd(outs), via_mark(outs);
      dcf_eval(*k, c.x, cpu, BatchOptions{AesImpl::kAuto, 2});
      dcf_eval(*k, c.x, via_fwd, BatchOptions{AesImpl::kAuto, 2, &fwd});
      dcf_eval(*k, c.x, via_mark, BatchOptions{AesImpl::kAuto, 2, &mark});
      CHECK(via_fwd == cpu);
      CHECK(marked(via_mark, 0xdcf0000));
    }
  }
  CHECK(mark.dcf_calls == 24);
  CHECK(fwd.dcf_calls == 24);
  CHECK(mark.dpf_calls + mark.lut_calls + fwd.dpf_calls + fwd.lut_calls == 0);
}

TEST_CASE("dpf_eval and dpf_lut_eval hand the evaluation to BatchOptions::accel", "[fss][accel]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  FakeAccelerator mark(FakeAccelerator::Mode::kMark), fwd(FakeAccelerator::Mode::kForward);
  for (int trial = 0; trial < 8; ++trial) {
    // Point evaluation on any domain, the LUT on tables of 2^1 .. 2^10 entries.
    const int n = 1 + static_cast<int>(g() % 64), m = 1 + static_cast<int>(g() % 64);
    const int k = 1 + static_cast<int>(g() % 10);
    INFO("n " << n << " m " << m << " lut bits " << k);
    const auto c = make_cases(g, n, m, 1, 200);
    SeededPrg rng(random_block(g));
    const auto [p0, p1] = dpf_gen({n, m}, c.alpha, c.beta, rng);
    for (const DpfKeys* key : {&p0, &p1}) {
      std::vector<u64> cpu(c.x.size()), via_fwd(c.x.size()), via_mark(c.x.size());
      dpf_eval(*key, c.x, cpu);
      dpf_eval(*key, c.x, via_fwd, BatchOptions{AesImpl::kAuto, 0, &fwd});
      dpf_eval(*key, c.x, via_mark, BatchOptions{AesImpl::kAuto, 0, &mark});
      CHECK(via_fwd == cpu);
      CHECK(marked(via_mark, 0xd9f0000));
    }
    const auto lc = make_cases(g, k, m, 1, 64);
    const std::vector<u64> ones(lc.alpha.size(), 1);
    const auto [l0, l1] = dpf_gen({k, m}, lc.alpha, ones, rng);
    std::vector<u64> table(std::size_t{1} << k);
    for (auto& t : table) t = g();
    for (const DpfKeys* key : {&l0, &l1}) {
      std::vector<u64> cpu(lc.x.size()), via_fwd(lc.x.size()), via_mark(lc.x.size());
      dpf_lut_eval(*key, lc.x, table, cpu);
      dpf_lut_eval(*key, lc.x, table, via_fwd, BatchOptions{AesImpl::kAuto, 0, &fwd});
      dpf_lut_eval(*key, lc.x, table, via_mark, BatchOptions{AesImpl::kAuto, 0, &mark});
      CHECK(via_fwd == cpu);
      CHECK(marked(via_mark, 0x1070000));
    }
  }
  CHECK(mark.dpf_calls == 16);
  CHECK(fwd.dpf_calls == 16);
  CHECK(mark.lut_calls == 16);
  CHECK(fwd.lut_calls == 16);
  CHECK(mark.dcf_calls + fwd.dcf_calls == 0);
}

TEST_CASE("the accelerator only sees checked arguments", "[fss][accel]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  FakeAccelerator mark(FakeAccelerator::Mode::kMark);
  const BatchOptions opt{AesImpl::kAuto, 1, &mark};
  const int n = 8 + static_cast<int>(g() % 8);
  const auto c = make_cases(g, n, 16, 1, 40);
  SeededPrg rng(random_block(g));
  const auto [d0, d1] = dcf_gen({n, 16, 1}, c.alpha, c.beta, rng);
  const auto [p0, p1] = dpf_gen({n, 16}, c.alpha, c.beta, rng);
  std::vector<u64> out(c.x.size()), short_out(c.x.size() - 1);
  std::vector<u64> high = c.x;
  high[g() % high.size()] = u64{1} << n;  // outside the n-bit domain
  CHECK_THROWS_AS(dcf_eval(d0, c.x, short_out, opt), std::invalid_argument);
  CHECK_THROWS_AS(dcf_eval(d0, high, out, opt), std::invalid_argument);
  CHECK_THROWS_AS(dpf_eval(p1, c.x, short_out, opt), std::invalid_argument);
  CHECK_THROWS_AS(dpf_eval(p1, high, out, opt), std::invalid_argument);
  std::vector<u64> table(std::size_t{1} << n);
  CHECK_THROWS_AS(
      dpf_lut_eval(p0, c.x, std::span<const u64>(table).first(table.size() - 1), out, opt),
      std::invalid_argument);
  DcfKeys bad = d1;
  bad.cw_v.pop_back();
  CHECK_THROWS_AS(dcf_eval(bad, c.x, out, opt), std::invalid_argument);
  CHECK(mark.dcf_calls + mark.dpf_calls + mark.lut_calls == 0);
  // The default options have no accelerator.
  CHECK(BatchOptions{}.accel == nullptr);
  dcf_eval(d0, c.x, out);
  CHECK(mark.dcf_calls == 0);
}

namespace {

// An accelerator that generates SIGMA DCF keys as a bit-identical one would: the CPU's keys from
// the stream position it is handed (seed, first_block), counting the calls. Evaluation is not
// its business.
class SigmaGenAccelerator final : public Accelerator {
 public:
  std::string describe() const override { return "SIGMA DCF generation"; }
  void dcf_eval(const DcfKeys&, std::span<const u64>, std::span<u64>) const override {
    throw std::logic_error("not used");
  }
  void dpf_eval(const DpfKeys&, std::span<const u64>, std::span<u64>) const override {
    throw std::logic_error("not used");
  }
  void dpf_lut_eval(const DpfKeys&, std::span<const u64>, std::span<const u64>,
                    std::span<u64>) const override {
    throw std::logic_error("not used");
  }
  void dcf_eval_multipoint(const DcfKeys&, std::size_t, std::span<const u64>,
                           std::span<u64>) const override {
    throw std::logic_error("not used");
  }
  std::optional<std::pair<SigmaDcfKeys, SigmaDcfKeys>> sigma_dcf_gen(
      int in_bits, std::span<const u64> alpha, Block seed, u64 first_block) const override {
    ++calls;
    SeededPrg rng(seed);
    rng.skip_blocks(first_block);
    return secinfer::fss::sigma_dcf_gen(in_bits, alpha, rng, BatchOptions{AesImpl::kAuto, 1});
  }
  mutable int calls = 0;
};

}  // namespace

TEST_CASE("sigma_dcf_gen asks BatchOptions::accel for tables and trees; the stream moves alike",
          "[fss][accel]") {
  const auto seed = fresh_seed();
  INFO("seed " << seed);
  std::mt19937_64 g(seed);
  SigmaGenAccelerator accel;
  int asked = 0;
  // Truth tables (n <= 7: a block of the stream a key) and trees (two blocks a key).
  for (const int n : {1, 6, 7, 8, 12, 38, 64}) {
    INFO("n " << n);
    std::vector<u64> alpha(257);
    for (u64& a : alpha) a = n == 64 ? g() : g() & ((u64{1} << n) - 1);
    alpha[0] = 0;
    alpha[1] = n == 64 ? ~u64{0} : (u64{1} << n) - 1;
    const Block key = random_block(g);
    SeededPrg cpu_rng(key), accel_rng(key);
    cpu_rng.skip_blocks(g() % 100);
    accel_rng.skip_blocks(cpu_rng.next_counter());
    const auto want = sigma_dcf_gen(n, alpha, cpu_rng, BatchOptions{AesImpl::kAuto, 1});
    const auto got = sigma_dcf_gen(n, alpha, accel_rng, BatchOptions{AesImpl::kAuto, 1, &accel});
    ++asked;
    CHECK(accel.calls == asked);
    const auto words = [](const auto& v) { return std::vector(v.begin(), v.end()); };
    for (int p = 0; p < 2; ++p) {
      const SigmaDcfKeys& w = p == 0 ? want.first : want.second;
      const SigmaDcfKeys& k = p == 0 ? got.first : got.second;
      CHECK(k.party == p);
      CHECK(words(k.table) == words(w.table));
      CHECK(words(k.root) == words(w.root));
      CHECK(words(k.cw_seed) == words(w.cw_seed));
      CHECK(words(k.cw_tr) == words(w.cw_tr));
      CHECK(words(k.leaf0) == words(w.leaf0));
      CHECK(words(k.leaf1) == words(w.leaf1));
    }
    CHECK(accel_rng.next_counter() == cpu_rng.next_counter());
    CHECK(accel_rng.next_block() == cpu_rng.next_block());
  }
  // No keys, no call.
  SeededPrg rng(random_block(g));
  sigma_dcf_gen(6, std::vector<u64>{}, rng, BatchOptions{AesImpl::kAuto, 1, &accel});
  CHECK(accel.calls == asked);
}
