// gpu_check's vector-Space cases (fss/vec/vec.h): the CUDA Space (vec_space_cuda.h) against the
// host Space on the same inputs, op by op (combine over random terms and every width, the
// openings' pack / unpack_add, the DCF on device points), then the gates written over the
// vocabulary run by two parties with their vectors on the device against the same gates on the
// CPU (fusefss's DCF truncations), both parties' opened outputs bit for bit.
#pragma once

#include <cstddef>
#include <random>
#include <string>
#include <vector>

#include "fss/cuda/accelerator_cuda.h"
#include "fss/cuda/tools/check_util.h"
#include "fss/cuda/tools/fused_act_check.h"
#include "fss/dcf.h"
#include "fss/gates/fusefss/dcf_trunc.h"
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
  };
  for (const Gate& gate : gates) {
    const int n = 50;
    std::vector<u64> x(N);
    for (std::size_t i = 0; i < N; ++i) x[i] = i % 2 == 0 ? random_bits(g, n) : random_bits(g, 30);
    const Block seed{g(), g()};
    t.run(std::string("vec gate ") + gate.name + " N=" + std::to_string(N) +
              ": device vectors == CPU",
          [&] {
            const FusedActRun cpu = run_fused_act(gate.keygen, gate.eval, x, n, seed, nullptr);
            const FusedActRun gpu = run_fused_act(gate.keygen, gate.eval, x, n, seed, &accel);
            return join({{"party 0", diff(cpu.yhat[0], gpu.yhat[0])},
                         {"party 1", diff(cpu.yhat[1], gpu.yhat[1])},
                         {"outputs", diff(cpu.y, gpu.y)}});
          });
  }
}

}  // namespace secinfer::fss::cuda::tools
