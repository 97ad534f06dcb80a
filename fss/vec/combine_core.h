// Space::combine's arithmetic, written once for the host and the GPU (fss/vec/host_space.cpp,
// fss/cuda/ring_vec.cu): term_value is the one expression of a term both evaluate, so the two
// Spaces agree bit for bit.
#pragma once

#include <cstddef>

#include "fss/ring.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::vec {

// A Term with its vectors resolved to addresses in one Space's memory (null: not used).
struct TermView {
  const u64* v = nullptr;
  const u64* times = nullptr;
  const u64* gate = nullptr;
  u64 coef = 1;
  u64 mask = ~u64{0};  // ring_mask(width)
  int stride = 1;
  int offset = 0;
  std::size_t repeat = 1;
  std::size_t cycle = 0;  // 0: no cycle
  u64 add = 0;
  int shr = 0;
  int gate_bit = 0;
  int gate_when = 1;
};

// A whole combine call, passed by value to a kernel.
struct CombineParams {
  TermView term[kMaxTerms];
  int terms = 0;
  u64 constant = 0;
  u64 out_mask = ~u64{0};
};

inline CombineParams combine_params(int bits, u64 constant, std::span<const Term> terms) {
  CombineParams p;
  p.terms = static_cast<int>(terms.size());
  p.constant = constant;
  p.out_mask = ring_mask(bits);
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const Term& t = terms[k];
    p.term[k] = TermView{t.v->data(),
                         t.times != nullptr ? t.times->data() : nullptr,
                         t.gate != nullptr ? t.gate->data() : nullptr,
                         t.coef,
                         ring_mask(t.width),
                         t.stride,
                         t.offset,
                         t.repeat,
                         t.cycle,
                         t.add,
                         t.shr,
                         t.gate_bit,
                         t.gate_when ? 1 : 0};
  }
  return p;
}

// One term's summand at element i (coef included).
SECINFER_HD u64 term_value(const TermView& t, std::size_t i) {
  // The branches spare the common term (no cycle, no repeat) its divisions.
  const std::size_t j = t.cycle == 0 ? i : i % t.cycle;
  const std::size_t row = t.repeat == 1 ? j : j / t.repeat;
  u64 x = ((t.v[row * static_cast<std::size_t>(t.stride) + static_cast<std::size_t>(t.offset)] +
            t.add) >>
           t.shr) &
          t.mask;
  if (t.times != nullptr) x *= t.times[i];
  if (t.gate != nullptr && static_cast<int>((t.gate[i] >> t.gate_bit) & 1) != t.gate_when) x = 0;
  return t.coef * x;
}

// Element i of the combine (the GPU's kernel, one thread an element).
SECINFER_HD u64 combine_one(const CombineParams& p, std::size_t i) {
  u64 acc = p.constant;
  for (int k = 0; k < p.terms; ++k) acc += term_value(p.term[k], i);
  return acc & p.out_mask;
}

}  // namespace secinfer::fss::vec
