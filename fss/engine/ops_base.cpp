#include "fss/engine/ops_base.h"

#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>

#include "fss/vec/gather_core.h"
#include "fss/vec/vec.h"
#include "profiling/scope_names.h"

namespace secinfer::fss::engine {

namespace {

// The Space that holds the given tensors' values (all of them resident there), or null: the
// local op then runs in that Space instead of over host arrays.
const vec::Space* resident_space(const Tensor& a) {
  const vec::Vec* v = a.data.vec();
  return v != nullptr ? v->space() : nullptr;
}
// The Space of whichever of a, b is resident (a's first), or null: a local op of the two runs
// there, the other operand uploaded, so that its result stays where the party's gates run (a
// residual stream added to every layer's output, a position table added to the embedding).
const vec::Space* resident_space(const Tensor& a, const Tensor& b) {
  const vec::Space* sp = resident_space(a);
  return sp != nullptr ? sp : resident_space(b);
}

// The vector of t in sp: its own when resident there, else its host values uploaded into `up`.
const vec::Vec& in_space(const vec::Space& sp, const Tensor& t, vec::Vec& up) {
  const vec::Vec* v = t.data.vec();
  if (v != nullptr && v->space() == &sp) return *v;
  up = sp.upload(t.data.host());
  return up;
}

std::string shape_str(const std::vector<std::size_t>& s) {
  std::string o = "[";
  for (std::size_t i = 0; i < s.size(); ++i) o += (i ? "," : "") + std::to_string(s[i]);
  return o + "]";
}
}  // namespace

void check_same_size(const char* op, const Tensor& a, const Tensor& b) {
  if (a.size() != b.size()) {
    throw std::invalid_argument(std::string(op) + ": operand sizes differ (" +
                                std::to_string(a.size()) + " " + shape_str(a.shape) + " vs " +
                                std::to_string(b.size()) + " " + shape_str(b.shape) + ")");
  }
}

void check_rows(const char* op, const Tensor& a, std::size_t cols) {
  if (cols == 0 || a.size() % cols != 0) {
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(a.size()) +
                                " elements are not a whole number of rows of " +
                                std::to_string(cols) + " columns");
  }
}

std::vector<std::size_t> matmul_out_shape(const Tensor& a, const Tensor& b, const MatmulShape& s) {
  const std::size_t na = s.batches * s.m * s.k;
  const std::size_t nb = (s.shared_b ? 1 : s.batches) * s.k * s.n;
  if (a.size() != na || b.size() != nb || s.m == 0 || s.k == 0 || s.n == 0 || s.batches == 0) {
    throw std::invalid_argument("matmul: operands hold " + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + " elements but the shape (batches " +
                                std::to_string(s.batches) + ", m " + std::to_string(s.m) + ", k " +
                                std::to_string(s.k) + ", n " + std::to_string(s.n) +
                                (s.shared_b ? ", shared B" : "") + ") needs " + std::to_string(na) +
                                " and " + std::to_string(nb));
  }
  if (s.causal && s.m != s.n) {
    throw std::invalid_argument("matmul: a causal product needs m == n (got m " +
                                std::to_string(s.m) + ", n " + std::to_string(s.n) + ")");
  }
  if (s.batches == 1) return {s.m, s.n};
  return {s.batches, s.m, s.n};
}

void check_provided(const GateSuite& suite, const UnaryGate& g) {
  if (!g.provided()) {
    throw std::logic_error(
        "the '" + std::string(suite.name) + "' gate suite does not provide " +
        (g.name.empty() ? std::string("this gate") : "'" + std::string(g.name) + "'") + " yet");
  }
}

OpsBase::OpsBase(Ring ring, int frac_bits, const GateSuite& gates)
    : ring_(make_ring(ring.bits)), frac_bits_(frac_bits), gates_(&gates) {
  if (frac_bits < 0 || frac_bits >= ring.bits) {
    throw std::invalid_argument("Ops: frac_bits " + std::to_string(frac_bits) + " must be in [0, " +
                                std::to_string(ring.bits) + ")");
  }
}

Tensor OpsBase::add(const Tensor& a, const Tensor& b) {
  check_same_size("add", a, b);
  Region r(*this, profiling::scopes::kMisc, "");
  if (const vec::Space* sp = resident_space(a, b)) {
    vec::Vec up_a, up_b;
    const vec::Vec& va = in_space(*sp, a, up_a);
    const vec::Vec& vb = in_space(*sp, b, up_b);
    vec::Vec out = sp->make(a.size());
    sp->combine(out, ring_.bits, 0, {{.v = &va}, {.v = &vb}});
    return Tensor{a.shape, TensorValues::resident(std::move(out))};
  }
  Tensor o{a.shape, std::vector<u64>(a.size())};
  for (std::size_t i = 0; i < a.size(); ++i) o.data[i] = ring_.add(a.data[i], b.data[i]);
  return o;
}

Tensor OpsBase::sub(const Tensor& a, const Tensor& b) {
  check_same_size("sub", a, b);
  Region r(*this, profiling::scopes::kMisc, "");
  if (const vec::Space* sp = resident_space(a, b)) {
    vec::Vec up_a, up_b;
    const vec::Vec& va = in_space(*sp, a, up_a);
    const vec::Vec& vb = in_space(*sp, b, up_b);
    vec::Vec out = sp->make(a.size());
    sp->combine(out, ring_.bits, 0, {{.v = &va}, {.v = &vb, .coef = ~u64{0}}});
    return Tensor{a.shape, TensorValues::resident(std::move(out))};
  }
  Tensor o{a.shape, std::vector<u64>(a.size())};
  for (std::size_t i = 0; i < a.size(); ++i) o.data[i] = ring_.sub(a.data[i], b.data[i]);
  return o;
}

Tensor OpsBase::mul_const(const Tensor& a, u64 c) {
  Region r(*this, profiling::scopes::kMisc, "");
  if (const vec::Space* sp = resident_space(a)) {
    vec::Vec out = sp->make(a.size());
    sp->combine(out, ring_.bits, 0, {{.v = a.data.vec(), .coef = c}});
    return Tensor{a.shape, TensorValues::resident(std::move(out))};
  }
  Tensor o{a.shape, std::vector<u64>(a.size())};
  for (std::size_t i = 0; i < a.size(); ++i) o.data[i] = ring_.mul(a.data[i], c);
  return o;
}

Tensor OpsBase::add_bias(const Tensor& a, const Tensor& bias) {
  check_rows("add_bias", a, bias.size());
  Region r(*this, profiling::scopes::kMisc, "");
  if (const vec::Space* sp = resident_space(a)) {  // the bias (a weight) uploaded: one row
    vec::Vec up;
    const vec::Vec& b = in_space(*sp, bias, up);
    vec::Vec out = sp->make(a.size());
    sp->combine(out, ring_.bits, 0, {{.v = a.data.vec()}, {.v = &b, .cycle = bias.size()}});
    return Tensor{a.shape, TensorValues::resident(std::move(out))};
  }
  Tensor o{a.shape, std::vector<u64>(a.size())};
  const std::size_t c = bias.size();
  // Row by row: no division per element (a bert-base FFN output is 393,216 of them).
  for (std::size_t row = 0; row < a.size(); row += c) {
    const u64* in = a.data.data() + row;
    u64* out = o.data.data() + row;
    for (std::size_t j = 0; j < c; ++j) out[j] = ring_.add(in[j], bias.data[j]);
  }
  return o;
}

Tensor OpsBase::sum_last(const Tensor& a) {
  if (a.shape.empty()) throw std::invalid_argument("sum_last: tensor has no shape");
  const std::size_t cols = a.shape.back();
  check_rows("sum_last", a, cols);
  Region r(*this, profiling::scopes::kMisc, "");
  if (const vec::Space* sp = resident_space(a)) {
    vec::Vec out = sp->make(a.size() / cols);
    sp->row_sums(*a.data.vec(), cols, ring_.bits, out);
    return Tensor{summed_last_shape(a.shape), TensorValues::resident(std::move(out))};
  }
  Tensor o{summed_last_shape(a.shape), std::vector<u64>(a.size() / cols)};
  for (std::size_t i = 0; i < o.size(); ++i) {
    u64 s = 0;
    for (std::size_t j = 0; j < cols; ++j) s += a.data[i * cols + j];
    o.data[i] = ring_.reduce(s);
  }
  return o;
}

Tensor OpsBase::broadcast_rows(const Tensor& b, std::size_t cols) {
  Region r(*this, profiling::scopes::kMisc, "");
  std::vector<std::size_t> shape = b.shape;
  shape.push_back(cols);
  if (const vec::Space* sp = resident_space(b)) {
    vec::Vec out = sp->make(b.size() * cols);
    sp->combine(out, 64, 0, {{.v = b.data.vec(), .repeat = cols}});
    return Tensor{shape, TensorValues::resident(std::move(out))};
  }
  Tensor o{shape, std::vector<u64>(b.size() * cols)};
  for (std::size_t i = 0; i < b.size(); ++i)
    for (std::size_t j = 0; j < cols; ++j) o.data[i * cols + j] = b.data[i];
  return o;
}

Tensor OpsBase::gather(const Tensor& a, const Tensor& b, const GatherIndex& gi,
                       std::vector<std::size_t> shape) {
  const std::span<const u64> index = gi.positions;
  Tensor o{std::move(shape), {}};
  const std::size_t n =
      std::accumulate(o.shape.begin(), o.shape.end(), std::size_t{1}, std::multiplies<>());
  if (n != index.size())
    throw std::invalid_argument("gather: the shape " + shape_str(o.shape) + " holds " +
                                std::to_string(n) + " elements, not its " +
                                std::to_string(index.size()) + " positions");
  Region r(*this, profiling::scopes::kMisc, "");
  if (const vec::Space* sp = resident_space(a, b)) {
    vec::Vec up_a, up_b;
    const vec::Vec& va = in_space(*sp, a, up_a);
    const vec::Vec& vb = in_space(*sp, b, up_b);
    if (!gi.resident || gi.resident->space() != sp) gi.resident = sp->upload(index);
    vec::Vec out = sp->make(index.size());
    sp->gather(va, vb, *gi.resident, out);
    o.data = TensorValues::resident(std::move(out));
    return o;
  }
  const std::vector<u64>& ha = a.data.host();
  const std::vector<u64>& hb = b.data.host();
  std::vector<u64> out(index.size());
  for (std::size_t i = 0; i < index.size(); ++i)
    out[i] = vec::gather_one(ha.data(), ha.size(), hb.data(), hb.size(), index[i]);
  o.data = std::move(out);
  return o;
}

Tensor OpsBase::transpose_heads(const Tensor& x, std::size_t batch, std::size_t seq,
                                std::size_t heads, std::size_t head_dim, bool inverse) {
  // forward: [batch, seq, heads * head_dim] -> [batch, heads, seq, head_dim]; inverse: back.
  const std::size_t n = batch * seq * heads * head_dim;
  if (x.size() != n) {
    throw std::invalid_argument(
        "transpose_heads: tensor has " + std::to_string(x.size()) +
        " elements, expected batch*seq*heads*head_dim = " + std::to_string(n));
  }
  Region r(*this, profiling::scopes::kMisc, "");
  Tensor o;
  if (const vec::Space* sp = resident_space(x)) {
    // [batch, seq, heads, d] <-> [batch, heads, seq, d]: the two middle axes swapped.
    vec::Vec out = sp->make(n);
    if (inverse) {
      sp->swap_axes(*x.data.vec(), batch, heads, seq, head_dim, out);
    } else {
      sp->swap_axes(*x.data.vec(), batch, seq, heads, head_dim, out);
    }
    o.data = TensorValues::resident(std::move(out));
  } else {
    o.data.resize(n);
  }
  o.shape = inverse ? std::vector<std::size_t>{batch, seq, heads * head_dim}
                    : std::vector<std::size_t>{batch, heads, seq, head_dim};
  if (o.data.resident()) return o;
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t s = 0; s < seq; ++s)
      for (std::size_t h = 0; h < heads; ++h)
        for (std::size_t d = 0; d < head_dim; ++d) {
          const std::size_t flat = ((b * seq + s) * heads + h) * head_dim + d;
          const std::size_t split = ((b * heads + h) * seq + s) * head_dim + d;
          if (inverse) {
            o.data[flat] = x.data[split];
          } else {
            o.data[split] = x.data[flat];
          }
        }
  return o;
}

}  // namespace secinfer::fss::engine
