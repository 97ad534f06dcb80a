// The product of two lookups (contract and algebra in lut_product.h).
#include "fss/gates/fusefss/lut_product.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/gates/sigma/lut.h"
#include "fss/uninit_vector.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::size_t kTerms = 5;  // a, b, c, d, r_z

// `of_a` / `of_b`: what the two counts are of ("first lookup", "output masks", ...).
void check_sizes(std::size_t a, std::size_t b, const char* what, const char* of_a,
                 const char* of_b) {
  if (a != b)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(a) + " elements in the " +
                                of_a + " but " + std::to_string(b) + " in the " + of_b);
}

}  // namespace

void lut_product_keygen(engine::Dealer& d, LookupSpec l1, LookupSpec l2,
                        std::span<const u64> alpha1, std::span<const u64> alpha2,
                        std::span<const u64> r_z) {
  check_sizes(alpha1.size(), alpha2.size(), "lut_product_keygen", "first lookup", "second lookup");
  check_sizes(alpha1.size(), r_z.size(), "lut_product_keygen", "lookups", "output masks");
  const int n = d.ring().bits;
  const u64 m = ring_mask(n);
  const std::size_t N = alpha1.size();
  UninitVector<u64> z1(N), rv1(N), z2(N), rv2(N);  // written in full before they are read
  sigma::lut_sigma_masked_keygen(d, l1.k, n, alpha1, z1, rv1);
  sigma::lut_sigma_masked_keygen(d, l2.k, n, alpha2, z2, rv2);
  UninitVector<u64> terms(kTerms * N);
  d.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 a = (u64{1} - 2 * z1[i]) * (u64{1} - 2 * z2[i]);
      u64* t = &terms[kTerms * i];
      t[0] = a & m;
      t[1] = (a * rv2[i]) & m;
      t[2] = (a * rv1[i]) & m;
      t[3] = (a * rv1[i] * rv2[i]) & m;
      t[4] = r_z[i] & m;
    }
  });
  d.share_vec(terms, n);
}

void lut_product_eval(engine::Party& p, LookupSpec l1, std::span<const u64> t1,
                      std::span<const u64> idx1, LookupSpec l2, std::span<const u64> t2,
                      std::span<const u64> idx2, std::span<u64> zhat) {
  check_sizes(idx1.size(), idx2.size(), "lut_product_eval", "first lookup", "second lookup");
  check_sizes(idx1.size(), zhat.size(), "lut_product_eval", "lookups", "output");
  const int n = p.ring().bits;
  const u64 m = ring_mask(n);
  const std::size_t N = idx1.size();
  std::vector<u64> u1(N), v1(N), u2(N), v2(N);
  sigma::lut_sigma_masked(p, l1.k, n, t1, idx1, l1.index_xor_mask, u1, v1);
  sigma::lut_sigma_masked(p, l2.k, n, t2, idx2, l2.index_xor_mask, u2, v2);
  const std::vector<u64> terms = p.read_shares(kTerms * N, n);
  const engine::Party::OpenItem items[4] = {{u1, u1, 1}, {v1, v1, n}, {u2, u2, 1}, {v2, v2, n}};
  p.open_many(items);
  p.for_range(N, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64* t = &terms[kTerms * i];
      const u64 prod = t[0] * v1[i] * v2[i] - t[1] * v1[i] - t[2] * v2[i] + t[3];
      // s = (2 u1 - 1)(2 u2 - 1) = +1 when the two sign bits agree.
      zhat[i] = ((u1[i] == u2[i] ? prod : u64{0} - prod) + t[4]) & m;
    }
  });
  p.open(zhat, zhat, n);
}

vec::Vec lut_product_eval(engine::Party& p, LookupSpec l1, std::span<const u64> t1,
                          const vec::Vec& idx1, LookupSpec l2, std::span<const u64> t2,
                          const vec::Vec& idx2) {
  check_sizes(idx1.size(), idx2.size(), "lut_product_eval", "first lookup", "second lookup");
  const int n = p.ring().bits;
  const std::size_t N = idx1.size();
  const vec::Space& sp = p.space();
  vec::Vec u1 = sp.make(N), v1 = sp.make(N), u2 = sp.make(N), v2 = sp.make(N);
  sigma::lut_sigma_masked(p, l1.k, n, t1, idx1, l1.index_xor_mask, u1, v1);
  sigma::lut_sigma_masked(p, l2.k, n, t2, idx2, l2.index_xor_mask, u2, v2);
  const vec::Vec t = p.read_shares_vec(kTerms * N, n);
  const engine::Party::VecOpenItem items[4] = {{&u1, 1}, {&v1, n}, {&u2, 1}, {&v2, n}};
  p.open_many(items);
  const auto field = [&](int j) {
    return vec::Term{.v = &t, .stride = static_cast<int>(kTerms), .offset = j};
  };
  constexpr u64 kMinus = ~u64{0};
  // prod = a v1 v2 - b v1 - c v2 + d; s = (2 u1 - 1)(2 u2 - 1) = +1 when the two sign bits agree.
  vec::Vec prod = sp.make(N);
  sp.combine(prod, n, 0, {{.v = &v1, .times = &v2}});
  vec::Term a = field(0), b = field(1), c = field(2);
  a.times = &prod;
  b.times = &v1;
  b.coef = kMinus;
  c.times = &v2;
  c.coef = kMinus;
  sp.combine(prod, n, 0, {a, b, c, field(3)});
  vec::Vec& differ = u1;  // u1 XOR u2, in place
  sp.combine(differ, 1, 0, {{.v = &u1}, {.v = &u2}});
  vec::Vec z = sp.make(N);
  vec::Term rz = field(4);
  sp.combine(z, n, 0,
             {{.v = &prod, .gate = &differ, .gate_when = false},
              {.v = &prod, .coef = kMinus, .gate = &differ},
              rz});
  p.open(z, n);
  return z;
}

}  // namespace secinfer::fss::fusefss
