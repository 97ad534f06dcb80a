// gpu_check's vector-Space cases (fss/vec/vec.h): the CUDA Space (vec_space_cuda.h) against the
// host Space on the same inputs, op by op (combine over random terms and every width, terms with
// a cycle, row_sums, swap_axes, the openings' pack / unpack_add, the DCF on device points), then
// the gates written over the vocabulary run by two parties with their vectors on the device against
// the same gates on the CPU (fusefss's DCF truncations), both parties' opened outputs bit for bit.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/cuda/tools/fused_act_check.h"
#include "fss/dcf.h"
#include "fss/dpf_et.h"
#include "fss/gates/fusefss/dcf_trunc.h"
#include "fss/gates/fusefss/fused_nexp.h"
#include "fss/gates/fusefss/trunc_act.h"
#include "fss/gates/fusefss/trunc_floor2.h"
#include "fss/gates/sigma/compare.h"
#include "fss/gates/sigma/nonlinear.h"
#include "fss/gates/sigma/truncate.h"
#include "fss/sigma_dcf.h"
#include "fss/thread_pool.h"
#include "fss/vec/host_space.h"

namespace secinfer::fss::cuda::tools {

inline std::vector<u64> vec_values(const vec::Space& sp, const vec::Vec& v) {
  std::vector<u64> out(v.size());
  sp.download(v, out);
  return out;
}

inline void check_vec_ops(Tally& t, std::mt19937_64& g, std::size_t N) {
  const CudaAccelerator accel(0, KernelConfig{}, 0, /*device_vectors=*/true);
  const vec::Space& dev = *accel.vec_space();
  ThreadPool pool(4);
  const vec::HostSpace host(pool, {});
  std::vector<std::vector<u64>> inputs(4, std::vector<u64>(N));
  for (auto& in : inputs)
    for (u64& x : in) x = random_bits(g, 64);
  std::vector<vec::Vec> hv, dv;
  for (const auto& in : inputs) {
    hv.push_back(host.upload(in));
    dv.push_back(dev.upload(in));
  }
  t.run("vec upload / download N=" + std::to_string(N),
        [&] { return diff(inputs[0], vec_values(dev, dv[0])); });
  std::deque<vec::Vec> records_h, records_d;  // strided terms' vectors (stable addresses)
  for (int trial = 0; trial < 24; ++trial) {
    const int bits = trial < 3 ? (trial == 0   ? 1
                                  : trial == 1 ? 50
                                               : 64)
                               : 1 + static_cast<int>(g() % 64);
    const std::size_t count = 1 + g() % vec::kMaxTerms;
    std::vector<vec::Term> ht, dt;
    std::string desc;
    for (std::size_t k = 0; k < count; ++k) {
      vec::Term a;
      const std::size_t v = g() % 4, times = g() % 4, gate = g() % 4;
      a.add = g() % 2 == 0 ? 0 : g();
      a.shr = static_cast<int>(g() % 64);
      a.width = 1 + static_cast<int>(g() % 64);
      a.coef = g() % 3 == 0 ? ~u64{0} : g();
      const bool use_times = g() % 3 == 0, use_gate = g() % 3 == 0;
      a.gate_bit = static_cast<int>(g() % 64);
      a.gate_when = g() % 2 == 0;
      vec::Term b = a;
      a.v = &hv[v];
      b.v = &dv[v];
      if (use_times) {
        a.times = &hv[times];
        b.times = &dv[times];
      }
      if (use_gate) {
        a.gate = &hv[gate];
        b.gate = &dv[gate];
      }
      ht.push_back(a);
      dt.push_back(b);
    }
    if (trial % 4 == 3) {  // one term reads a field of interleaved records
      const int stride = 2 + static_cast<int>(g() % 5);
      std::vector<u64> rec(N * static_cast<std::size_t>(stride));
      for (u64& x : rec) x = random_bits(g, 64);
      records_h.push_back(host.upload(rec));
      records_d.push_back(dev.upload(rec));
      ht[0].v = &records_h.back();
      dt[0].v = &records_d.back();
      ht[0].stride = dt[0].stride = stride;
      ht[0].offset = dt[0].offset = static_cast<int>(g() % static_cast<u64>(stride));
    }
    if (trial % 4 == 1) {  // one term broadcasts a row's value over `repeat` outputs
      std::size_t repeat = 1;
      for (std::size_t r : {768, 128, 7, 3, 2})
        if (N % r == 0) {
          repeat = r;
          break;
        }
      std::vector<u64> rows(N / repeat);
      for (u64& x : rows) x = random_bits(g, 64);
      records_h.push_back(host.upload(rows));
      records_d.push_back(dev.upload(rows));
      ht[0].v = &records_h.back();
      dt[0].v = &records_d.back();
      ht[0].repeat = dt[0].repeat = repeat;
    }
    const u64 c = g();
    t.run("vec combine N=" + std::to_string(N) + " bits=" + std::to_string(bits) +
              " terms=" + std::to_string(count) + ": CUDA == host",
          [&] {
            vec::Vec ho = host.make(N), d_o = dev.make(N);
            host.combine(ho, bits, c, ht);
            dev.combine(d_o, bits, c, dt);
            return diff(vec_values(host, ho), vec_values(dev, d_o));
          });
  }
  // Terms with a cycle: a row of `cols` values over every row (a bias), a field of interleaved
  // records read `repeat` times within the cycle, with a factor and a gate; over the first whole
  // rows of the inputs (views), so that every cycle length runs whatever N is.
  for (const std::size_t cols : {std::size_t{768}, std::size_t{128}, std::size_t{7}}) {
    const std::size_t n = N / cols * cols;
    if (n == 0) continue;
    for (const std::size_t repeat : {std::size_t{1}, std::size_t{3}, std::size_t{4}}) {
      if (cols % repeat != 0) continue;
      const int stride = 1 + static_cast<int>(g() % 4);
      std::vector<u64> rec(cols / repeat * static_cast<std::size_t>(stride)), bias(cols);
      for (u64& x : rec) x = random_bits(g, 64);
      for (u64& x : bias) x = random_bits(g, 64);
      const int bits = repeat == 1 ? 64 : 1 + static_cast<int>(g() % 64);
      vec::Term a{.stride = stride,
                  .offset = static_cast<int>(g() % static_cast<u64>(stride)),
                  .repeat = repeat,
                  .cycle = cols,
                  .add = g(),
                  .shr = static_cast<int>(g() % 64),
                  .width = 1 + static_cast<int>(g() % 64),
                  .coef = g(),
                  .gate_bit = static_cast<int>(g() % 64)};
      const u64 c = g();
      t.run("vec combine with cycle=" + std::to_string(cols) + " repeat=" + std::to_string(repeat) +
                " stride=" + std::to_string(stride) + " n=" + std::to_string(n) +
                " bits=" + std::to_string(bits) + ": CUDA == host",
            [&] {
              const vec::Vec hr = host.upload(rec), dr = dev.upload(rec);
              const vec::Vec hb = host.upload(bias), db = dev.upload(bias);
              const vec::Vec hx = hv[1].view(0, n), dx = dv[1].view(0, n);
              const vec::Vec hg = hv[2].view(0, n), dg = dv[2].view(0, n);
              vec::Term ha = a, da = a;
              ha.v = &hr;
              ha.times = &hx;
              ha.gate = &hg;
              da.v = &dr;
              da.times = &dx;
              da.gate = &dg;
              const std::vector<vec::Term> ht = {ha, {.v = &hb, .cycle = cols}, {.v = &hx}};
              const std::vector<vec::Term> dt = {da, {.v = &db, .cycle = cols}, {.v = &dx}};
              vec::Vec ho = host.make(n), d_o = dev.make(n);
              host.combine(ho, bits, c, ht);
              dev.combine(d_o, bits, c, dt);
              return diff(vec_values(host, ho), vec_values(dev, d_o));
            });
    }
  }
  // Row sums over the first whole rows of an input, the widths of a model's rows (and 1, and an
  // odd one); random words, so the sums wrap mod 2^64; and rows of all ones.
  for (const std::size_t cols :
       {std::size_t{1}, std::size_t{33}, std::size_t{128}, std::size_t{768}, std::size_t{3072}}) {
    const std::size_t rows = N / cols;
    if (rows == 0) continue;
    for (const int bits : {1, 37, 64}) {
      t.run("vec row_sums rows=" + std::to_string(rows) + " cols=" + std::to_string(cols) +
                " bits=" + std::to_string(bits) + ": CUDA == host",
            [&] {
              const vec::Vec hin = hv[0].view(0, rows * cols), din = dv[0].view(0, rows * cols);
              vec::Vec ho = host.make(rows), d_o = dev.make(rows);
              host.row_sums(hin, cols, bits, ho);
              dev.row_sums(din, cols, bits, d_o);
              return diff(vec_values(host, ho), vec_values(dev, d_o));
            });
    }
  }
  t.run("vec row_sums of all-ones rows (wrapping mod 2^64): CUDA == host", [&] {
    const std::size_t rows = 5, cols = 3072;
    const std::vector<u64> ones(rows * cols, ~u64{0});
    const vec::Vec hin = host.upload(ones), din = dev.upload(ones);
    vec::Vec ho = host.make(rows), d_o = dev.make(rows);
    host.row_sums(hin, cols, 64, ho);
    dev.row_sums(din, cols, 64, d_o);
    return join({{"host", diff(std::vector<u64>(rows, u64{0} - cols), vec_values(host, ho))},
                 {"device", diff(vec_values(host, ho), vec_values(dev, d_o))}});
  });
  // The two middle axes swapped: a transformer's heads split and merged, inner == 1, outer == 1,
  // odd lengths, a single row or column.
  struct Shape {
    std::size_t outer, rows, cols, inner;
  };
  for (const Shape& sh :
       {Shape{1, 128, 12, 64}, Shape{2, 128, 12, 64}, Shape{2, 12, 128, 64}, Shape{1, 512, 384, 1},
        Shape{5, 40, 30, 1}, Shape{4, 7, 9, 33}, Shape{3, 1, 5, 70}, Shape{1, 3, 1, 100000}}) {
    const std::size_t n = sh.outer * sh.rows * sh.cols * sh.inner;
    t.run("vec swap_axes [" + std::to_string(sh.outer) + ", " + std::to_string(sh.rows) + ", " +
              std::to_string(sh.cols) + ", " + std::to_string(sh.inner) + "]: CUDA == host",
          [&] {
            std::vector<u64> in(n);
            for (u64& x : in) x = random_bits(g, 64);
            const vec::Vec hin = host.upload(in), din = dev.upload(in);
            vec::Vec ho = host.make(n), d_o = dev.make(n);
            host.swap_axes(hin, sh.outer, sh.rows, sh.cols, sh.inner, ho);
            dev.swap_axes(din, sh.outer, sh.rows, sh.cols, sh.inner, d_o);
            return diff(vec_values(host, ho), vec_values(dev, d_o));
          });
  }
  // A selection from two sources side by side, the public 0 past them (the causal softmax's
  // ragged rows): with b empty and not, positions in range and past it, the edge of each.
  for (const std::size_t nb : {std::size_t{0}, std::size_t{1000}}) {
    t.run("vec gather from " + std::to_string(N) + " + " + std::to_string(nb) +
              " values: CUDA == host",
          [&] {
            const std::size_t na = N, n = N + 37;
            std::vector<u64> a(na), b(nb), idx(n);
            for (u64& x : a) x = random_bits(g, 64);
            for (u64& x : b) x = random_bits(g, 64);
            for (std::size_t i = 0; i < n; ++i)
              idx[i] = i < 4 ? std::array<u64, 4>{0, na - 1, na + nb, ~u64{0}}[i]
                             : random_bits(g, 64) % (na + nb + 50);
            const vec::Vec ha = host.upload(a), da = dev.upload(a);
            const vec::Vec hb = host.upload(b), db = dev.upload(b);
            const vec::Vec hi = host.upload(idx), di = dev.upload(idx);
            vec::Vec ho = host.make(n), d_o = dev.make(n);
            host.gather(ha, hb, hi, ho);
            dev.gather(da, db, di, d_o);
            std::vector<u64> want(n);
            for (std::size_t i = 0; i < n; ++i)
              want[i] = idx[i] < na ? a[idx[i]] : idx[i] - na < nb ? b[idx[i] - na] : 0;
            return join({{"host", diff(want, vec_values(host, ho))},
                         {"device", diff(vec_values(host, ho), vec_values(dev, d_o))}});
          });
  }
  for (int bits : {1, 12, 37, 50, 64}) {
    t.run("vec pack / unpack_add N=" + std::to_string(N) + " bits=" + std::to_string(bits) +
              ": CUDA == host",
          [&] {
            vec::Vec h = host.upload(inputs[1]), d = dev.upload(inputs[1]);
            std::vector<std::uint8_t> hb(packed_bytes(N, bits)), db(hb.size());
            host.pack(h, bits, hb);
            dev.pack(d, bits, db);
            std::vector<std::uint8_t> peer(hb.size());
            pack_bits(inputs[2], bits, peer);
            host.unpack_add(peer, bits, h);
            dev.unpack_add(peer, bits, d);
            return join(
                {{"packed", diff(hb, db)}, {"sum", diff(vec_values(host, h), vec_values(dev, d))}});
          });
    // The same through page-locked memory from host_bytes (what a party's opening uses), two
    // rounds on the same buffers: the second overwrites what the first's upload read.
    t.run("vec pack / unpack_add via host_bytes N=" + std::to_string(N) +
              " bits=" + std::to_string(bits) + ": CUDA == host",
          [&] {
            vec::Vec h = host.upload(inputs[1]), d = dev.upload(inputs[1]);
            const std::size_t nb = packed_bytes(N, bits);
            const vec::HostBytes mine = dev.host_bytes(nb), theirs = dev.host_bytes(nb);
            std::string out;
            for (int round = 0; round < 2 && out.empty(); ++round) {
              std::vector<std::uint8_t> hb(nb), peer(nb);
              host.pack(h, bits, hb);
              dev.pack(d, bits, mine.first(nb));
              pack_bits(inputs[2 + round], bits, peer);
              std::copy(peer.begin(), peer.end(), theirs.first(nb).begin());
              host.unpack_add(peer, bits, h);
              dev.unpack_add(theirs.first(nb), bits, d);
              const std::span<std::uint8_t> m = mine.first(nb);
              out = join({{"packed", diff(hb, std::vector<std::uint8_t>(m.begin(), m.end()))},
                          {"sum", diff(vec_values(host, h), vec_values(dev, d))}});
            }
            return out;
          });
  }
  for (const int in_bits : {12, 50}) {
    t.run(
        "vec dcf_eval n=" + std::to_string(in_bits) + " N=" + std::to_string(N) + ": CUDA == host",
        [&] {
          std::vector<u64> alpha(N), beta(N), x(N);
          for (std::size_t i = 0; i < N; ++i) {
            alpha[i] = random_bits(g, in_bits);
            beta[i] = random_bits(g, 38);
            x[i] = i % 4 == 0 ? alpha[i] : random_bits(g, in_bits);
          }
          SeededPrg rng(Block{g(), g()});
          const auto keys = dcf_gen(DcfShape{in_bits, 38, 1}, alpha, beta, rng);
          std::string out;
          for (const DcfKeys* k : {&keys.first, &keys.second}) {
            const vec::Vec hx = host.upload(x), dx = dev.upload(x);
            vec::Vec ho = host.make(N), d_o = dev.make(N);
            host.dcf_eval(*k, hx, ho);
            dev.dcf_eval(*k, dx, d_o);
            out += diff(vec_values(host, ho), vec_values(dev, d_o));
          }
          return out;
        });
  }
  for (const int in_bits : {6, 12, 37, 50}) {  // 50: the sigma2 TrFloor's wrap (fusefss)
    // The points as the gates pass them: whole words and an offset each, reduced by the Space.
    t.run("vec sigma_dcf_eval n=" + std::to_string(in_bits) + " N=" + std::to_string(N) +
              " at 3 offset points: CUDA == host",
          [&] {
            std::vector<u64> alpha(N);
            for (u64& a : alpha) a = random_bits(g, in_bits);
            const u64 add[3] = {0, g(), u64{0} - g()};
            std::vector<std::vector<u64>> x(3, std::vector<u64>(N));
            for (std::size_t j = 0; j < 3; ++j)
              for (std::size_t i = 0; i < N; ++i)
                x[j][i] = (i + j) % 4 == 0 ? alpha[i] - add[j] + (g() << in_bits) : g();
            SeededPrg rng(Block{g(), g()});
            const auto keys = sigma_dcf_gen(in_bits, alpha, rng);
            std::string out;
            for (const SigmaDcfKeys* k : {&keys.first, &keys.second}) {
              std::vector<vec::Vec> hp, dp, hb, db;
              for (std::size_t j = 0; j < 3; ++j) {
                hp.push_back(host.upload(x[j]));
                dp.push_back(dev.upload(x[j]));
                hb.push_back(host.make(N));
                db.push_back(dev.make(N));
              }
              const vec::Space::DcfPoint hpp[3] = {
                  {&hp[0], add[0]}, {&hp[1], add[1]}, {&hp[2], add[2]}};
              const vec::Space::DcfPoint dpp[3] = {
                  {&dp[0], add[0]}, {&dp[1], add[1]}, {&dp[2], add[2]}};
              vec::Vec* hbp[3] = {&hb[0], &hb[1], &hb[2]};
              vec::Vec* dbp[3] = {&db[0], &db[1], &db[2]};
              host.sigma_dcf_eval(*k, hpp, hbp);
              dev.sigma_dcf_eval(*k, dpp, dbp);
              for (std::size_t j = 0; j < 3; ++j)
                out += diff(vec_values(host, hb[j]), vec_values(dev, db[j]));
            }
            return out;
          });
  }
  // SIGMA's leaves at k = 8 and the fused GELU's flag index (k = 12), and the fused SiLU's index
  // (k = 13) with its 512-bit leaves.
  for (const auto& [k, leaf_log2] : {std::pair{8, 0}, std::pair{12, 0}, std::pair{13, 2}}) {
    const u64 xor_mask = k == 12 ? u64{0xE00} : k == 13 ? u64{0x1800} : 0;
    t.run("vec dpf_et_lut_eval k=" + std::to_string(k) + " leaf " +
              std::to_string(128 << leaf_log2) + " N=" + std::to_string(N) + ": CUDA == host",
          [&] {
            std::vector<u64> alpha(N), idx(N), table(std::size_t{1} << k);
            for (std::size_t i = 0; i < N; ++i) {
              alpha[i] = random_bits(g, k);
              idx[i] = i % 4 == 0 ? alpha[i] : random_bits(g, k);
            }
            for (u64& v : table) v = random_bits(g, 14);  // a narrow spread: the bit planes
            SeededPrg rng(Block{g(), g()});
            const auto keys = dpf_et_gen(k, alpha, rng, {}, leaf_log2);
            std::string out;
            for (const DpfEtKeys* kk : {&keys.first, &keys.second}) {
              const vec::Vec hi = host.upload(idx), di = dev.upload(idx);
              vec::Vec hs = host.make(N), hc = host.make(N), ds = dev.make(N), dc = dev.make(N);
              host.dpf_et_lut_eval(*kk, hi, table, 50, hs, hc, xor_mask);
              dev.dpf_et_lut_eval(*kk, di, table, 50, ds, dc, xor_mask);
              out += join({{"sum", diff(vec_values(host, hs), vec_values(dev, ds))},
                           {"count", diff(vec_values(host, hc), vec_values(dev, dc))}});
            }
            return out;
          });
  }
}

// A fused gate's face with one of GateArgs' switches set: dcf_trunc (its own DCF truncations) or
// fused_carry_flag (--fusefss-act fused-flag).
template <class Holder,
          void (*F)(Holder&, const engine::GateArgs&, std::span<const u64>, std::span<u64>),
          bool engine::GateArgs::*Flag>
void with_flag(Holder& h, const engine::GateArgs&, std::span<const u64> in, std::span<u64> out) {
  engine::GateArgs a;
  a.*Flag = true;
  F(h, a, in, out);
}

// The DCF truncations with both parties' vectors on the device against the CPU run.
inline void check_vec_gates(Tally& t, std::mt19937_64& g, std::size_t N) {
  const CudaAccelerator accel(0, KernelConfig{}, 0, /*device_vectors=*/true);
  using Face =
      void (*)(engine::Party&, const engine::GateArgs&, std::span<const u64>, std::span<u64>);
  using Gen =
      void (*)(engine::Dealer&, const engine::GateArgs&, std::span<const u64>, std::span<u64>);
  struct Gate {
    const char* name;
    Gen keygen;
    Face eval;
  };
  const Gate gates[] = {
      {"dcf TrFloor(12)",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         fusefss::dcf_trunc_floor_keygen(d, sigma::TruncParams{12, 0, 0}, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         fusefss::dcf_trunc_floor_eval(p, sigma::TruncParams{12, 0, 0}, x, y);
       }},
      {"dcf TrWithSlack(12)",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         fusefss::dcf_trunc_slack_keygen(d, sigma::TruncParams{12, 0, 0}, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         fusefss::dcf_trunc_slack_eval(p, sigma::TruncParams{12, 0, 0}, x, y);
       }},
      {"dcf truncate-reduce(12)",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         fusefss::dcf_trunc_reduce_keygen(d, sigma::TruncParams{12, 0, 0}, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         fusefss::dcf_trunc_reduce_eval(p, sigma::TruncParams{12, 0, 0}, x, y);
       }},
      {"TrFloor(12) from SIGMA's comparison keys (sigma2)",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         fusefss::trunc_floor2_keygen(d, sigma::TruncParams{12, 0, 0}, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         fusefss::trunc_floor2_eval(p, sigma::TruncParams{12, 0, 0}, x, y);
       }},
      // SIGMA's truncations (sigma/truncate.cpp over the vocabulary).
      {"SIGMA TrFloor(12)",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         sigma::trunc_floor_keygen(d, sigma::TruncParams{12, 0, 0}, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         sigma::trunc_floor_eval(p, sigma::TruncParams{12, 0, 0}, x, y);
       }},
      {"SIGMA TrWithSlack(12)",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         sigma::trunc_slack_keygen(d, sigma::TruncParams{12, 0, 0}, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         sigma::trunc_slack_eval(p, sigma::TruncParams{12, 0, 0}, x, y);
       }},
      // SIGMA's ReLU (sigma/compare.cpp: DReLU, then the select), in the ring and in the
      // softmax max's reduced ring of 40 bits.
      {"SIGMA ReLU",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         sigma::relu_keygen(d, r, o);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         sigma::relu_eval(p, x, y);
       }},
      {"SIGMA ReLU in 40 bits",
       [](engine::Dealer& d, const engine::GateArgs&, std::span<const u64> r, std::span<u64> o) {
         sigma::relu_keygen(d, r, o, 40);
       },
       [](engine::Party& p, const engine::GateArgs&, std::span<const u64> x, std::span<u64> y) {
         sigma::relu_eval(p, x, y, 40);
       }},
      // SIGMA's LUT gates (sigma/lut.cpp over the vocabulary) and the fused gate.
      {"sigma GELU", &sigma::gelu_keygen, &sigma::gelu_eval},
      {"sigma SiLU", &sigma::silu_keygen, &sigma::silu_eval},
      {"sigma nExp", &sigma::nexp_keygen, &sigma::nexp_eval},
      // The fused nExp (fusefss/fused_nexp.cpp: the two lookups' product over the vocabulary),
      // with SIGMA's TrWithSlack and with the DCF one.
      {"fused nExp", &fusefss::fused_nexp_keygen, &fusefss::fused_nexp_eval},
      {"fused nExp (DCF truncation)",
       &with_flag<engine::Dealer, &fusefss::fused_nexp_keygen, &engine::GateArgs::dcf_trunc>,
       &with_flag<engine::Party, &fusefss::fused_nexp_eval, &engine::GateArgs::dcf_trunc>},
      {"fused trunc-gelu", &fusefss::trunc_gelu_keygen, &fusefss::trunc_gelu_eval},
      {"fused trunc-silu", &fusefss::trunc_silu_keygen, &fusefss::trunc_silu_eval},
      {"fused trunc-gelu (carry flag)",
       &with_flag<engine::Dealer, &fusefss::trunc_gelu_keygen, &engine::GateArgs::fused_carry_flag>,
       &with_flag<engine::Party, &fusefss::trunc_gelu_eval, &engine::GateArgs::fused_carry_flag>},
  };
  for (const Gate& gate : gates) {
    const int n = 50;
    std::vector<u64> x(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = i % 2 == 0 ? random_bits(g, n) : random_bits(g, 30);
    const Block seed{g(), g()};
    t.run(std::string("vec gate ") + gate.name + " N=" + std::to_string(N) +
              ": device vectors == CPU",
          [&] {
            const engine::GateArgs args;  // the faces set their own
            const FusedActRun cpu =
                run_fused_act(gate.keygen, gate.eval, args, x, n, seed, nullptr);
            const FusedActRun gpu = run_fused_act(gate.keygen, gate.eval, args, x, n, seed, &accel);
            return join({{"party 0", diff(cpu.yhat[0], gpu.yhat[0])},
                         {"party 1", diff(cpu.yhat[1], gpu.yhat[1])},
                         {"outputs", diff(cpu.y, gpu.y)}});
          });
  }
}

}  // namespace secinfer::fss::cuda::tools
