// SIGMA's ReLU in one exchange (contract in dcf_relu.h; derivation in
// docs/design/dcf-truncation.md, "The softmax max's ReLU in one exchange").
//
// Widths: the select runs in Z_{2^S} and DReLU reads the low D bits of x (SIGMA's softmax max,
// bits = m: D = m - 1, S = m; the ring's ReLU, bits = 0: D = S = n). With x^ = x + r public,
// r' = r mod 2^D and h = D - 1:
//   bit_h(x) = bit_h(x^) XOR bit_h(r) XOR w,  w = [x^ mod 2^h < r mod 2^h]   (the borrow),
// so DReLU(x) = 1 XOR bit_h(x) = p XOR z with p = 1 XOR bit_h(x^) public and
//   z = A XOR w = A + s w,  A = bit_h(r),  s = 1 - 2 A.
// A DCF on h bits at alpha = r mod 2^h with payload (s, s r) in Z_{2^S} gives shares of (s w,
// s w r). With d = x^ - r = x mod 2^S, ReLU(x) = c d and c = p XOR z:
//   p = 0: y^ = z x^ - z r + r_out       = A x^ + sw x^ - swr + (r_out - A r)
//   p = 1: y^ = x^ - r - z x^ + z r + r_out = x^ - A x^ - sw x^ + swr + (A r - r + r_out)
// The dealer shares A, u0 = r_out - A r and u1 = A r - r + r_out; y^ is opened (one exchange).
#include "fss/gates/fusefss/dcf_relu.h"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/dcf.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/sigma/compare.h"

namespace secinfer::fss::fusefss {
namespace {

constexpr std::uint32_t kTagRelu = engine::key_tag("DRL1");

struct Widths {
  int d, s;  // DReLU reads the low d bits of x; the select and the output are s bits
};

Widths widths(Ring ring, const GateArgs& args, std::size_t a, std::size_t b, const char* what) {
  const std::int64_t bits = args.param;
  if (bits != 0 && (bits < 3 || bits > ring.bits))
    throw std::invalid_argument(std::string(what) + ": bits " + std::to_string(bits) +
                                " is not 0 (the ring) or a reduced ring of 3 .. " +
                                std::to_string(ring.bits) + " bits");
  if (ring.bits < 2) throw std::invalid_argument(std::string(what) + ": needs a ring of >= 2 bits");
  engine::check_unary_sizes(a, b, what);
  if (bits == 0) return {ring.bits, ring.bits};
  return {static_cast<int>(bits) - 1, static_cast<int>(bits)};
}

DcfShape shape_of(const Widths& w) {
  return DcfShape{w.d - 1, w.s, 2};
}

}  // namespace

void dcf_relu_clear(const ClearCtx& ctx, const GateArgs& args, std::span<const u64> x,
                    std::span<u64> y) {
  widths(ctx.ring, args, x.size(), y.size(), "dcf_relu_clear");
  sigma::relu_clear(ctx, x, y, static_cast<int>(args.param));
}

void dcf_relu_keygen(Dealer& d, const GateArgs& args, std::span<const u64> r_in,
                     std::span<u64> r_out) {
  const Widths w = widths(d.ring(), args, r_in.size(), r_out.size(), "dcf_relu_keygen");
  const std::size_t n = r_in.size();
  const int h = w.d - 1;
  const u64 sm = ring_mask(w.s);
  d.begin(kTagRelu, n);
  d.random(r_out, w.s);
  std::vector<u64> alpha(n), beta(2 * n), a(n), u0(n), u1(n);
  d.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 r = r_in[i] & sm;
      const u64 bit = (r >> h) & 1;
      const u64 s = (1 - 2 * bit) & sm;  // 1 or -1 in Z_{2^S}
      alpha[i] = r & ring_mask(h);
      beta[2 * i] = s;
      beta[2 * i + 1] = (s * r) & sm;
      a[i] = bit;
      u0[i] = (r_out[i] - bit * r) & sm;
      u1[i] = (bit * r - r + r_out[i]) & sm;
    }
  });
  d.dcf(shape_of(w), alpha, beta);
  d.share(a, w.s);
  d.share(u0, w.s);
  d.share(u1, w.s);
}

void dcf_relu_eval(Party& p, const GateArgs& args, std::span<const u64> xhat, std::span<u64> yhat) {
  std::vector<u64> host_x;
  xhat = p.on_host(xhat, host_x);  // read on the host below
  const Widths w = widths(p.ring(), args, xhat.size(), yhat.size(), "dcf_relu_eval");
  const std::size_t n = xhat.size();
  const int h = w.d - 1;
  const u64 sm = ring_mask(w.s);
  p.keys().expect_record(kTagRelu, n);
  const DcfKeys k = p.read_dcf(shape_of(w), n);
  const std::vector<u64> a = p.read_shares(n, w.s);
  const std::vector<u64> u0 = p.read_shares(n, w.s);
  const std::vector<u64> u1 = p.read_shares(n, w.s);
  std::vector<u64> low(n), sw(2 * n);
  p.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) low[i] = xhat[i] & ring_mask(h);
  });
  if (n) dcf_eval(k, low, sw, p.batch_options());
  const bool p0 = p.id() == 0;
  p.for_range(n, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t i = lo; i < hi; ++i) {
      const u64 x = xhat[i] & sm;
      const u64 z_x = a[i] * x + sw[2 * i] * x;  // this party's share of z x^
      const u64 zr = sw[2 * i + 1];              // ... of s w r (A r is folded into u0 / u1)
      const bool pub = ((x >> h) & 1) == 0;      // p = 1 XOR bit_h(x^)
      const u64 v = pub ? (p0 ? x : 0) - z_x + zr + u1[i] : z_x - zr + u0[i];
      yhat[i] = v & sm;
    }
  });
  p.open(yhat, yhat, w.s);
}

}  // namespace secinfer::fss::fusefss
