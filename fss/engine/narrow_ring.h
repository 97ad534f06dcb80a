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

template <class Holder>  // Dealer or Party
class NarrowRing {
 public:
  NarrowRing(Holder& holder, int bits) : holder_(holder), saved_(holder.ring()) {
    if (bits < 2 || bits > saved_.bits)
      throw std::invalid_argument("NarrowRing: " + std::to_string(bits) +
                                  " bits is not a ring of 2 .. " + std::to_string(saved_.bits) +
                                  " bits (the holder's)");
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
// the holder's own width) runs fn(in) as is. What a gate's Ops face calls for a reduced ring.
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

// The same for the cleartext faces: `ctx` itself is narrowed (the caller's copy).
template <class Fn>
void in_ring(ClearCtx& ctx, int bits, std::span<const u64> in, Fn&& fn) {
  if (bits == 0 || bits == ctx.ring.bits) {
    fn(in);
    return;
  }
  if (bits < 2 || bits > ctx.ring.bits)
    throw std::invalid_argument("in_ring: " + std::to_string(bits) +
                                " bits is not a ring of 2 .. " + std::to_string(ctx.ring.bits) +
                                " bits");
  ctx.ring = make_ring(bits);
  const std::vector<u64> low = low_bits(in, bits);
  fn(std::span<const u64>(low));
}

}  // namespace secinfer::fss::engine
