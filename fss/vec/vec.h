// The vector vocabulary that a gate's party-local arithmetic is written in, once, for the host and
// the GPU (docs/design/gpu-online-phase.md "Vectors where the party computes"). A Space owns the
// memory and runs the ops: HostSpace (host_space.h) on the party's threads, the CUDA backend's on
// its stream (fss/cuda/accelerator_cuda.h). Both give the same results bit for bit
// (tests/fss/vec/, scripts/gpu_check.sh group `vec`).
//
//   const vec::Space& sp = party.space();
//   vec::Vec x = sp.upload(xhat), y = sp.make(x.size());
//   sp.combine(y, bits, c, {{.v = &x, .shr = s}, {.v = &q}, {.v = &borrow, .coef = ~u64{0}}});
//   party.open(y, bits);          // packed where y lives, exchanged as host bytes
//   sp.download(y, yhat);
//
// A Vec is move-only and belongs to the Space that made it; ops on another Space's vectors throw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fss/dcf.h"
#include "fss/dpf_et.h"
#include "fss/ring.h"
#include "fss/share_batch.h"
#include "fss/sigma_dcf.h"
#include "fss/vec/host_bytes.h"

namespace secinfer::fss::vec {

class Space;

// n ring elements (u64 words) in a Space's memory.
class Vec {
 public:
  Vec() = default;
  Vec(Vec&&) noexcept = default;
  Vec& operator=(Vec&&) noexcept = default;
  Vec(const Vec&) = delete;
  Vec& operator=(const Vec&) = delete;

  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  const Space* space() const { return space_; }
  // The first element's address in the Space's memory (host or device).
  u64* data() const { return data_; }
  // Elements [offset, offset + n) of this vector as a vector of its own that shares the memory
  // (writes through it are writes into this one); throws std::out_of_range past the end.
  Vec view(std::size_t offset, std::size_t n) const;

  // For Space implementations: n words at `data`, kept alive by `storage`.
  Vec(const Space* space, u64* data, std::size_t n, std::shared_ptr<void> storage)
      : space_(space), data_(data), n_(n), storage_(std::move(storage)) {}

 private:
  const Space* space_ = nullptr;
  u64* data_ = nullptr;
  std::size_t n_ = 0;
  std::shared_ptr<void> storage_;
};

// One summand of Space::combine: coef * (((v + add) >> shr) mod 2^width) [* times] [* gate bit],
// where element i of v is v[(j / repeat) * stride + offset] with j = i % cycle where cycle > 0,
// else i (stride > 1 reads one field of interleaved records: v then has stride times out's
// elements; repeat > 1 reads each element of v for repeat consecutive outputs, a row's value
// broadcast over its columns: v then has out's elements / repeat, times stride; cycle > 0 reads
// the same `cycle` values again for every `cycle` outputs, a bias row broadcast over the rows: v
// then has cycle / repeat times stride elements). times and gate are read at i. `add` reads a bit
// field of v + c (mod 2^64), e.g. the msb of x - c mod 2^b, with no kernel of its own for x - c.
struct Term {
  const Vec* v = nullptr;
  int stride = 1;              // 1..64
  int offset = 0;              // 0..stride-1
  std::size_t repeat = 1;      // >= 1, dividing out's size
  std::size_t cycle = 0;       // > 0: element i of the term is read at position i % cycle first
                               // (then repeat, stride, offset as before): a row of `cycle` values
                               // broadcast over every row of out (a bias); cycle must divide
                               // out's size
  u64 add = 0;                 // added to the element (mod 2^64) before the shift
  int shr = 0;                 // 0..63
  int width = 64;              // 1..64, after the shift
  u64 coef = 1;                // mod 2^64 (~0 subtracts)
  const Vec* times = nullptr;  // elementwise factor (mod 2^64), if set
  const Vec* gate = nullptr;   // if set: the term counts where bit `gate_bit` of gate[i] ...
  int gate_bit = 0;            // (0..63)
  bool gate_when = true;       // ... equals this
};

// The most terms one combine takes (the CUDA kernel's parameter block).
inline constexpr std::size_t kMaxTerms = 6;

// Memory and elementwise ops over ring vectors. Every op is elementwise and deterministic: the
// result never depends on the thread count or the device. Ops are ordered as they are called; a
// device Space's run asynchronously until download / pack return.
class Space {
 public:
  virtual ~Space() = default;

  // "host" or the device ("cuda:0").
  virtual std::string describe() const = 0;
  virtual bool on_device() const = 0;

  // n elements, contents unspecified.
  virtual Vec make(std::size_t n) const = 0;
  // A copy of host values (the host Space takes a vector's buffer as it is).
  virtual Vec upload(std::span<const u64> values) const = 0;
  virtual Vec upload(std::vector<u64>&& values) const {
    return upload(std::span<const u64>(values));
  }
  // A resident share batch (fss/share_batch.h, made resident by this Space's accelerator) as a
  // vector of this Space without a copy, or nullopt where this Space cannot read it in place (the
  // host, another accelerator's batch). The vector shares the batch's memory: read it, never
  // write it.
  virtual std::optional<Vec> adopt(const ShareBatch& /*batch*/) const { return std::nullopt; }
  // The values back on the host (out.size() == v.size()); waits for the ops before it.
  virtual void download(const Vec& v, std::span<u64> out) const = 0;

  // out[i] = (constant + sum_t term_t(i)) mod 2^bits (bits 1..64), at most kMaxTerms terms, every
  // vector of out's size; out may be one of the terms' vectors.
  virtual void combine(Vec& out, int bits, u64 constant, std::span<const Term> terms) const = 0;
  void combine(Vec& out, int bits, u64 constant, std::initializer_list<Term> terms) const {
    combine(out, bits, constant, std::span<const Term>(terms.begin(), terms.size()));
  }

  // This party's shares of the DCF batch at x (fss/dcf.h dcf_eval: x[i] < 2^in_bits, one point
  // per key); out.size() == x.size() == keys.count.
  virtual void dcf_eval(const DcfKeys& keys, const Vec& x, Vec& out) const = 0;
  // A point of sigma_dcf_eval: key i at (x[i] + add) mod 2^in_bits. The Space reduces it, so a
  // caller passes x as it is, with no kernel of its own to form x + add mod 2^b.
  struct DcfPoint {
    const Vec* x = nullptr;
    u64 add = 0;
  };
  // This party's XOR shares (0 or 1) of SIGMA's comparison bits (fss/sigma_dcf.h
  // sigma_dcf_eval): key i at point j into bits[j][i], for each of the P = points.size() points
  // (vectors of keys.count elements; P <= kMaxPoints).
  static constexpr std::size_t kMaxPoints = 4;
  virtual void sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                              std::span<Vec* const> bits) const = 0;
  void sigma_dcf_eval(const SigmaDcfKeys& keys, const Vec& x, Vec& bits, u64 add = 0) const {
    const DcfPoint p[1] = {{&x, add}};
    Vec* b[1] = {&bits};
    sigma_dcf_eval(keys, p, b);
  }
  // The lookup-table sums of SIGMA's LUT at the indices idx (fss/dpf_et.h dpf_et_lut_eval's
  // contract: idx[i] < 2^k, table.size() == 2^k, index_xor_mask as there); sum and count have
  // keys.count elements.
  virtual void dpf_et_lut_eval(const DpfEtKeys& keys, const Vec& idx, std::span<const u64> table,
                               int out_bits, Vec& sum, Vec& count,
                               u64 index_xor_mask = 0) const = 0;

  // out[r] = (sum over j < cols of v[r * cols + j]) mod 2^bits (bits 1..64): the sums of the rows
  // of a row-major [out.size(), cols] matrix; cols > 0, v.size() == out.size() * cols. out must
  // not overlap v (but may be v itself when cols == 1).
  virtual void row_sums(const Vec& v, std::size_t cols, int bits, Vec& out) const = 0;
  // The two middle axes of a row-major [outer, rows, cols, inner] array swapped:
  // out[((o * cols + c) * rows + r) * inner + i] = in[((o * rows + r) * cols + c) * inner + i]
  // (a transformer's [batch, seq, heads, head_dim] to [batch, heads, seq, head_dim] is
  // swap_axes(in, batch, seq, heads, head_dim, out)). in.size() == out.size() == outer * rows *
  // cols * inner; in and out are distinct vectors whose memory does not overlap.
  virtual void swap_axes(const Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                         std::size_t inner, Vec& out) const = 0;
  // A selection at public positions: out[i] = element index[i] of a and b side by side (a's
  // elements first), or 0 where index[i] >= a.size() + b.size(). b may be empty; out.size() ==
  // index.size(), and out's memory overlaps none of a, b and index.
  virtual void gather(const Vec& a, const Vec& b, const Vec& index, Vec& out) const = 0;

  // Openings (engine::Party::open): v packed to `bits` per element for the wire
  // (fss::pack_bits's layout, out.size() == packed_bytes(v.size(), bits)), and the peer's packed
  // share added to v mod 2^bits.
  virtual void pack(const Vec& v, int bits, std::span<std::uint8_t> out) const = 0;
  virtual void unpack_add(std::span<const std::uint8_t> in, int bits, Vec& v) const = 0;
  // n bytes of host memory for an opening's messages, owned by the caller: a device Space's is
  // page-locked, and its pack / unpack_add copy such memory directly (unpack_add has finished
  // reading `in` when it returns, whatever memory it is).
  virtual HostBytes host_bytes(std::size_t n) const { return HostBytes(n); }

 protected:
  Space() = default;
  // Throws std::invalid_argument unless v was made by this Space and has n elements.
  void check(const Vec& v, std::size_t n, const char* what) const;
  // The checks of combine: widths, shifts, sizes and owners; throws std::invalid_argument.
  void check_combine(const Vec& out, int bits, std::span<const Term> terms) const;
  // The checks of row_sums and swap_axes: sizes, bits, owners, distinct vectors; throw
  // std::invalid_argument.
  void check_row_sums(const Vec& v, std::size_t cols, int bits, const Vec& out) const;
  void check_swap_axes(const Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                       std::size_t inner, const Vec& out) const;
  void check_gather(const Vec& a, const Vec& b, const Vec& index, const Vec& out) const;
  // The checks of sigma_dcf_eval: P in [1, kMaxPoints], one output per point, sizes and owners.
  void check_sigma_dcf(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                       std::span<Vec* const> bits) const;
};

}  // namespace secinfer::fss::vec
