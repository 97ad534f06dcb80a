#include "fss/gates/fusefss/suf_gate.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/accelerator.h"
#include "fss/batch_options.h"
#include "fss/dcf.h"
#include "fss/gates/fusefss/lookup_combine.h"
#include "fss/gates/fusefss/multipoint_dcf.h"
#include "fss/parallel.h"
#include "fss/uninit_vector.h"
#include "profiling/scope.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::fusefss {
namespace {

// Whether the GPU's shared-mask pass takes a gate of payload W and degree + 1 = d1 (its local
// arrays hold at most cuda::kSharedMaskMaxPayload words; shared_mask_gate_tables refuses more).
bool fits_gpu_tables(std::size_t W, std::size_t d1) {
  const auto limit = static_cast<std::size_t>(cuda::kSharedMaskMaxPayload);
  return W <= limit && d1 <= limit;
}

using compile::Atom;
using compile::InstanceKey;

constexpr int kCountBits = 16;  // per-element counts under Padding::kOff

void check_gate(const SufGate& g, const Ring& ring, std::size_t in, std::size_t out,
                const char* what) {
  if (g.n != ring.bits)
    throw std::invalid_argument(std::string(what) + ": gate '" + g.name +
                                "' was compiled for n = " + std::to_string(g.n) +
                                " but the engine ring has " + std::to_string(ring.bits) +
                                " bits; compile it for this ring");
  if (in != out)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(in) + " inputs but " +
                                std::to_string(out) + " outputs");
  if (g.intervals() >= (std::size_t{1} << kCountBits))
    throw std::invalid_argument(std::string(what) + ": gate '" + g.name +
                                "' has too many intervals");
}

// Atom widths present in a gate (n for LT, f for LTLOW), ascending: one DCF batch per width.
std::vector<int> atom_widths(const SufGate& g) {
  std::vector<int> w;
  for (const compile::HelperTerm& h : g.helpers)
    for (auto [pi, sign] : h.preds) {
      (void)sign;
      const compile::Predicate& p = g.preds[static_cast<std::size_t>(pi)];
      w.push_back(p.kind == compile::Predicate::Kind::kLt ? g.n : p.low_bits);
    }
  std::sort(w.begin(), w.end());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  return w;
}

int helper_width(const SufGate& g) {
  return static_cast<int>(2 * g.helpers.size());
}

// Local Horner on the public x^ (mod 2^H): sum_i c_i x^^i.
u64 horner(const Ring& rh, std::span<const u64> c, std::size_t d1, u64 xhat) {
  u64 v = 0;
  for (std::size_t k = d1; k-- > 0;) v = rh.add(rh.mul(v, xhat), c[k]);
  return v;
}

void check_mode(const SufGate& g, LookupMode mode, const char* what) {
  if (mode == LookupMode::kSharedMask && !compile::supports_shared_mask(g))
    throw std::invalid_argument(std::string(what) + ": gate '" + g.name +
                                "' needs the per-cut lookup (H > n or LTLOW helpers)");
}

}  // namespace

std::size_t chunk_elements(const SufGate& g, LookupMode mode) {
  // Shared mask: one key per element; large chunks keep a GPU busy (a chunk is one multipoint
  // launch: 2^18 keys fill an H100, 2,978 did not: 1.1 M vs 23 M keys/s). Per cut: m keys per
  // element, 32768 keys a chunk.
  if (mode == LookupMode::kSharedMask) return std::size_t{1} << 18;
  const std::size_t per = std::max<std::size_t>(g.intervals(), 1);
  return std::max<std::size_t>(1, 32768 / per);
}

void suf_keygen(engine::Dealer& d, const SufGate& g, Padding padding, std::uint32_t tag,
                std::span<const u64> r_in, std::span<u64> r_out, LookupMode mode) {
  const Ring rn = d.ring();
  check_gate(g, rn, r_in.size(), r_out.size(), "fusefss keygen");
  check_mode(g, mode, "fusefss keygen");
  const Ring rh{g.poly_bits};
  const std::size_t N = r_in.size();
  const int L = g.payload_len();
  const int T2 = helper_width(g);
  const int s = g.shift;
  d.begin(tag, N);
  d.random(r_out);
  // The opening mask of round 1: r_v in Z_{2^H} (or r_out itself when there is no ARS).
  std::vector<u64> r_v(N);
  if (s > 0)
    d.random(r_v, g.poly_bits);
  else
    std::copy(r_out.begin(), r_out.end(), r_v.begin());
  // One dummy threshold per element, drawn whether or not it is needed (same stream either way).
  UninitVector<u64> dummy(N);
  d.random(dummy);
  const std::vector<int> widths = atom_widths(g);
  const std::size_t chunk = chunk_elements(g, mode);

  for (std::size_t c0 = 0; c0 < N; c0 += chunk) {
    const std::size_t c1 = std::min(N, c0 + chunk);
    if (mode == LookupMode::kSharedMask) {
      // One DCF key per element at alpha = r, payload V = powers of -r; V and r_v shared.
      const int W = compile::shared_mask_payload(g);
      std::vector<u64> alpha(r_in.begin() + static_cast<std::ptrdiff_t>(c0),
                             r_in.begin() + static_cast<std::ptrdiff_t>(c1));
      std::vector<u64> beta;
      for (u64 r : alpha) {
        const auto v = compile::shared_mask_payload_vector(g, r);
        beta.insert(beta.end(), v.begin(), v.end());
      }
      {
        profiling::Scope sc(profiling::scopes::kPackedCompare);
        d.dcf({g.n, g.n, W}, alpha, beta);
      }
      profiling::Scope sc(profiling::scopes::kIntervalLookup);
      d.share(beta);
      d.share(std::span<const u64>(r_v).subspan(c0, c1 - c0));
      continue;
    }
    // Each instance depends only on its own masks: compiled on the dealer's threads, 8 a range
    // (an instance is tens of microseconds of work).
    std::vector<InstanceKey> inst(c1 - c0);
    d.for_range(c1 - c0, 8, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i)
        inst[i] = compile::compile_instance(g, r_in[c0 + i], r_v[c0 + i], padding, dummy[c0 + i]);
    });
    if (padding == Padding::kOff) {
      // The mask-dependent shape travels in clear: this is what padding prevents.
      std::vector<u64> counts;
      for (const InstanceKey& k : inst) {
        counts.push_back(k.lookup_alpha.size());
        counts.push_back(k.atoms.size());
      }
      d.write_public(counts, kCountBits);
    }
    {
      profiling::Scope sc(profiling::scopes::kIntervalLookup);
      std::vector<u64> alpha, beta, base;
      std::size_t thresholds = 0;
      for (const InstanceKey& k : inst) thresholds += k.lookup_alpha.size();
      alpha.reserve(thresholds);
      beta.reserve(thresholds * static_cast<std::size_t>(L));
      base.reserve(inst.size() * static_cast<std::size_t>(L));
      for (const InstanceKey& k : inst) {
        alpha.insert(alpha.end(), k.lookup_alpha.begin(), k.lookup_alpha.end());
        beta.insert(beta.end(), k.lookup_beta.begin(), k.lookup_beta.end());
        base.insert(base.end(), k.lookup_base.begin(), k.lookup_base.end());
      }
      d.dcf({g.n, g.poly_bits, L}, alpha, beta);
      d.share(base, g.poly_bits);
    }
    if (T2 > 0) {
      profiling::Scope sc(profiling::scopes::kPackedCompare);
      for (int w : widths) {
        std::vector<u64> alpha, beta;
        for (const InstanceKey& k : inst)
          for (std::size_t a = 0; a < k.atoms.size(); ++a) {
            if (k.atoms[a].bits != w) continue;
            alpha.push_back(k.atoms[a].threshold);
            beta.insert(beta.end(), k.atom_beta.begin() + static_cast<std::ptrdiff_t>(a * T2),
                        k.atom_beta.begin() + static_cast<std::ptrdiff_t>((a + 1) * T2));
          }
        d.dcf({w, g.n, T2}, alpha, beta);
      }
      std::vector<u64> base;
      for (const InstanceKey& k : inst)
        base.insert(base.end(), k.atom_base.begin(), k.atom_base.end());
      d.share(base);
    }
  }

  if (s > 0) {
    profiling::Scope sc(profiling::scopes::kPostProcess);
    const u64 smask = ring_mask(s);
    for (std::size_t c0 = 0; c0 < N; c0 += chunk) {
      const std::size_t c1 = std::min(N, c0 + chunk);
      std::vector<u64> alpha(c1 - c0), msb(c1 - c0), cst(c1 - c0);
      const u64 beta[] = {rn.mask()};  // one payload for every key (fss/dcf.h)
      for (std::size_t i = c0; i < c1; ++i) {
        alpha[i - c0] = r_v[i] & smask;
        msb[i - c0] = rn.reduce(rh.msb(r_v[i]) << (g.poly_bits - s));
        cst[i - c0] = rn.sub(r_out[i], rn.reduce(r_v[i] >> s));
      }
      d.dcf({s, g.n, 1}, alpha, beta);  // payload -1: shares of -carry
      d.share(msb);
      d.share(cst);
    }
  }
}

void suf_keygen(engine::Dealer& d, const SufGate& g, Padding padding, std::uint32_t tag,
                std::span<const u64> r_in, std::span<u64> r_out) {
  suf_keygen(d, g, padding, tag, r_in, r_out, compile::default_lookup(g));
}

void suf_eval(engine::Party& p, const SufGate& g, Padding padding, std::uint32_t tag,
              std::span<const u64> xhat, std::span<u64> yhat) {
  suf_eval(p, g, padding, tag, xhat, yhat, compile::default_lookup(g));
}

void suf_eval(engine::Party& p, const SufGate& g, Padding padding, std::uint32_t tag,
              std::span<const u64> xhat, std::span<u64> yhat, LookupMode mode) {
  std::vector<u64> host_x;
  xhat = p.on_host(xhat, host_x);  // read on the host below
  const Ring rn = p.ring();
  check_gate(g, rn, xhat.size(), yhat.size(), "fusefss eval");
  check_mode(g, mode, "fusefss eval");
  const Ring rh{g.poly_bits};
  const std::size_t N = xhat.size();
  const std::size_t L = static_cast<std::size_t>(g.payload_len());
  const std::size_t d1 = static_cast<std::size_t>(g.degree + 1);
  const std::size_t T2 = static_cast<std::size_t>(helper_width(g));
  const int s = g.shift;
  const bool p0 = p.id() == 0;
  const BatchOptions opt = p.batch_options();  // threads and accelerator
  p.keys().expect_record(tag, N);
  const std::vector<int> widths = atom_widths(g);
  const std::size_t chunk = chunk_elements(g, mode);
  const std::size_t m_pad = compile::padded_thresholds(g);
  const std::size_t a_pad = compile::padded_atoms(g);

  std::vector<u64> v(N);     // share of P(x) + r_v  (mod 2^H)
  std::vector<u64> rest(N);  // share of konst + helper terms (mod 2^n), added after the ARS
  for (std::size_t c0 = 0; c0 < N; c0 += chunk) {
    const std::size_t c1 = std::min(N, c0 + chunk), cn = c1 - c0;
    if (mode == LookupMode::kSharedMask) {
      const std::size_t W = static_cast<std::size_t>(compile::shared_mask_payload(g));
      const std::vector<u64> offs = compile::shared_mask_offsets(g);
      const std::size_t P = offs.size();
      std::vector<u64> prod;  // [element][offset][W]
      std::vector<u64> vsh(cn * W), rv(cn);
      // All comparison atoms: the element's key at every public point x^ - p (one walk of each
      // key's tree over the union of its points' paths: multipoint_dcf.h).
      const auto packed_compare = [&](const DcfKeys& keys) {
        prod.resize(cn * P * W);
        std::vector<u64> x(cn * P);
        for (std::size_t i = 0; i < cn; ++i)
          for (std::size_t k = 0; k < P; ++k) x[i * P + k] = rn.sub(xhat[c0 + i], offs[k]);
        dcf_eval_multipoint(keys, P, x, prod, opt);
      };
      if (opt.accel != nullptr && fits_gpu_tables(W, d1)) {
        // On the accelerator the three steps run as one pass (one kernel: the compare's outputs
        // never leave the device), so they share one scope.
        profiling::Scope sc(profiling::scopes::kFusedLookup);
        const DcfKeys keys = p.read_dcf({g.n, g.n, static_cast<int>(W)}, cn);
        p.read_shares(vsh);
        p.read_shares(rv);
        if (opt.accel->shared_mask_eval(keys, shared_mask_gate_tables(g), xhat.subspan(c0, cn), vsh,
                                        rv, std::span<u64>(v).subspan(c0, cn),
                                        std::span<u64>(rest).subspan(c0, cn)))
          continue;
        packed_compare(keys);
      } else {
        {
          profiling::Scope sc(profiling::scopes::kPackedCompare);
          packed_compare(p.read_dcf({g.n, g.n, static_cast<int>(W)}, cn));
        }
        profiling::Scope sc(profiling::scopes::kIntervalLookup);
        p.read_shares(vsh);
        p.read_shares(rv);
      }
      std::vector<compile::SharedMaskShares> sh(cn);
      // Both per-element steps are pure functions of the element's inputs: split over the party's
      // threads (each range writes only its own elements, so the bits never depend on it).
      constexpr std::size_t kGrain = 4096;
      {
        profiling::Scope sc(profiling::scopes::kIntervalLookup);
        parallel_for(cn, kGrain, p.threads(), [&](std::size_t b, std::size_t e) {
          for (std::size_t i = b; i < e; ++i)
            sh[i] = compile::shared_mask_combine(
                g, xhat[c0 + i], std::span<const u64>(prod).subspan(i * P * W, P * W),
                std::span<const u64>(vsh).subspan(i * W, W), p0);
        });
      }
      profiling::Scope sc(profiling::scopes::kHorner);
      parallel_for(cn, kGrain, p.threads(), [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
          const SharedMaskLocal loc = shared_mask_local(g, sh[i], xhat[c0 + i], rv[i]);
          v[c0 + i] = loc.v;
          rest[c0 + i] = loc.rest;
        }
      });
      continue;
    }
    // Per-element counts: fixed under padding, read from the key under kOff.
    std::vector<u64> nthr(cn, m_pad), natom(cn, a_pad);
    if (padding == Padding::kOff) {
      std::vector<u64> counts(2 * cn);
      p.read_shares(counts, kCountBits);
      for (std::size_t i = 0; i < cn; ++i) {
        nthr[i] = counts[2 * i];
        natom[i] = counts[2 * i + 1];
      }
    }
    std::vector<u64> coef(cn * L);
    {
      profiling::Scope sc(profiling::scopes::kIntervalLookup);
      std::size_t total = 0;
      for (u64 c : nthr) total += c;
      const DcfShape shape{g.n, g.poly_bits, static_cast<int>(L)};
      const DcfKeys keys = p.read_dcf(shape, total);
      std::vector<u64> x(total), out(total * L);
      for (std::size_t i = 0, k = 0; i < cn; ++i)
        for (u64 t = 0; t < nthr[i]; ++t) x[k++] = xhat[c0 + i];
      if (total) dcf_eval(keys, x, out, opt);
      p.read_shares(coef, g.poly_bits);  // the base
      for (std::size_t i = 0, k = 0; i < cn; ++i)
        for (u64 t = 0; t < nthr[i]; ++t, ++k)
          for (std::size_t e = 0; e < L; ++e)
            coef[i * L + e] = rh.add(coef[i * L + e], out[k * L + e]);
    }
    std::vector<u64> hsum(cn * T2);
    if (T2 > 0) {
      profiling::Scope sc(profiling::scopes::kPackedCompare);
      // Atoms of element i in key order; under padding the widths follow the gate's fixed list.
      for (int w : widths) {
        std::vector<u64> x;
        std::vector<std::size_t> owner;
        if (padding == Padding::kOn) {
          for (std::size_t i = 0; i < cn; ++i)
            for (const compile::HelperTerm& h : g.helpers)
              for (auto [pi, sign] : h.preds) {
                (void)sign;
                const compile::Predicate& pr = g.preds[static_cast<std::size_t>(pi)];
                const int bits = pr.kind == compile::Predicate::Kind::kLt ? g.n : pr.low_bits;
                if (bits != w) continue;
                for (int twice = 0; twice < 2; ++twice) {
                  x.push_back(xhat[c0 + i] & ring_mask(w));
                  owner.push_back(i);
                }
              }
        } else {
          // kOff: one width per gate is all this layout supports (our gates have one).
          if (widths.size() != 1)
            throw std::logic_error("fusefss eval: padding off supports one atom width per gate");
          for (std::size_t i = 0; i < cn; ++i)
            for (u64 a = 0; a < natom[i]; ++a) {
              x.push_back(xhat[c0 + i] & ring_mask(w));
              owner.push_back(i);
            }
        }
        const DcfKeys keys = p.read_dcf({w, g.n, static_cast<int>(T2)}, x.size());
        std::vector<u64> out(x.size() * T2);
        if (!x.empty()) dcf_eval(keys, x, out, opt);
        for (std::size_t k = 0; k < x.size(); ++k)
          for (std::size_t e = 0; e < T2; ++e)
            hsum[owner[k] * T2 + e] = rn.add(hsum[owner[k] * T2 + e], out[k * T2 + e]);
      }
      std::vector<u64> base(cn * T2);
      p.read_shares(base);
      for (std::size_t e = 0; e < base.size(); ++e) hsum[e] = rn.add(hsum[e], base[e]);
    }
    {
      profiling::Scope sc(profiling::scopes::kHorner);
      for (std::size_t i = 0; i < cn; ++i) {
        const u64 xh = xhat[c0 + i];
        v[c0 + i] = horner(rh, std::span<const u64>(coef).subspan(i * L, d1), d1, rh.reduce(xh));
        u64 r = g.direct_const ? rn.reduce(coef[i * L + d1]) : 0;
        for (std::size_t h = 0; h < g.helpers.size(); ++h) {
          // (alpha + beta x) bit = alpha bit + beta (x^ bit - r bit).
          const u64 bit = hsum[i * T2 + 2 * h], rbit = hsum[i * T2 + 2 * h + 1];
          const u64 xb = rn.sub(rn.mul(rn.reduce(xh), bit), rbit);
          r = rn.add(r, rn.add(rn.mul(g.helpers[h].alpha, bit), rn.mul(g.helpers[h].beta, xb)));
        }
        rest[c0 + i] = r;
      }
    }
  }

  if (s == 0) {
    profiling::Scope sc(profiling::scopes::kHorner);
    for (std::size_t i = 0; i < N; ++i) v[i] = rn.add(rn.reduce(v[i]), rest[i]);
    p.open(v, yhat);
    return;
  }
  {
    profiling::Scope sc(profiling::scopes::kHorner);
    p.open(v, v, g.poly_bits);  // v^ = P(x) + r_v, round 1
  }
  profiling::Scope sc(profiling::scopes::kPostProcess);
  const int H = g.poly_bits;
  const u64 smask = ring_mask(s);
  const u64 gap = u64{1} << (H - 2);
  for (std::size_t c0 = 0; c0 < N; c0 += chunk) {
    const std::size_t c1 = std::min(N, c0 + chunk), cn = c1 - c0;
    const DcfKeys keys = p.read_dcf({s, g.n, 1}, cn);
    std::vector<u64> vp(cn), low(cn), carry(cn), msb(cn), cst(cn);
    for (std::size_t i = 0; i < cn; ++i) {
      vp[i] = rh.add(v[c0 + i], gap);  // v'^
      low[i] = vp[i] & smask;
    }
    dcf_eval(keys, low, carry, opt);
    p.read_shares(msb);
    p.read_shares(cst);
    for (std::size_t i = 0; i < cn; ++i) {
      u64 y = rn.add(carry[i], cst[i]);
      if (!rh.msb(vp[i])) y = rn.add(y, msb[i]);
      if (p0) y = rn.add(y, rn.sub(rn.reduce(vp[i] >> s), rn.reduce(u64{1} << (H - 2 - s))));
      yhat[c0 + i] = rn.add(y, rest[c0 + i]);
    }
  }
  p.open(yhat, yhat);  // y^ = y + r_out, round 2
}

}  // namespace secinfer::fss::fusefss
