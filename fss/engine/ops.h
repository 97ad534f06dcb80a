// The operator interface that models are written against, once (SPEC sections 1 and 2).
//
// A forward pass is a sequence of calls on an `Ops`. Three implementations run the same sequence:
//   * ClearOps   (cleartext fixed point): a tensor holds the values x themselves;
//   * DealerOps  (offline): a tensor holds the masks r; every gate draws its output mask and
//                writes both parties' keys (or, in `inline` mode, only this party's);
//   * PartyOps   (online, one party): a tensor holds the public masked values x^ = x + r; every
//                gate reads this party's next key, evaluates, and opens y^ with the peer.
// Because DealerOps and PartyOps see the same call sequence, keys are consumed in the order they
// were made. ClearOps uses the same gate algorithms and bit widths, so the opened secure output
// equals ClearOps' output bit for bit (the tests check this).
//
// All values are elements of Z_{2^n} (n = Ops::ring().bits) in signed fixed point with
// `frac_bits` fractional bits unless an argument says otherwise. Every op opens its own
// profiling::Scope named after SPEC section 3 ("Linear", "TruncRescale", ...) unless the caller
// already opened the category (e.g. Softmax opens "Softmax" and the ops inside open sub-scopes).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "fss/ring.h"

namespace secinfer::fss::engine {

// A dense row-major tensor of ring elements. What `data` means (value, mask, or masked value)
// depends on the Ops that produced it; shape is metadata only.
struct Tensor {
  std::vector<std::size_t> shape;
  std::vector<u64> data;

  std::size_t size() const { return data.size(); }
  static Tensor zeros(std::vector<std::size_t> shape);
};

// Matrix product batch: C[b] = A[b] (M x K) * B[b] (K x N), b < batches; B may be shared by all
// batches (weights). Transposes let attention use K^T without a copy.
struct MatmulShape {
  std::size_t batches = 1, m = 0, k = 0, n = 0;
  bool transpose_b = false;   // B[b] is stored N x K
  bool shared_b = false;      // one B for all batches (a weight)
  bool causal = false;        // only the lower triangle of C is needed (GPT-2 QK^T, AV inputs)
};

enum class TruncKind {
  kFloor,      // exact truncate-reduce (SIGMA's TR / ARS-exact): floor(x / 2^s), signed
  kWithSlack,  // SIGMA's faster truncation inside nonlinear ops: may be off by one, documented
};

enum class Suite { kSigma, kFuseFss };

class Ops {
 public:
  virtual ~Ops() = default;

  virtual Ring ring() const = 0;
  virtual int frac_bits() const = 0;
  virtual Suite suite() const = 0;

  // Secret inputs. `owner` (0 = model owner / server, 1 = client) holds the cleartext `values`;
  // other implementations ignore `values` beyond its size. Weights are masked once, offline.
  virtual Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) = 0;
  virtual Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) = 0;
  // Opens a tensor to both parties (the final logits); returns the cleartext values.
  virtual std::vector<u64> reveal(const Tensor& x) = 0;

  // Local linear ops (no communication): elementwise a + b, a - b, a + public constant,
  // a * public integer (no truncation), a + row-broadcast bias (bias.size() == last dim).
  virtual Tensor add(const Tensor& a, const Tensor& b) = 0;
  virtual Tensor sub(const Tensor& a, const Tensor& b) = 0;
  virtual Tensor add_const(const Tensor& a, u64 c) = 0;
  virtual Tensor mul_const(const Tensor& a, u64 c) = 0;
  virtual Tensor add_bias(const Tensor& a, const Tensor& bias) = 0;
  // Sum over the last dimension (result has shape[:-1]); local.
  virtual Tensor sum_last(const Tensor& a) = 0;
  // Reshape / permute / slice are local and free: implementations apply them to `data` alike.
  virtual Tensor transpose_heads(const Tensor& x, std::size_t batch, std::size_t seq,
                                 std::size_t heads, std::size_t head_dim, bool inverse) = 0;

  // Secret x secret products, result at scale 2f (the caller truncates).
  virtual Tensor matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) = 0;
  virtual Tensor mul(const Tensor& a, const Tensor& b) = 0;              // elementwise
  // Row-wise product: a is rows x cols, b has one value per row.
  virtual Tensor mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) = 0;

  // Truncation by `shift` bits (TruncRescale).
  virtual Tensor truncate(const Tensor& a, int shift, TruncKind kind) = 0;

  // Comparison family (DCF based): ReLU(x), max over the last dimension (tree of ReLU(x-y)+y).
  virtual Tensor relu(const Tensor& a) = 0;
  virtual Tensor max_last(const Tensor& a, std::size_t cols) = 0;

  // Nonlinear functions; the suite decides the protocol (SIGMA's gates or FuseFSS fused gates).
  virtual Tensor gelu(const Tensor& a) = 0;
  virtual Tensor silu(const Tensor& a) = 0;
  // Softmax over the last dimension (rows x cols); causal masks column j > row index i % cols.
  virtual Tensor softmax(const Tensor& a, std::size_t cols, bool causal) = 0;
  // LayerNorm / RMSNorm over the last dimension with public-shape secret gamma, beta (weights).
  virtual Tensor layernorm(const Tensor& a, const Tensor& gamma, const Tensor& beta,
                           std::size_t cols) = 0;
  virtual Tensor rmsnorm(const Tensor& a, const Tensor& gamma, std::size_t cols) = 0;
};

}  // namespace secinfer::fss::engine
