// Masked inputs and reveal (SIGMA section 3: every wire carries x + r; the input owner learns r).
#include "fss/gates/sigma/input.h"

#include <stdexcept>
#include <string>
#include <vector>

namespace secinfer::fss::sigma {

namespace {
constexpr std::uint32_t kTagInput = engine::key_tag("INPT");
constexpr std::uint32_t kTagReveal = engine::key_tag("RVEL");

void check_owner(int owner) {
  if (owner != 0 && owner != 1) {
    throw std::invalid_argument("input: owner must be party 0 or 1, got " + std::to_string(owner));
  }
}
}  // namespace

void input_keygen(Dealer& d, int owner, std::span<u64> r_out) {
  check_owner(owner);
  d.begin(kTagInput, r_out.size());
  d.random(r_out);
  d.write_to(owner, r_out);  // read as a share (read_shares)
}

void input_eval(Party& p, int owner, std::span<const u64> x, std::span<u64> xhat) {
  check_owner(owner);
  const std::size_t n = xhat.size();
  p.keys().expect_record(kTagInput, n);
  if (p.id() == owner) {
    if (x.size() != n) {
      throw std::invalid_argument("input: the owner passes " + std::to_string(x.size()) +
                                  " values for a tensor of " + std::to_string(n) + " elements");
    }
    const std::vector<u64> r = p.read_shares(n);
    const Ring ring = p.ring();
    p.for_range(n, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) xhat[i] = ring.add(ring.reduce(x[i]), r[i]);
    });
    if (n) p.send_packed(xhat);
  } else if (n) {
    p.recv_packed(xhat);
  }
}

void reveal_keygen(Dealer& d, std::span<const u64> r_in) {
  d.begin(kTagReveal, r_in.size());
  d.write_public(r_in);
}

void reveal_eval(Party& p, std::span<const u64> xhat, std::span<u64> x) {
  if (x.size() != xhat.size()) throw std::invalid_argument("reveal: span sizes differ");
  p.keys().expect_record(kTagReveal, xhat.size());
  const std::vector<u64> r = p.read_shares(xhat.size());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = p.ring().sub(xhat[i], r[i]);
}

}  // namespace secinfer::fss::sigma
