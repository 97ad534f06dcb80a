// Masked Beaver-style products (SIGMA, Gupta et al. PoPETs 2024, section 4 "Linear layers"; the
// dealer's correlations as in EzPC GPU-MPC fss/gpu_matmul.cu / gpu_mul.cu: shares of the input
// masks and of the product of the masks plus the output mask).
#include "fss/gates/sigma/linear.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/accelerator.h"
#include "fss/gates/sigma/ring_matmul.h"
#include "fss/uninit_vector.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::sigma {

namespace {

constexpr std::uint32_t kTagMatmul = engine::key_tag("MMUL");
constexpr std::uint32_t kTagWeightShares = engine::key_tag("WSHR");
constexpr std::uint32_t kTagMul = engine::key_tag("MULE");
constexpr std::uint32_t kTagMulRow = engine::key_tag("MULR");
constexpr std::uint32_t kTagSquare = engine::key_tag("SQR_");

void check_sizes(const char* op, std::size_t a, std::size_t b, std::size_t c) {
  if (a != b || a != c) {
    throw std::invalid_argument(std::string(op) + ": spans of different lengths (" +
                                std::to_string(a) + ", " + std::to_string(b) + ", " +
                                std::to_string(c) + ")");
  }
}

struct MmDims {
  std::size_t na, nb, nc, a_stride, b_stride, c_stride;
};

MmDims dims(const MatmulShape& s, std::size_t a, std::size_t b, std::size_t c) {
  MmDims d{s.batches * s.m * s.k,      (s.shared_b ? 1 : s.batches) * s.k * s.n,
           s.batches * s.m * s.n,      s.m * s.k,
           s.shared_b ? 0 : s.k * s.n, s.m * s.n};
  if (s.batches == 0 || s.m == 0 || s.k == 0 || s.n == 0 || a != d.na || b != d.nb || c != d.nc) {
    throw std::invalid_argument("matmul: spans of " + std::to_string(a) + ", " + std::to_string(b) +
                                ", " + std::to_string(c) +
                                " elements do not match the shape (needs " + std::to_string(d.na) +
                                ", " + std::to_string(d.nb) + ", " + std::to_string(d.nc) + ")");
  }
  if (s.causal && s.m != s.n) throw std::invalid_argument("matmul: causal needs m == n");
  return d;
}

// How many entries of C exist: all, or the lower triangle of each batch when causal.
std::size_t live_count(const MatmulShape& s) {
  return s.batches * (s.causal ? s.m * (s.m + 1) / 2 : s.m * s.n);
}

// Entries of C that exist: all, or the lower triangle of each batch when causal (as ring words:
// the positions vec::Space::gather reads).
std::vector<u64> live_entries(const MatmulShape& s) {
  std::vector<u64> idx;
  idx.reserve(s.batches * s.m * s.n);
  for (std::size_t b = 0; b < s.batches; ++b)
    for (std::size_t i = 0; i < s.m; ++i)
      for (std::size_t j = 0; j < (s.causal ? i + 1 : s.n); ++j)
        idx.push_back((b * s.m + i) * s.n + j);
  return idx;
}

// c = A_b B_b for every batch (per MatmulShape), mod 2^bits (ring_matmul.h: cache-blocked,
// multithreaded, the same bits for every kernel and thread count), on `accel` when it has a ring
// matmul (bit-identical: fss/accelerator.h). c must be zero on entry.
// b_held: the accelerator's copy of b (the dealer's weight mask), or null.
void batched(int bits, const MatmulShape& s, std::span<const u64> a, std::span<const u64> b,
             std::span<u64> c, int threads, const Accelerator* accel = nullptr,
             const ResidentKeys* b_held = nullptr) {
  const RingMatmulShape shape{bits, s.batches, s.m, s.k, s.n, s.transpose_b, s.shared_b, s.causal};
  if (accel != nullptr && accel->ring_matmul(shape, a, Accelerator::Operand{b, b_held}, c)) return;
  detail::RingMatmulArgs g;
  static_cast<RingMatmulShape&>(g) = shape;
  g.threads = threads;
  detail::ring_matmul_batched(g, a, b, c);
}

}  // namespace

// ---------------------------------------------------------------- matmul

void matmul_clear(const ClearCtx& ctx, const MatmulShape& s, std::span<const u64> a,
                  std::span<const u64> b, std::span<u64> c) {
  dims(s, a.size(), b.size(), c.size());
  std::fill(c.begin(), c.end(), 0);
  batched(ctx.ring.bits, s, a, b, c, 0);  // deterministic: all hardware threads
}

void weight_shares_keygen(Dealer& d, std::span<const u64> r_w, const ResidentKeys* r_w_held) {
  d.begin(kTagWeightShares, r_w.size());
  d.share_batch(r_w, 0, r_w_held);  // B-sized: an accelerator holds it, as a product's would be
}

ShareBatch weight_shares_eval(Party& p, std::size_t count) {
  p.keys().expect_record(kTagWeightShares, count);
  return p.read_share_batch(count);
}

void matmul_keygen(Dealer& dl, const MatmulShape& s, std::span<const u64> r_a,
                   std::span<const u64> r_b, std::span<u64> r_c, bool b_shares_dealt,
                   const ResidentKeys* r_b_held) {
  const MmDims d = dims(s, r_a.size(), r_b.size(), r_c.size());
  const Ring ring = dl.ring();
  // Output masks: fresh for every live entry; the causal upper triangle is a public 0. Where
  // every entry lives (not causal) they are drawn into r_c in place: the same stream values.
  const std::vector<u64> live = s.causal ? live_entries(s) : std::vector<u64>{};
  const std::size_t live_n = live_count(s);
  const auto entry = [&](std::size_t i) -> std::size_t { return s.causal ? live[i] : i; };
  dl.begin(kTagMatmul, live_n);
  std::vector<u64> fresh_causal;
  if (s.causal) {
    std::fill(r_c.begin(), r_c.end(), 0);
    fresh_causal = dl.random(live_n);
    dl.for_range(live_n, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) r_c[live[i]] = fresh_causal[i];
    });
  } else {
    dl.random(r_c);
  }
  const std::span<const u64> fresh = s.causal ? std::span<const u64>(fresh_causal) : r_c;
  // The correlation r_A r_B + r_C, shared with party 1's shares drawn from the stream: party 1's
  // inline dealer never reads it and skips the product and its wait for the device, while party
  // 0's makes it on the device, the product included, and waits for nothing there
  // (Accelerator::matmul_correlation_shares). This evens the two inline dealers' work
  // (docs/design/gpu-online-phase.md "The shares on the device").
  constexpr int kDrawn = 1;
  const auto host_corr = [&](std::vector<u64>& corr) -> std::span<const u64> {
    corr.assign(live_n, 0);
    if (!dl.reads_share_values(kDrawn)) return corr;
    std::vector<u64> prod(d.nc, 0);
    batched(ring.bits, s, r_a, r_b, prod, dl.threads(), dl.accelerator(), r_b_held);
    dl.for_range(live_n, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) corr[i] = ring.add(prod[entry(i)], fresh[i]);
    });
    return corr;
  };
  const RingMatmulShape shape{ring.bits, s.batches,     s.m,        s.k,
                              s.n,       s.transpose_b, s.shared_b, s.causal};
  const Accelerator* accel = dl.accelerator();
  const auto on_device = [&](const StreamSlice& slice, bool from_v) {
    const Block seed = dl.rng().seed();
    return from_v
               ? accel->matmul_correlation_shares(shape, r_a, Accelerator::Operand{r_b, r_b_held},
                                                  fresh, seed, slice, ring.bits)
               : accel->seeded_shares(seed, slice, ring.bits, Accelerator::Operand{});
  };
  // The input masks' shares come first in the stream, the correlation's last, wherever it is made.
  dl.share_vec(r_a);
  // B-sized: an accelerator holds it from the offline phase.
  if (!b_shares_dealt) dl.share_batch(r_b, 0, r_b_held);
  if (!dl.share_vec_made_on_device(live_n, 0, kDrawn, on_device, host_corr)) {
    std::vector<u64> corr;
    dl.share_vec(host_corr(corr), 0, kDrawn);
  }
}

void matmul_eval(Party& p, const MatmulShape& s, std::span<const u64> ahat,
                 std::span<const u64> bhat, std::span<u64> chat, const ResidentKeys* bhat_held,
                 const ShareBatch* rb_dealt) {
  const MmDims d = dims(s, ahat.size(), bhat.size(), chat.size());
  const Ring ring = p.ring();
  const std::size_t live_n = live_count(s);
  const vec::Space& sp = p.space();
  if (rb_dealt != nullptr && rb_dealt->count != d.nb)
    throw std::invalid_argument("matmul_eval: the weight's mask shares hold " +
                                std::to_string(rb_dealt->count) + " elements, B has " +
                                std::to_string(d.nb));
  p.keys().expect_record(kTagMatmul, live_n);
  const vec::Vec ra = p.read_shares_vec(d.na);
  ShareBatch rb_read;
  if (rb_dealt == nullptr) rb_read = p.read_share_batch(d.nb);
  const ShareBatch& rb = rb_dealt != nullptr ? *rb_dealt : rb_read;
  vec::Vec corr = p.read_shares_vec(live_n);
  // share = Ahat ([b == 0] Bhat - [r_B]) - [r_A] Bhat + [r_A r_B + r_C]: two local products, on
  // the accelerator where the party's vectors are (the product stays there), else staged
  // through it or on the CPU.
  const RingMatmulShape shape{ring.bits, s.batches,     s.m,        s.k,
                              s.n,       s.transpose_b, s.shared_b, s.causal};
  const Accelerator* accel = p.accelerator();
  // B where it is: a weight held by the accelerator, an activation left in the Space (attention's
  // K and V), or host values.
  const Accelerator::Operand b_op{bhat, bhat_held, p.bound(bhat)},
      rb_op{rb.values, rb.resident.get()};
  vec::Vec acc = sp.make(d.nc);
  if (accel == nullptr || !sp.on_device() ||
      !accel->masked_matmul(shape, p.id(), p.operand(ahat), ra, b_op, rb_op, acc)) {
    std::vector<u64> a_scratch, b_scratch;
    ahat = p.on_host(ahat, a_scratch);
    bhat = p.on_host(bhat, b_scratch);
    const Accelerator::Operand b_host{bhat, bhat_held};
    std::vector<u64> host_ra(d.na), host_acc(d.nc, 0);
    sp.download(ra, host_ra);
    if (accel == nullptr ||
        !accel->masked_matmul(shape, p.id(), ahat, host_ra, b_host, rb_op, host_acc)) {
      require_host_keys(rb.resident, "matmul_eval");
      std::vector<u64> bt(d.nb), t2(d.nc, 0);
      p.for_range(d.nb, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i)
          bt[i] = ring.sub(p.id() == 0 ? bhat[i] : 0, rb.values[i]);
      });
      batched(ring.bits, s, ahat, bt, host_acc, p.threads(), accel);
      batched(ring.bits, s, host_ra, bhat, t2, p.threads(), accel);
      p.for_range(d.nc, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) host_acc[i] = ring.sub(host_acc[i], t2[i]);
      });
    }
    acc = sp.upload(std::move(host_acc));
  }
  if (live_n == d.nc) {  // every entry: opened where the vectors are
    sp.combine(corr, ring.bits, 0, {{.v = &corr}, {.v = &acc}});
    p.open(corr, ring.bits);
    p.result(std::move(corr), chat);
    return;
  }
  // Causal: the lower triangles only, picked and put back where the vectors are (public
  // positions: vec::Space::gather), the entries above the diagonals the public 0.
  const std::vector<u64> live = live_entries(s);
  std::vector<u64> back(d.nc, live.size());
  for (std::size_t i = 0; i < live.size(); ++i) back[live[i]] = i;
  const vec::Vec none = sp.make(0), picked_at = sp.upload(live), back_at = sp.upload(back);
  vec::Vec share = sp.make(live.size());
  sp.gather(acc, none, picked_at, share);
  sp.combine(share, ring.bits, 0, {{.v = &share}, {.v = &corr}});
  p.open(share, ring.bits);
  vec::Vec c = sp.make(d.nc);
  sp.gather(share, none, back_at, c);
  p.result(std::move(c), chat);
}

// ---------------------------------------------------------------- elementwise mul

void mul_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<const u64> y,
               std::span<u64> z) {
  check_sizes("mul", x.size(), y.size(), z.size());
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = ctx.ring.mul(x[i], y[i]);
}

void mul_keygen(Dealer& d, std::span<const u64> r_x, std::span<const u64> r_y, std::span<u64> r_z) {
  check_sizes("mul", r_x.size(), r_y.size(), r_z.size());
  const Ring ring = d.ring();
  d.begin(kTagMul, r_x.size());
  d.random(r_z);
  UninitVector<u64> c(r_x.size());  // written in full below
  d.for_range(c.size(), [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) c[i] = ring.add(ring.mul(r_x[i], r_y[i]), r_z[i]);
  });
  d.share_vec(r_x);
  d.share_vec(r_y);
  d.share_vec(c);
}

vec::Vec mul_eval(Party& p, const vec::Vec& x, const vec::Vec& y) {
  check_sizes("mul", x.size(), y.size(), x.size());
  const std::size_t n = x.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagMul, n);
  const vec::Vec rx = p.read_shares_vec(n), ry = p.read_shares_vec(n), c = p.read_shares_vec(n);
  // c - x^ r_y - r_x y^ (+ x^ y^ for party 0)
  vec::Vec share = sp.make(n);
  sp.combine(share, p.ring().bits, 0,
             {{.v = &c},
              {.v = &ry, .coef = ~u64{0}, .times = &x},
              {.v = &rx, .coef = ~u64{0}, .times = &y},
              {.v = &x, .coef = p.id() == 0 ? 1u : 0u, .times = &y}});
  p.open(share);
  return share;
}

void mul_eval(Party& p, std::span<const u64> xhat, std::span<const u64> yhat, std::span<u64> zhat) {
  check_sizes("mul", xhat.size(), yhat.size(), zhat.size());
  p.result(mul_eval(p, p.operand(xhat), p.operand(yhat)), zhat);
}

// ---------------------------------------------------------------- row-wise mul

namespace {
void check_rowwise(std::size_t cols, std::size_t x, std::size_t y, std::size_t z) {
  if (cols == 0 || x % cols != 0 || x / cols != y || z != x) {
    throw std::invalid_argument("mul_rowwise: x has " + std::to_string(x) + " elements, y " +
                                std::to_string(y) + ", z " + std::to_string(z) +
                                "; need x = z = rows * cols (cols " + std::to_string(cols) +
                                ") and y = rows");
  }
}
}  // namespace

void mul_rowwise_clear(const ClearCtx& ctx, std::size_t cols, std::span<const u64> x,
                       std::span<const u64> y, std::span<u64> z) {
  check_rowwise(cols, x.size(), y.size(), z.size());
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = ctx.ring.mul(x[i], y[i / cols]);
}

void mul_rowwise_keygen(Dealer& d, std::size_t cols, std::span<const u64> r_x,
                        std::span<const u64> r_y, std::span<u64> r_z) {
  check_rowwise(cols, r_x.size(), r_y.size(), r_z.size());
  const Ring ring = d.ring();
  d.begin(kTagMulRow, r_x.size());
  d.random(r_z);
  UninitVector<u64> c(r_x.size());  // written in full below
  // Row by row: no division an element.
  d.for_rows(r_y.size(), cols, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t row = lo; row < hi; ++row)
      for (std::size_t i = row * cols; i < (row + 1) * cols; ++i)
        c[i] = ring.add(ring.mul(r_x[i], r_y[row]), r_z[i]);
  });
  d.share_vec(r_x);
  d.share_vec(r_y);
  d.share_vec(c);
}

void mul_rowwise_eval(Party& p, std::size_t cols, std::span<const u64> xhat,
                      std::span<const u64> yhat, std::span<u64> zhat) {
  check_rowwise(cols, xhat.size(), yhat.size(), zhat.size());
  const std::size_t n = xhat.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagMulRow, n);
  const vec::Vec rx = p.read_shares_vec(n), ry = p.read_shares_vec(yhat.size()),
                 c = p.read_shares_vec(n);
  const vec::Vec x = p.operand(xhat), y = p.operand(yhat);
  // c - x^ r_y[row] - r_x y^[row] (+ x^ y^[row] for party 0)
  vec::Vec share = sp.make(n);
  sp.combine(share, p.ring().bits, 0,
             {{.v = &c},
              {.v = &ry, .repeat = cols, .coef = ~u64{0}, .times = &x},
              {.v = &y, .repeat = cols, .coef = ~u64{0}, .times = &rx},
              {.v = &y, .repeat = cols, .coef = p.id() == 0 ? 1u : 0u, .times = &x}});
  p.open(share);
  p.result(std::move(share), zhat);
}

// ---------------------------------------------------------------- square

void square_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> z) {
  check_sizes("square", x.size(), z.size(), z.size());
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = ctx.ring.mul(x[i], x[i]);
}

void square_keygen(Dealer& d, std::span<const u64> r_x, std::span<u64> r_z) {
  check_sizes("square", r_x.size(), r_z.size(), r_z.size());
  const Ring ring = d.ring();
  d.begin(kTagSquare, r_x.size());
  d.random(r_z);
  std::vector<u64> c(r_x.size());
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = ring.add(ring.mul(r_x[i], r_x[i]), r_z[i]);
  d.share_vec(r_x);
  d.share_vec(c);
}

void square_eval(Party& p, std::span<const u64> xhat, std::span<u64> zhat) {
  check_sizes("square", xhat.size(), zhat.size(), zhat.size());
  const std::size_t n = xhat.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagSquare, n);
  const vec::Vec rx = p.read_shares_vec(n), c = p.read_shares_vec(n);
  const vec::Vec x = p.operand(xhat);
  // (x^ - r)^2 + r_z = x^2 - 2 x^ r + (r^2 + r_z)
  vec::Vec share = sp.make(n);
  sp.combine(share, p.ring().bits, 0,
             {{.v = &c},
              {.v = &rx, .coef = u64{0} - 2, .times = &x},
              {.v = &x, .coef = p.id() == 0 ? 1u : 0u, .times = &x}});
  p.open(share);
  p.result(std::move(share), zhat);
}

}  // namespace secinfer::fss::sigma
