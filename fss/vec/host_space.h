// The vector Space in host memory (vec.h): ops on a thread pool's threads, in ranges of at least
// 2^16 elements (inline below that), DCF evaluations through fss::dcf_eval with the given batch
// options (so an accelerator set there still evaluates them, from host arrays).
#pragma once

#include <string>

#include "fss/batch_options.h"
#include "fss/thread_pool.h"
#include "fss/vec/vec.h"

namespace secinfer::fss::vec {

class HostSpace final : public Space {
 public:
  // `pool` runs the loops; `eval` the DCF evaluations. Both must outlive this Space.
  HostSpace(ThreadPool& pool, BatchOptions eval) : pool_(&pool), eval_(eval) {}
  // The batch options of the DCF evaluations (a party's accelerator may change between runs).
  void set_eval_options(BatchOptions eval) { eval_ = eval; }

  std::string describe() const override { return "host"; }
  bool on_device() const override { return false; }
  Vec make(std::size_t n) const override;
  Vec upload(std::span<const u64> values) const override;
  Vec upload(std::vector<u64>&& values) const override;
  void download(const Vec& v, std::span<u64> out) const override;
  void combine(Vec& out, int bits, u64 constant, std::span<const Term> terms) const override;
  using Space::combine;
  void row_sums(const Vec& v, std::size_t cols, int bits, Vec& out) const override;
  void swap_axes(const Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                 std::size_t inner, Vec& out) const override;
  void gather(const Vec& a, const Vec& b, const Vec& index, Vec& out) const override;
  void dcf_eval(const DcfKeys& keys, const Vec& x, Vec& out) const override;
  void dpf_et_lut_eval(const DpfEtKeys& keys, const Vec& idx, std::span<const u64> table,
                       int out_bits, Vec& sum, Vec& count, u64 index_xor_mask) const override;
  void sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                      std::span<Vec* const> bits) const override;
  using Space::sigma_dcf_eval;
  void pack(const Vec& v, int bits, std::span<std::uint8_t> out) const override;
  void unpack_add(std::span<const std::uint8_t> in, int bits, Vec& v) const override;

 private:
  ThreadPool* pool_;
  BatchOptions eval_;
};

}  // namespace secinfer::fss::vec
