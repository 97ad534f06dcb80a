// A scope in which a dealer's or a party's gates compute in the reduced ring Z_{2^bits}.
//
// SIGMA runs some subprotocols in a ring narrower than the model's: its softmax takes the row max
// in n - f + 2 bits (docs/design/sigma-softmax-max.md), which shortens the comparisons' DCF and
// narrows the selects' shares and openings. While a NarrowRing lives, ring() of the holder is
// Z_{2^bits}: masks, shares, openings and the gates' arithmetic are all reduced to `bits` bits. The
// dealer and the parties must narrow around the same calls (the key stream records nothing of it).
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/engine/gate.h"
#include "fss/ring.h"

namespace secinfer::fss::engine {

// Throws std::invalid_argument unless 2 <= bits <= ring_bits (the ring being narrowed).
inline void check_narrow(int bits, int ring_bits) {
  if (bits < 2 || bits > ring_bits)
    throw std::invalid_argument("narrow ring: " + std::to_string(bits) +
                                " bits is not a ring of 2 .. " + std::to_string(ring_bits) +
                                " bits (the ring it narrows)");
}

template <class Holder>  // Dealer or Party
class NarrowRing {
 public:
  NarrowRing(Holder& holder, int bits) : holder_(holder), saved_(holder.ring()) {
    check_narrow(bits, saved_.bits);
    holder_.ring_ = make_ring(bits);
  }
  ~NarrowRing() { holder_.ring_ = saved_; }
  NarrowRing(const NarrowRing&) = delete;
  NarrowRing& operator=(const NarrowRing&) = delete;

 private:
  Holder& holder_;
  Ring saved_;
};

// `in` reduced mod 2^bits.
inline std::vector<u64> low_bits(std::span<const u64> in, int bits) {
  std::vector<u64> low(in.begin(), in.end());
  for (u64& v : low) v &= ring_mask(bits);
  return low;
}

// Runs fn(x) on the holder narrowed to `bits` bits, x = `in` reduced mod 2^bits; with bits 0 (or
// the holder's own width) runs fn(in) as is (sigma::relu_keygen / relu_eval in a reduced ring).
template <class Holder, class Fn>
void in_ring(Holder& holder, int bits, std::span<const u64> in, Fn&& fn) {
  if (bits == 0 || bits == holder.ring().bits) {
    fn(in);
    return;
  }
  NarrowRing<Holder> scope(holder, bits);
  const std::vector<u64> low = low_bits(in, bits);
  fn(std::span<const u64>(low));
}

// A cleartext face's context in Z_{2^bits} (the cleartext twin of NarrowRing).
inline ClearCtx narrowed(ClearCtx ctx, int bits) {
  check_narrow(bits, ctx.ring.bits);
  ctx.ring = make_ring(bits);
  return ctx;
}

}  // namespace secinfer::fss::engine
