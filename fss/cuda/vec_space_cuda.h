// The vector Space on a GPU (fss/vec/vec.h): a gate's party-local vectors in device memory
// (stream-ordered allocations from the device's pool), its ops as kernels on the accelerator's
// stream, transfers through page-locked staging. Made by a CudaAccelerator constructed with
// device vectors on (accelerator_cuda.h), which evaluates the DCFs on device pointers and counts
// this Space's kernel time with its own. Results equal the host Space's bit for bit
// (scripts/gpu_check.sh, group `vec`).
//
// Ops run asynchronously on the stream: only download and pack wait for it (their bytes go to the
// host), and an upload when the staging memory is full. Kernel time is read from event pairs at
// those waits. Calls are serialised by a mutex (two parties of a check may share one
// accelerator).
#pragma once

#include <memory>
#include <string>

#include "fss/vec/vec.h"

namespace secinfer::fss::cuda {

class CudaAccelerator;

class CudaSpace final : public vec::Space {
 public:
  explicit CudaSpace(const CudaAccelerator& accel);
  ~CudaSpace() override;
  CudaSpace(const CudaSpace&) = delete;
  CudaSpace& operator=(const CudaSpace&) = delete;

  std::string describe() const override;
  bool on_device() const override { return true; }
  vec::Vec make(std::size_t n) const override;
  vec::Vec upload(std::span<const u64> values) const override;
  std::optional<vec::Vec> adopt(const ShareBatch& batch) const override;
  void download(const vec::Vec& v, std::span<u64> out) const override;
  void combine(vec::Vec& out, int bits, u64 constant,
               std::span<const vec::Term> terms) const override;
  using Space::combine;
  void row_sums(const vec::Vec& v, std::size_t cols, int bits, vec::Vec& out) const override;
  void swap_axes(const vec::Vec& in, std::size_t outer, std::size_t rows, std::size_t cols,
                 std::size_t inner, vec::Vec& out) const override;
  void gather(const vec::Vec& a, const vec::Vec& b, const vec::Vec& index,
              vec::Vec& out) const override;
  void dcf_eval(const DcfKeys& keys, const vec::Vec& x, vec::Vec& out) const override;
  void dpf_et_lut_eval(const DpfEtKeys& keys, const vec::Vec& idx, std::span<const u64> table,
                       int out_bits, vec::Vec& sum, vec::Vec& count,
                       u64 index_xor_mask) const override;
  void sigma_dcf_eval(const SigmaDcfKeys& keys, std::span<const DcfPoint> points,
                      std::span<vec::Vec* const> bits) const override;
  using Space::sigma_dcf_eval;
  void pack(const vec::Vec& v, int bits, std::span<std::uint8_t> out) const override;
  void unpack_add(std::span<const std::uint8_t> in, int bits, vec::Vec& v) const override;
  vec::HostBytes host_bytes(std::size_t n) const override;

 private:
  const CudaAccelerator* accel_;
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace secinfer::fss::cuda
