// SIGMA's LayerNorm / RMSNorm over Ops and the square-and-sum gate (layernorm.h).
#include "fss/gates/sigma/layernorm.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/gate.h"
#include "fss/engine/key_stream.h"
#include "fss/uninit_vector.h"
#include "fss/vec/vec.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::sigma {
namespace {

using engine::TruncKind;

constexpr std::uint32_t kTagSumsq = engine::key_tag("SUMQ");

std::size_t check_rows(std::size_t size, std::size_t cols, const char* what) {
  if (cols == 0 || size % cols != 0)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(size) +
                                " elements are not a whole number of rows of " +
                                std::to_string(cols) + " (set GateArgs::cols to the row length)");
  return size / cols;
}

// gamma (cols) repeated for every row: rows x cols (linear, local).
Tensor tile_rows(const Tensor& g, std::size_t rows, std::size_t cols) {
  if (g.size() != cols)
    throw std::invalid_argument("sigma::layernorm: gamma has " + std::to_string(g.size()) +
                                " elements, expected the row length " + std::to_string(cols));
  if (const vec::Vec* v = g.data.vec()) {  // a resident row: tiled where it is
    vec::Vec out = v->space()->make(rows * cols);
    v->space()->combine(out, 64, 0, {{.v = v, .cycle = cols}});
    return Tensor{{rows, cols}, engine::TensorValues::resident(std::move(out))};
  }
  std::vector<u64> out(rows * cols);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t j = 0; j < cols; ++j) out[r * cols + j] = g.data[j];
  return Tensor{{rows, cols}, std::move(out)};
}

int log2_exact(std::size_t v) {
  int l = 0;
  while ((std::size_t{1} << l) < v) ++l;
  return (std::size_t{1} << l) == v ? l : -1;
}

// "scale": y = TrWithSlack(d q, f) row-wise, z = TrWithSlack(y gamma + beta 2^f, f).
Tensor normalise(Ops& ops, const Tensor& d, const Tensor& q, const Tensor& gamma,
                 const Tensor* beta, std::size_t rows, std::size_t cols) {
  Ops::Region reg(ops, "scale");
  const int f = ops.frac_bits();
  const Tensor y = ops.truncate(ops.mul_rowwise(d, q, cols), f, TruncKind::kWithSlack);
  Tensor z = ops.mul(y, tile_rows(gamma, rows, cols));
  if (beta) z = ops.add_bias(z, ops.mul_const(*beta, u64{1} << f));
  return ops.truncate(z, f, TruncKind::kWithSlack);
}

}  // namespace

void sumsq_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                 std::span<u64> y) {
  const std::size_t rows = check_rows(x.size(), args.cols, "sumsq_clear");
  engine::check_unary_sizes(x.size(), y.size(), "sumsq_clear");
  for (std::size_t r = 0; r < rows; ++r) {
    u64 s = 0;
    for (std::size_t j = 0; j < args.cols; ++j) s += x[r * args.cols + j] * x[r * args.cols + j];
    y[r * args.cols] = ctx.ring.reduce(s);
    for (std::size_t j = 1; j < args.cols; ++j) y[r * args.cols + j] = 0;
  }
}

void sumsq_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                  std::span<u64> r_out) {
  const std::size_t rows = check_rows(r_in.size(), args.cols, "sumsq_keygen");
  engine::check_unary_sizes(r_in.size(), r_out.size(), "sumsq_keygen");
  const std::size_t N = r_in.size(), cols = args.cols;
  const Ring ring = d.ring();
  d.begin(kTagSumsq, N);
  UninitVector<u64> s(N);  // per-element masks of the squares (SIGMA d_mask_sq)
  d.random(s);
  UninitVector<u64> c(N);  // written in full below
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) c[i] = ring.add(ring.mul(r_in[i], r_in[i]), s[i]);
  });
  d.share_vec(r_in);
  d.share_vec(c);
  d.for_rows(rows, cols, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) {
      u64 m = 0;
      for (std::size_t j = 0; j < cols; ++j) m += s[r * cols + j];
      r_out[r * cols] = ring.reduce(m);
      for (std::size_t j = 1; j < cols; ++j) r_out[r * cols + j] = 0;
    }
  });
}

void sumsq_eval(Party& party, const GateArgs& args, std::span<const u64> xhat_host,
                std::span<u64> yhat) {
  const std::size_t rows = check_rows(xhat_host.size(), args.cols, "sumsq_eval");
  engine::check_unary_sizes(xhat_host.size(), yhat.size(), "sumsq_eval");
  const std::size_t N = xhat_host.size(), cols = args.cols;
  const int n = party.ring().bits;
  const vec::Space& sp = party.space();
  const vec::Vec x = party.operand(xhat_host);
  party.keys().expect_record(kTagSumsq, N);
  const vec::Vec a = party.read_shares_vec(N), c = party.read_shares_vec(N);
  // Per element [b == 0] xhat^2 - 2 xhat [r] + [r^2 + s], summed per row and opened.
  vec::Vec terms = sp.make(N);
  sp.combine(terms, n, 0,
             {{.v = &c},
              {.v = &a, .coef = u64{0} - 2, .times = &x},
              {.v = &x, .coef = party.id() == 0 ? u64{1} : u64{0}, .times = &x}});
  vec::Vec sums = sp.make(rows);
  sp.row_sums(terms, cols, n, sums);
  party.open(sums, n);
  // Row r's sum in its column 0, the public zero elsewhere: a row of cols with a 1 in column 0,
  // tiled, gates the sums repeated over their rows.
  std::vector<u64> first(cols, 0);
  first[0] = 1;
  const vec::Vec first_row = sp.upload(std::move(first));
  vec::Vec column0 = sp.make(N);
  sp.combine(column0, 1, 0, {{.v = &first_row, .cycle = cols}});
  vec::Vec y = sp.make(N);
  sp.combine(y, n, 0, {{.v = &sums, .repeat = cols, .gate = &column0}});
  party.result(std::move(y), yhat);
}

const engine::UnaryGate& sumsq_gate() {
  static const engine::UnaryGate g{
      "sumsq", profiling::scopes::kLayerNorm, "variance", &sumsq_clear, &sumsq_keygen, &sumsq_eval};
  return g;
}

Tensor sum_squares(Ops& ops, const Tensor& a, std::size_t cols) {
  const std::size_t rows = check_rows(a.size(), cols, "sigma::sum_squares");
  GateArgs args;
  args.cols = cols;
  const Tensor full = ops.unary(sumsq_gate(), a, args);
  // Each row holds its sum in column 0 and zeros: the row sums are the sums (local, linear in
  // the masks alike, and where the values are).
  return ops.sum_last(Tensor{{rows, cols}, full.data});
}

Tensor layernorm(Ops& ops, const Tensor& a, const Tensor& gamma, const Tensor& beta,
                 std::size_t cols) {
  const std::size_t rows = check_rows(a.size(), cols, "sigma::layernorm");
  const int f = ops.frac_bits();
  const Tensor x{{rows, cols}, a.data};  // a reshape: resident values stay where they are
  Tensor mu;
  {
    Ops::Region reg(ops, "mean");
    const Tensor s = ops.sum_last(x);
    const int l = log2_exact(cols);
    if (l >= 0)
      mu = l == 0 ? s : ops.truncate(s, l, TruncKind::kFloor);
    else  // SIGMA: T((1 << scale) / (double) cols), then TrFloor by scale
      mu = ops.truncate(ops.mul_const(s, (u64{1} << f) / cols), f, TruncKind::kFloor);
  }
  const Tensor d = ops.sub(x, ops.broadcast_rows(mu, cols));
  const Tensor v = sum_squares(ops, d, cols);  // "variance"
  const Tensor q = ops.rsqrt(v, cols);         // "rsqrt"
  Tensor out = normalise(ops, d, q, gamma, &beta, rows, cols);
  out.shape = a.shape;
  return out;
}

Tensor rmsnorm(Ops& ops, const Tensor& a, const Tensor& gamma, std::size_t cols) {
  const std::size_t rows = check_rows(a.size(), cols, "sigma::rmsnorm");
  const Tensor x{{rows, cols}, a.data};  // a reshape: resident values stay where they are
  const Tensor v = sum_squares(ops, x, cols);
  const Tensor q = ops.rsqrt(v, cols);
  Tensor out = normalise(ops, x, q, gamma, nullptr, rows, cols);
  out.shape = a.shape;
  return out;
}

}  // namespace secinfer::fss::sigma
