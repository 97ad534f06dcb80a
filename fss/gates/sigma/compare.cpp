// SIGMA's DReLU, select, ReLU and max (Gupta et al., PoPETs 2024, section 4; constructions as in
// EzPC GPU-MPC fss/gpu_relu.cu, gpu_select.cu: DReLU from one comparison on the low n-1 bits,
// opened under a one-bit mask; select with a five-element key; max as a tree of ReLU(a - b) + b).
#include "fss/gates/sigma/compare.h"

#include <bit>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/narrow_ring.h"
#include "fss/gates/sigma/nl_prims.h"
#include "fss/sigma_dcf.h"
#include "fss/uninit_vector.h"
#include "fss/vec/vec.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::sigma {

namespace {

constexpr std::uint32_t kTagDrelu = engine::key_tag("DRLU");
constexpr std::uint32_t kTagSelect = engine::key_tag("SLCT");

void check_len(const char* gate, std::size_t a, std::size_t b) {
  if (a != b) {
    throw std::invalid_argument(std::string(gate) + ": spans differ in length (" +
                                std::to_string(a) + " vs " + std::to_string(b) + ")");
  }
}

void check_ring(const char* gate, Ring r) {
  if (r.bits < 2) throw std::invalid_argument(std::string(gate) + ": needs a ring of >= 2 bits");
}

}  // namespace

// ---------------------------------------------------------------- DReLU
// With xhat = x + r and low = the n-1 low bits: MSB(x) = MSB(xhat) ^ MSB(r) ^ [xhat_low < r_low]
// (the borrow into the top bit), so DReLU(x) = 1 ^ MSB(x). The dealer gives a DCF at r_low
// (1-bit output) and a share of t = 1 ^ MSB(r) ^ r_d; the opened bit is DReLU(x) ^ r_d.

void drelu_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> d) {
  check_len("drelu", x.size(), d.size());
  for (std::size_t i = 0; i < x.size(); ++i) d[i] = ctx.ring.msb(x[i]) ^ 1;
}

void drelu_keygen(Dealer& dl, std::span<const u64> r_in, std::span<u64> r_d) {
  const Ring ring = dl.ring();
  check_ring("drelu", ring);
  check_len("drelu", r_in.size(), r_d.size());
  const std::size_t n = r_in.size();
  dl.begin(kTagDrelu, n);
  dl.random(r_d, 1);
  UninitVector<u64> alpha(n), t(n);  // written in full before they are read
  dl.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      alpha[i] = r_in[i] & ring_mask(ring.bits - 1);
      t[i] = 1 ^ ring.msb(r_in[i]) ^ r_d[i];
    }
  });
  dl.sigma_dcf(ring.bits - 1, alpha);
  dl.share_vec(t, 1);
}

namespace {
// drelu_eval's opened bits, where the party's vectors live.
vec::Vec drelu(Party& p, const vec::Vec& xhat) {
  const Ring ring = p.ring();
  const std::size_t n = xhat.size();
  const vec::Space& sp = p.space();
  p.keys().expect_record(kTagDrelu, n);
  const SigmaDcfKeys k = p.read_sigma_dcf(ring.bits - 1, n);
  const vec::Vec t = p.read_shares_vec(n, 1);
  vec::Vec bit = sp.make(n);
  sp.sigma_dcf_eval(k, xhat, bit);  // at xhat mod 2^(n-1)
  // XOR of bits (their sum mod 2): the DCF's, t, and party 0's msb(xhat).
  sp.combine(bit, 1, 0,
             {{.v = &bit},
              {.v = &t},
              {.v = &xhat, .shr = ring.bits - 1, .width = 1, .coef = p.id() == 0 ? 1u : 0u}});
  p.open(bit, 1);
  return bit;
}
}  // namespace

void drelu_eval(Party& p, std::span<const u64> xhat, std::span<u64> dhat) {
  check_ring("drelu", p.ring());
  check_len("drelu", xhat.size(), dhat.size());
  p.result(drelu(p, p.operand(xhat)), dhat);
}

// ---------------------------------------------------------------- comparison x >= y

namespace {
std::vector<u64> diff(Ring ring, std::span<const u64> a, std::span<const u64> b) {
  check_len("geq", a.size(), b.size());
  std::vector<u64> d(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) d[i] = ring.sub(a[i], b[i]);
  return d;
}
}  // namespace

void geq_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<const u64> y,
               std::span<u64> d) {
  drelu_clear(ctx, diff(ctx.ring, x, y), d);
}

void geq_keygen(Dealer& dl, std::span<const u64> r_x, std::span<const u64> r_y,
                std::span<u64> r_d) {
  drelu_keygen(dl, diff(dl.ring(), r_x, r_y), r_d);
}

void geq_eval(Party& p, std::span<const u64> xhat, std::span<const u64> yhat, std::span<u64> dhat) {
  drelu_eval(p, diff(p.ring(), xhat, yhat), dhat);
}

// ---------------------------------------------------------------- select
// d = dhat ^ r_d, x = xhat - r_x. y + r_out = dhat (xhat - r_x) - r_d xhat + r_d r_x + r_out
//   + (1 - dhat) (2 r_d xhat - 2 r_d r_x); the key holds shares of r_d, r_x, r_d r_x + r_out,
// 2 r_d and -2 r_d r_x (SIGMA's select key, five ring elements per element).

void select_clear(const ClearCtx& ctx, std::span<const u64> d, std::span<const u64> x,
                  std::span<u64> y) {
  check_len("select", d.size(), x.size());
  check_len("select", x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = (d[i] & 1) ? ctx.ring.reduce(x[i]) : 0;
}

void select_keygen(Dealer& dl, std::span<const u64> r_d, std::span<const u64> r_x,
                   std::span<u64> r_out) {
  check_len("select", r_d.size(), r_x.size());
  check_len("select", r_x.size(), r_out.size());
  dl.begin(kTagSelect, r_x.size());
  dl.random(r_out);
  nl::select_share_keygen(dl, dl.ring().bits, r_d, r_x, r_out);
}

namespace {
// select_eval's opened output, where the party's vectors live (dhat: opened bits).
vec::Vec select(Party& p, const vec::Vec& dhat, const vec::Vec& xhat) {
  p.keys().expect_record(kTagSelect, xhat.size());
  vec::Vec share = nl::select_share_eval(p, p.ring().bits, dhat, xhat, 0, 0);
  p.open(share, p.ring().bits);
  return share;
}
}  // namespace

void select_eval(Party& p, std::span<const u64> dhat, std::span<const u64> xhat,
                 std::span<u64> yhat) {
  check_len("select", dhat.size(), xhat.size());
  check_len("select", xhat.size(), yhat.size());
  p.result(select(p, p.operand(dhat), p.operand(xhat)), yhat);
}

// ---------------------------------------------------------------- ReLU

void relu_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> y) {
  check_len("relu", x.size(), y.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = ctx.ring.msb(x[i]) ? 0 : ctx.ring.reduce(x[i]);
}

void relu_keygen(Dealer& dl, std::span<const u64> r_in, std::span<u64> r_out) {
  std::vector<u64> r_d(r_in.size());
  drelu_keygen(dl, r_in, r_d);
  select_keygen(dl, r_d, r_in, r_out);
}

void relu_eval(Party& p, std::span<const u64> xhat, std::span<u64> yhat) {
  check_ring("drelu", p.ring());
  check_len("relu", xhat.size(), yhat.size());
  const vec::Vec x = p.operand(xhat);
  p.result(select(p, drelu(p, x), x), yhat);
}

// ---------------------------------------------------------------- ReLU in a reduced ring
// GPU-MPC's softmax max (gpu_softmax.cu, gpu_maxpool.cu): gpuGenReluKey(bin = bw - 1, bw), i.e.
// DReLU over bin = bits - 1 bits and the select over bw = bits.
void relu_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> y, int bits) {
  if (bits == 0) return relu_clear(ctx, x, y);
  check_len("relu", x.size(), y.size());
  std::vector<u64> d(x.size());
  drelu_clear(engine::narrowed(ctx, bits - 1), engine::low_bits(x, bits - 1), d);
  select_clear(engine::narrowed(ctx, bits), d, engine::low_bits(x, bits), y);
}
void relu_keygen(Dealer& dl, std::span<const u64> r_in, std::span<u64> r_out, int bits) {
  if (bits == 0) return relu_keygen(dl, r_in, r_out);
  std::vector<u64> r_d(r_in.size());
  engine::in_ring(dl, bits - 1, r_in, [&](std::span<const u64> r) { drelu_keygen(dl, r, r_d); });
  engine::in_ring(dl, bits, r_in,
                  [&](std::span<const u64> r) { select_keygen(dl, r_d, r, r_out); });
}

namespace {
void relu_clear_face(const ClearCtx& c, const engine::GateArgs& a, std::span<const u64> x,
                     std::span<u64> y) {
  relu_clear(c, x, y, static_cast<int>(a.param));
}
void relu_keygen_face(Dealer& d, const engine::GateArgs& a, std::span<const u64> r,
                      std::span<u64> o) {
  relu_keygen(d, r, o, static_cast<int>(a.param));
}
void relu_eval_face(Party& p, const engine::GateArgs& a, std::span<const u64> x, std::span<u64> y) {
  relu_eval(p, x, y, static_cast<int>(a.param));
}
}  // namespace

const engine::UnaryGate& relu_gate() {
  static const engine::UnaryGate g{"relu",           profiling::scopes::kRelu, "relu",
                                   &relu_clear_face, &relu_keygen_face,        &relu_eval_face};
  return g;
}

// ---------------------------------------------------------------- max (tree)
// Level l pairs (v[2j], v[2j+1]) of every row: max = ReLU(v[2j] - v[2j+1]) + v[2j+1]; an odd last
// element passes through. All pairs of all rows go through ONE batched ReLU per level, so the
// whole max costs ceil(log2 cols) ReLUs (2 rounds each). The same schedule runs on values
// (clear), masks (keygen) and masked values (eval): subtraction and addition are local.

namespace {

void check_max(std::size_t cols, std::size_t in, std::size_t out) {
  if (cols == 0 || in % cols != 0 || in / cols != out) {
    throw std::invalid_argument("max: input of " + std::to_string(in) +
                                " elements is not rows x cols (cols " + std::to_string(cols) +
                                ") with one output per row (" + std::to_string(out) + " given)");
  }
}

template <class ReluFn>
void max_tree(Ring ring, std::size_t cols, std::span<const u64> x, std::span<u64> y,
              ReluFn&& relu) {
  const std::size_t rows = x.size() / cols;
  std::vector<u64> cur(x.begin(), x.end());
  std::size_t w = cols;
  while (w > 1) {
    const std::size_t pairs = w / 2, nw = (w + 1) / 2;
    std::vector<u64> diff(rows * pairs), rel(rows * pairs);
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t j = 0; j < pairs; ++j)
        diff[r * pairs + j] = ring.sub(cur[r * w + 2 * j], cur[r * w + 2 * j + 1]);
    relu(std::span<const u64>(diff), std::span<u64>(rel));
    std::vector<u64> next(rows * nw);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < pairs; ++j)
        next[r * nw + j] = ring.add(rel[r * pairs + j], cur[r * w + 2 * j + 1]);
      if (w % 2) next[r * nw + pairs] = cur[r * w + w - 1];
    }
    cur.swap(next);
    w = nw;
  }
  std::copy(cur.begin(), cur.end(), y.begin());
}

}  // namespace

void max_clear(const ClearCtx& ctx, std::size_t cols, std::span<const u64> x, std::span<u64> y,
               int bits, const engine::UnaryGate& relu) {
  check_max(cols, x.size(), y.size());
  max_tree(ctx.ring, cols, x, y, [&](std::span<const u64> a, std::span<u64> b) {
    relu.clear(ctx, engine::with_param(bits), a, b);
  });
}

void max_keygen(Dealer& d, std::size_t cols, std::span<const u64> r_in, std::span<u64> r_out,
                int bits, const engine::UnaryGate& relu) {
  check_max(cols, r_in.size(), r_out.size());
  max_tree(d.ring(), cols, r_in, r_out, [&](std::span<const u64> a, std::span<u64> b) {
    relu.keygen(d, engine::with_param(bits), a, b);
  });
}

namespace {

// relu_eval (in a ring of `bits` bits, 0 = the party's) over the vector vocabulary.
vec::Vec relu(Party& p, const vec::Vec& xhat, int bits) {
  check_ring("drelu", p.ring());
  if (bits == 0) return select(p, drelu(p, xhat), xhat);  // else as relu_eval: DReLU in bits - 1
  const vec::Space& sp = p.space();
  vec::Vec low = sp.make(xhat.size()), d;
  {
    engine::NarrowRing<Party> narrow(p, bits - 1);
    sp.combine(low, bits - 1, 0, {{.v = &xhat}});
    d = drelu(p, low);
  }
  engine::NarrowRing<Party> narrow(p, bits);
  sp.combine(low, bits, 0, {{.v = &xhat}});
  return select(p, d, low);
}

}  // namespace

void relu_eval(Party& p, std::span<const u64> xhat, std::span<u64> yhat, int bits) {
  if (bits == 0) return relu_eval(p, xhat, yhat);
  check_len("relu", xhat.size(), yhat.size());
  p.result(relu(p, p.operand(xhat), bits), yhat);
}

namespace {

// max_tree's schedule where the party's vectors live, for rows whose width halves evenly down to
// 1 (cols a power of two): level by level, the pairs are the even and odd fields of each row.
void max_tree_vec(Party& p, std::size_t cols, std::span<const u64> xhat, std::span<u64> yhat,
                  int bits) {
  const vec::Space& sp = p.space();
  const int n = p.ring().bits;
  vec::Vec cur = p.operand(xhat);
  for (std::size_t w = cols; w > 1; w /= 2) {
    const std::size_t half = cur.size() / 2;
    vec::Vec diff = sp.make(half);
    sp.combine(diff, n, 0,
               {{.v = &cur, .stride = 2, .offset = 0},
                {.v = &cur, .stride = 2, .offset = 1, .coef = ~u64{0}}});
    vec::Vec next = relu(p, diff, bits);
    sp.combine(next, n, 0, {{.v = &next}, {.v = &cur, .stride = 2, .offset = 1}});
    cur = std::move(next);
  }
  p.result(std::move(cur), yhat);
}

}  // namespace

void max_eval(Party& p, std::size_t cols, std::span<const u64> xhat, std::span<u64> yhat, int bits,
              const engine::UnaryGate& relu_gate_in_use) {
  check_max(cols, xhat.size(), yhat.size());
  if (&relu_gate_in_use == &relu_gate() && std::has_single_bit(cols))
    return max_tree_vec(p, cols, xhat, yhat, bits);
  std::vector<u64> scratch;
  xhat = p.on_host(xhat, scratch);
  max_tree(p.ring(), cols, xhat, yhat, [&](std::span<const u64> a, std::span<u64> b) {
    relu_gate_in_use.eval(p, engine::with_param(bits), a, b);
  });
}

}  // namespace secinfer::fss::sigma
