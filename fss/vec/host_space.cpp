#include "fss/vec/host_space.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "fss/thread_pool.h"
#include "fss/vec/combine_core.h"
#include "fss/vec/gather_core.h"

namespace secinfer::fss::vec {
namespace {

constexpr std::size_t kGrain = std::size_t{1} << 16;

// A vector's storage: a std::vector whose buffer the Vec points into.
Vec wrap(const Space* sp, std::vector<u64>&& values) {
  auto storage = std::make_shared<std::vector<u64>>(std::move(values));
  u64* data = storage->data();
  const std::size_t n = storage->size();
  return Vec(sp, data, n, std::move(storage));
}

// combine over [lo, hi): the sums of vec::combine_one, term by term over blocks that stay in cache,
// so that each term's loop is a plain one (the common term, contiguous with neither factor nor
// gate, is term_value spelt out for the compiler to vectorise). Every read of a block happens
// before its write: out may alias a (stride 1) term's vector.
void combine_range(const CombineParams& p, std::size_t lo, std::size_t hi, u64* out) {
  constexpr std::size_t kBlock = 512;
  u64 acc[kBlock];
  for (std::size_t b = lo; b < hi; b += kBlock) {
    const std::size_t m = std::min(kBlock, hi - b);
    std::fill_n(acc, m, p.constant);
    for (int k = 0; k < p.terms; ++k) {
      const TermView& t = p.term[k];
      if (t.stride == 1 && t.repeat == 1 && t.times == nullptr && t.gate == nullptr) {
        const u64 coef = t.coef, mask = t.mask, add = t.add;
        const int shr = t.shr;
        if (t.cycle == 0) {
          const u64* v = t.v + b;
          for (std::size_t j = 0; j < m; ++j) acc[j] += coef * (((v[j] + add) >> shr) & mask);
        } else {
          // A bias row: its position wraps instead of a division per element.
          std::size_t pos = b % t.cycle;
          for (std::size_t j = 0; j < m; ++j) {
            acc[j] += coef * (((t.v[pos] + add) >> shr) & mask);
            if (++pos == t.cycle) pos = 0;
          }
        }
        continue;
      }
      for (std::size_t j = 0; j < m; ++j) acc[j] += term_value(t, b + j);
    }
    for (std::size_t j = 0; j < m; ++j) out[b + j] = acc[j] & p.out_mask;
  }
}

}  // namespace

Vec HostSpace::make(std::size_t n) const {
  // Uninitialised, as the contract says: no pass over the memory before its first op.
  std::shared_ptr<u64[]> storage = std::make_shared_for_overwrite<u64[]>(n);
  u64* data = storage.get();
  return Vec(this, data, n, std::move(storage));
}

Vec HostSpace::upload(std::span<const u64> values) const {
  return wrap(this, std::vector<u64>(values.begin(), values.end()));
}

Vec HostSpace::upload(std::vector<u64>&& values) const {
  return wrap(this, std::move(values));
}

void HostSpace::download(const Vec& v, std::span<u64> out) const {
  check(v, out.size(), "vec::download");
  if (!out.empty()) std::copy(v.data(), v.data() + v.size(), out.begin());
}

void HostSpace::combine(Vec& out, int bits, u64 constant, std::span<const Term> terms) const {
  check_combine(out, bits, terms);
  const CombineParams p = combine_params(bits, constant, terms);
  u64* o = out.data();
  const auto run = [&](std::size_t lo, std::size_t hi) { combine_range(p, lo, hi, o); };
  if (out.size() < 2 * kGrain)
    run(0, out.size());
  else
    parallel_for(*pool_, out.size(), kGrain, run);
}

void HostSpace::row_sums(const Vec& v, std::size_t cols, int bits, Vec& out) const {
  check_row_sums(v, cols, bits, out);
  const std::size_t rows = out.size();
  const u64 mask = ring_mask(bits);
  const u64* in = v.data();
  u64* o = out.data();
  // Each row summed whole by one range (sums mod 2^64 are exact in any order anyway).
  const auto run = [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) {
      const u64* row = in + r * cols;
      u64 acc = 0;
      for (std::size_t j = 0; j < cols; ++j) acc += row[j];
      o[r] = acc & mask;
    }
  };
  if (v.size() < 2 * kGrain)
    run(0, rows);
  else
    parallel_for(*pool_, rows, std::max<std::size_t>(1, kGrain / cols), run);
}

void HostSpace::gather(const Vec& a, const Vec& b, const Vec& index, Vec& out) const {
  check_gather(a, b, index, out);
  const std::size_t na = a.size(), nb = b.size();
  const u64 *pa = a.data(), *pb = b.data(), *idx = index.data();
  u64* o = out.data();
  const auto run = [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) o[i] = gather_one(pa, na, pb, nb, idx[i]);
  };
  if (out.size() < 2 * kGrain)
    run(0, out.size());
  else
    parallel_for(*pool_, out.size(), kGrain, run);
}

void HostSpace::swap_axes(const Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                          std::size_t inner, Vec& out) const {
  check_swap_axes(in, outer, rows, cols, inner, out);
  if (out.empty()) return;
  const u64* src = in.data();
  u64* dst = out.data();
  // Over the output's runs of `inner` words, p = (o * cols + c) * rows + r, each copied from its
  // place in the input; the indices advance with p instead of being divided out of it.
  const auto run = [&](std::size_t lo, std::size_t hi) {
    std::size_t r = lo % rows, q = lo / rows;
    std::size_t c = q % cols, o = q / cols;
    for (std::size_t p = lo; p < hi; ++p) {
      const u64* from = src + ((o * rows + r) * cols + c) * inner;
      std::copy(from, from + inner, dst + p * inner);
      if (++r == rows) {
        r = 0;
        if (++c == cols) {
          c = 0;
          ++o;
        }
      }
    }
  };
  const std::size_t runs = outer * rows * cols;
  if (out.size() < 2 * kGrain)
    run(0, runs);
  else
    parallel_for(*pool_, runs, std::max<std::size_t>(1, kGrain / inner), run);
}

void HostSpace::dcf_eval(const DcfKeys& keys, const Vec& x, Vec& out) const {
  check(x, keys.count, "vec::dcf_eval (points)");
  check(out, keys.count, "vec::dcf_eval (output)");
  fss::dcf_eval(keys, std::span<const u64>(x.data(), x.size()),
                std::span<u64>(out.data(), out.size()), eval_);
}

void HostSpace::dpf_et_lut_eval(const DpfEtKeys& keys, const Vec& idx, std::span<const u64> table,
                                int out_bits, Vec& sum, Vec& count, u64 index_xor_mask) const {
  check(idx, keys.count, "vec::dpf_et_lut_eval (indices)");
  check(sum, keys.count, "vec::dpf_et_lut_eval (sums)");
  check(count, keys.count, "vec::dpf_et_lut_eval (counts)");
  fss::dpf_et_lut_eval(keys, std::span<const u64>(idx.data(), idx.size()), table, out_bits,
                       std::span<u64>(sum.data(), sum.size()),
                       std::span<u64>(count.data(), count.size()), eval_, index_xor_mask);
}

void HostSpace::sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                               std::span<Vec* const> bits) const {
  check_sigma_dcf(keys, points, bits);
  const std::size_t n = keys.count, P = points.size();
  if (n == 0) return;
  // The core's layout: key i's points side by side (x[i * P + j]), reduced mod 2^in_bits.
  const u64 mask = ring_mask(keys.in_bits);
  std::vector<u64> x(n * P);
  std::vector<std::uint8_t> out(n * P);
  const auto each = [&](const auto& fn) {
    if (n < 2 * kGrain)
      fn(std::size_t{0}, n);
    else
      parallel_for(*pool_, n, kGrain, fn);
  };
  each([&](std::size_t lo, std::size_t hi) {
    for (std::size_t j = 0; j < P; ++j)
      for (std::size_t i = lo; i < hi; ++i)
        x[i * P + j] = (points[j].x->data()[i] + points[j].add) & mask;
  });
  fss::sigma_dcf_eval(keys, P, x, out, eval_);
  each([&](std::size_t lo, std::size_t hi) {
    for (std::size_t j = 0; j < P; ++j)
      for (std::size_t i = lo; i < hi; ++i) bits[j]->data()[i] = out[i * P + j];
  });
}

void HostSpace::pack(const Vec& v, int bits, std::span<std::uint8_t> out) const {
  check(v, v.size(), "vec::pack");
  pack_bits(std::span<const u64>(v.data(), v.size()), bits, out, *pool_);
}

void HostSpace::unpack_add(std::span<const std::uint8_t> in, int bits, Vec& v) const {
  check(v, v.size(), "vec::unpack_add");
  const std::span<u64> s(v.data(), v.size());
  unpack_add_bits(in, bits, s, s, *pool_);
}

}  // namespace secinfer::fss::vec
