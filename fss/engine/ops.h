// The operator interface that models are written against, once (docs/design/product-spec.md "The
// run model" and "Models and references").
//
// A forward pass is a sequence of calls on an `Ops`. Three implementations run the same sequence:
//   * ClearOps   (cleartext fixed point, clear_ops.h): a tensor holds the values x themselves;
//   * DealerOps  (offline, dealer_ops.h): a tensor holds the masks r; every gate draws its output
//                mask and writes both parties' keys (or, in `inline` mode, only this party's);
//   * PartyOps   (online, one party, party_ops.h): a tensor holds the public masked values
//                x^ = x + r; every gate reads this party's next key, evaluates, and opens y^.
// Because DealerOps and PartyOps see the same call sequence, keys are consumed in the order they
// were made. ClearOps uses the same gate algorithms and bit widths, so the opened secure output
// equals ClearOps' output bit for bit (the tests check this). Preconditions (documented per gate,
// e.g. TrWithSlack needs |x| < 2^(n-2), max needs |a - b| < 2^(n-1)) are the caller's to keep.
//
// All values are elements of Z_{2^n} (n = Ops::ring().bits) in signed fixed point with
// `frac_bits` fractional bits unless an argument says otherwise.
//
// Nonlinear functions dispatch through a GateSuite (the table of a suite's gates and composite
// functions, e.g. sigma::suite() in fss/gates/sigma/suite.h): Ops::gelu(a) runs
// unary(gates().gelu, a); Ops::softmax runs gates().softmax(*this, ...), a function written ONCE
// over this interface (e.g. sigma::softmax in fss/gates/sigma/nonlinear.h) that calls leaf ops
// (max_last, sub, nexp, inverse, mul_rowwise, truncate, ...). A new leaf gate needs no change to
// the three implementations: give it a UnaryGate (gate.h) and call ops.unary(gate, a, args).
//
// Profiling scopes: every op opens one profiling::Scope. Called from model code (nesting depth 0 in
// this Ops) it opens the top-level category of docs/design/product-spec.md "Scopes and the
// breakdown" ("Linear", "TruncRescale", "Softmax", ...); called inside another op or inside an
// Ops::Region it opens a short sub-scope name ("matmul", "trunc", "nexp", ...), so a softmax shows
// as Softmax, Softmax/max, Softmax/nexp, ... The names: input/weight/reveal and local ops: "Misc" /
// (none for local ops when nested); matmul: "Linear"/"matmul"; mul, mul_rowwise, square:
// "Linear"/"mul"; truncate: "TruncRescale"/"trunc"; relu: "Activation::ReLU"/"relu"; max_last:
// "Softmax"/"max"; unary gates: their UnaryGate::top_scope / nested_scope; softmax:
// "Softmax"/"softmax"; layernorm, rmsnorm: "LayerNorm"/"layernorm". Model code that groups several
// ops (a projection: matmul + truncate + add_bias) opens `Ops::Region r(ops, "Linear");` around
// them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fss/engine/gate.h"
#include "fss/engine/tensor_values.h"
#include "fss/ring.h"
#include "fss/share_batch.h"

namespace secinfer::profiling {
class Scope;
}

namespace secinfer::fss {
class ResidentKeys;  // fss/accelerator.h
}

namespace secinfer::fss::engine {

// A dense row-major tensor of ring elements. What `data` means (value, mask, or masked value)
// depends on the Ops that produced it; shape is metadata only. PartyOps may leave `data` in its
// party's vector Space (tensor_values.h); host code reads it as a vector either way.
struct Tensor {
  std::vector<std::size_t> shape;
  TensorValues data;
  // A copy of `data` in the party's accelerator (fss::Accelerator::hold), made for operands that
  // stay fixed (PartyOps::weight, in the offline phase); null otherwise. Ops make new tensors and
  // never write into a weight, so the copy stays equal to `data`.
  std::shared_ptr<const ResidentKeys> held{};
  // A weight that is a product's B operand (Ops::weight_matrix): its mask's shares [r_W], dealt
  // with it, once, so that the products that read it carry only [r_A] and the correlation in
  // their keys (linear.h). The party's share here; the dealer's and the trace's tensors hold an
  // empty batch (dealt, not kept). Null for every other tensor.
  std::shared_ptr<const ShareBatch> mask_shares{};

  std::size_t size() const { return data.size(); }
  static Tensor zeros(std::vector<std::size_t> shape);
  // Product of the shape; throws std::invalid_argument if it differs from data.size().
  std::size_t checked_size() const;
};

// The shape of a sum over the last dimension: the shape without its last entry; {1} when that
// leaves nothing (a 1-D tensor sums to one value).
inline std::vector<std::size_t> summed_last_shape(const std::vector<std::size_t>& shape) {
  return shape.size() > 1 ? std::vector<std::size_t>(shape.begin(), shape.end() - 1)
                          : std::vector<std::size_t>{1};
}

// Matrix product batch: C[b] = A[b] (M x K) * B[b] (K x N), b < batches; B may be shared by all
// batches (weights). Transposes let attention use K^T without a copy.
struct MatmulShape {
  std::size_t batches = 1, m = 0, k = 0, n = 0;
  bool transpose_b = false;  // B[b] is stored N x K
  bool shared_b = false;     // one B for all batches (a weight)
  bool causal = false;       // only the lower triangle of C is needed (GPT-2 QK^T): C[i][j] for
                             // j > i is not computed, not opened, and set to 0 in every Ops
};

// The columns each softmax row sees (Ops::softmax). Not causal: all. Causal: the rows come in
// blocks of cols - first_row, and row r of a block sees columns 0 .. first_row + r (the queries
// first_row .. cols - 1 of a decoder against its keys 0 .. cols - 1; first_row 0 is the square
// lower triangle of a whole sequence).
struct SoftmaxMask {
  bool causal = false;
  std::size_t first_row = 0;
};

enum class TruncKind {
  kFloor,      // exact truncate-reduce (SIGMA's TrFloor): floor(x / 2^s), signed; bit-exact
  kWithSlack,  // SIGMA's TrWithSlack inside nonlinear ops: the same floor(x / 2^s), exact when
               // |x| < 2^(n-2) (wrong outside that bound); 2 rounds instead of 4 (sigma/truncate.h)
};

enum class Suite { kSigma, kFuseFss };

class Ops;

// A suite's nonlinear gates (gate.h) and its composite functions over Ops. A missing entry
// (UnaryGate without faces, null function) throws std::logic_error naming it when used.
struct GateSuite {
  Suite id = Suite::kSigma;
  std::string_view name = "sigma";
  UnaryGate gelu, silu;
  // Optional fused TrFloor(shift) + GELU / SiLU (GateArgs::param = shift, input at scale 2f): a
  // suite without them (faces null) runs truncate(kFloor) then gelu / silu instead.
  UnaryGate trunc_gelu, trunc_silu;
  // Optional TrFloor(shift) of truncate(kFloor) (GateArgs::param = shift; the same function, bit
  // for bit): a suite without it (faces null) runs SIGMA's (sigma/truncate.h).
  UnaryGate trunc_floor;
  // Optional TrWithSlack(shift) of truncate(kWithSlack), the same way.
  UnaryGate trunc_slack;
  // The gate truncate(kind) runs: trunc_floor or trunc_slack, or SIGMA's where not provided.
  const UnaryGate& truncation(TruncKind kind) const;
  // Optional ReLU of relu(a, bits) and of the max_last tree (GateArgs::param = bits, 0 = the ring;
  // sigma::relu_clear's function, bit for bit): a suite without it (faces null) runs SIGMA's.
  UnaryGate relu;
  // The gate relu and max_last run: relu, or SIGMA's where not provided.
  const UnaryGate& relu_gate() const;
  UnaryGate nexp;     // exp(-x) for x >= 0 (softmax)
  UnaryGate inverse;  // 1 / x for x > 0 (softmax row sums; GateArgs::cols = terms per sum)
  UnaryGate rsqrt;    // 1 / sqrt(x) for x > 0 (LayerNorm; GateArgs::cols = hidden size)
  Tensor (*softmax)(Ops&, const Tensor& a, std::size_t cols, SoftmaxMask mask) = nullptr;
  // SIGMA's softmax takes the row max in the reduced ring of n - f + 2 bits (its nExp reads no
  // more of x); false: in the ring (a suite whose nExp reads the whole ring).
  bool softmax_max_reduced = false;
  Tensor (*layernorm)(Ops&, const Tensor& a, const Tensor& gamma, const Tensor& beta,
                      std::size_t cols) = nullptr;
  Tensor (*rmsnorm)(Ops&, const Tensor& a, const Tensor& gamma, std::size_t cols) = nullptr;
};

// Positions for Ops::gather (public), with their copy in the party's Space once a gather has
// used them there: patterns that repeat (every layer's causal softmax) move once.
struct GatherIndex {
  std::vector<u64> positions;
  mutable std::optional<vec::Vec> resident;  // set by the first gather in a Space
};

class Ops {
 public:
  virtual ~Ops();

  virtual Ring ring() const = 0;
  virtual int frac_bits() const = 0;
  virtual const GateSuite& gates() const = 0;
  Suite suite() const { return gates().id; }

  // Secret inputs. `owner` (0 = model owner / server, 1 = client) holds the cleartext `values`;
  // other implementations ignore `values` beyond its size (the non-owner may pass an empty span).
  // Online cost: the owner sends x + r, ceil(N n / 8) bytes, one message.
  virtual Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) = 0;
  // Weights: party 0's input, masked once (SIGMA keeps masked weights; do this before the online
  // clock starts). The masked weight is public to both parties.
  virtual Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) = 0;
  // A weight that is the B operand of products (MatmulShape::shared_b): weight(), and the shares
  // of its mask dealt with it (Tensor::mask_shares) instead of in every product's key. The mask
  // is fixed for as long as the masked weight is, so its shares are too: a secret-shared model.
  virtual Tensor weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) {
    return weight(std::move(shape), values);
  }
  // Opens a tensor to both parties (the final logits); returns the cleartext values.
  virtual std::vector<u64> reveal(const Tensor& x) = 0;

  // Local linear ops (no communication, no keys): elementwise a + b, a - b, a + public constant,
  // a * public integer (no truncation), a + row-broadcast bias (bias.size() == last dim).
  virtual Tensor add(const Tensor& a, const Tensor& b) = 0;
  virtual Tensor sub(const Tensor& a, const Tensor& b) = 0;
  virtual Tensor add_const(const Tensor& a, u64 c) = 0;
  virtual Tensor mul_const(const Tensor& a, u64 c) = 0;
  virtual Tensor add_bias(const Tensor& a, const Tensor& bias) = 0;
  // Sum over the last dimension (result has shape[:-1]); local.
  virtual Tensor sum_last(const Tensor& a) = 0;
  // b has one element per row; returns rows x cols with out[i][j] = b[i]. Local.
  virtual Tensor broadcast_rows(const Tensor& b, std::size_t cols) = 0;
  // Reshape / permute / slice are local and free: implementations apply them to `data` alike.
  virtual Tensor transpose_heads(const Tensor& x, std::size_t batch, std::size_t seq,
                                 std::size_t heads, std::size_t head_dim, bool inverse) = 0;
  // A selection at public positions, of the given shape (its product is the positions' count):
  // element i is element p[i] of a and b side by side (a's first), or the public 0 where p[i] >=
  // a.size() + b.size() (mask 0, masked value 0). Local; b may be empty. The causal softmax's
  // ragged rows (sigma/softmax.h), where the party's values stay.
  virtual Tensor gather(const Tensor& a, const Tensor& b, const GatherIndex& index,
                        std::vector<std::size_t> shape) = 0;
  // The positions kept under `key`, made by `make` the first time; this Ops keeps up to
  // kGatherCacheBytes of them (then starts over), each with its copy in the Space once used there.
  static constexpr std::size_t kGatherCacheBytes = std::size_t{256} << 20;
  std::shared_ptr<const GatherIndex> gather_index(const std::string& key,
                                                  const std::function<std::vector<u64>()>& make);

  // Secret x secret products, result at scale 2f (the caller truncates). One round each.
  virtual Tensor matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) = 0;
  virtual Tensor mul(const Tensor& a, const Tensor& b) = 0;  // elementwise
  // Row-wise product: a is rows x cols, b has one value per row.
  virtual Tensor mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) = 0;
  // Elementwise a * a (cheaper key than mul(a, a)).
  virtual Tensor square(const Tensor& a) = 0;

  // Truncation by `shift` bits (TruncRescale).
  virtual Tensor truncate(const Tensor& a, int shift, TruncKind kind) = 0;

  // Comparison family (DCF based): ReLU(x), max over the last dimension (tree of ReLU(x-y)+y).
  // `bits` > 0 computes in the reduced ring Z_{2^bits} (SIGMA's softmax max, n - f + 2 bits): the
  // result is right mod 2^bits (its higher bits are not) while every difference compared is below
  // 2^(bits-1) in magnitude; 0 = the ring.
  virtual Tensor relu(const Tensor& a, int bits) = 0;
  virtual Tensor max_last(const Tensor& a, std::size_t cols, int bits) = 0;

  // Any unary elementwise gate with its three faces (gate.h); opens the gate's scope.
  virtual Tensor unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) = 0;

  // Nonlinear functions through gates(); an implementation may override them.
  virtual Tensor gelu(const Tensor& a);
  virtual Tensor silu(const Tensor& a);
  // gelu / silu of truncate(a, shift, kFloor) (a at scale 2f, shift = f): the suite's fused gate
  // when it has one (one "Activation::*" scope), else the two ops with their own scopes.
  Tensor trunc_gelu(const Tensor& a, int shift);
  Tensor trunc_silu(const Tensor& a, int shift);
  virtual Tensor nexp(const Tensor& a);
  virtual Tensor inverse(const Tensor& a, std::size_t cols);
  virtual Tensor rsqrt(const Tensor& a, std::size_t cols);
  // Softmax over the last dimension (rows x cols), each row over the columns `mask` gives it.
  virtual Tensor softmax(const Tensor& a, std::size_t cols, SoftmaxMask mask);
  // LayerNorm / RMSNorm over the last dimension with public-shape secret gamma, beta (weights).
  virtual Tensor layernorm(const Tensor& a, const Tensor& gamma, const Tensor& beta,
                           std::size_t cols);
  virtual Tensor rmsnorm(const Tensor& a, const Tensor& gamma, std::size_t cols);

  // A profiling scope tied to this Ops' nesting (see the header comment): opens `top` when no op or
  // Region of this Ops is open, else `nested` (empty `nested`: opens nothing when nested).
  class Region {
   public:
    Region(Ops& ops, std::string_view top, std::string_view nested);
    Region(Ops& ops, std::string_view name) : Region(ops, name, name) {}
    ~Region();
    Region(const Region&) = delete;
    Region& operator=(const Region&) = delete;

   private:
    Ops& ops_;
    std::unique_ptr<profiling::Scope> scope_;
    std::size_t path_len_;
  };
  // The current scope path of this Ops ("Softmax/nexp"; "" at top level).
  const std::string& scope_path() const { return path_; }

 protected:
  // Called with the scope path whenever a Region opens or closes (DealerOps tracks key bytes).
  virtual void on_scope_change() {}

 private:
  int depth_ = 0;
  std::string path_;
  std::map<std::string, std::shared_ptr<const GatherIndex>> gather_cache_;
  std::size_t gather_cache_bytes_ = 0;
};

}  // namespace secinfer::fss::engine
