// The CUDA backend as an fss::Accelerator (fss/accelerator.h): the party's DCF, DPF, LUT and
// multipoint DCF evaluations on one GPU, bit-identical to the CPU (the kernels of dcf_cuda.h,
// dpf_cuda.h and multipoint_dcf_cuda.h; scripts/gpu_check.sh checks them on the device).
//
//   fss::cuda::CudaAccelerator gpu;                      // device 0; one per party process
//   fss::cuda::CudaEventTimer timer(gpu);                // cuda_event_timer.h
//   recorder.set_gpu_timer(&timer);
//   engine::Party party(id, ring, f, ch, keys, threads, &gpu);
//
// Each call is synchronous: the keys go up (inside profiling::Scope "KeyTransfer": key transfer is
// its own scope, docs/design/fusefss-design.md "Weaknesses of the public prototype", item 7), then
// the inputs, the kernel runs on the accelerator's own stream between a pair of CUDA events, and
// the outputs come back. The device arrays are grow-only and kept across calls (a model's layers
// repeat the same sizes, so only the first layer allocates). Kernel time (the event pairs, summed)
// is what kernel_ns() reports and what CudaEventTimer charges to the open profiling scopes. Calls
// are serialised by a mutex. This header needs no CUDA headers (the state lives in the .cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "fss/accelerator.h"
#include "fss/cuda/config.h"

namespace secinfer::fss::cuda {

class Stream;     // device_buffer.h
class CudaSpace;  // vec_space_cuda.h

// How this process's host threads wait for the device (CUDA's scheduling flags): kAuto leaves
// CUDA's heuristic (spin while the process has fewer contexts than the host has cores).
enum class HostWait { kAuto, kSpin, kYield, kBlock };

class CudaAccelerator final : public fss::Accelerator {
 public:
  // Binds to `device` (cudaSetDevice) and creates a stream and two events there. Throws
  // std::invalid_argument when no such device is visible, std::runtime_error on a CUDA error.
  // key_budget_bytes: device memory that resident key batches may hold at once (make_resident);
  // 0 = 35% of the device's memory (two parties may share one GPU).
  // device_vectors: the gates' party-local vectors live on the device (vec_space(): a CudaSpace);
  // off, they stay on the host and only the calls below run here.
  // wait: the device's scheduling flags for this process (cudaSetDeviceFlags, read back with
  // cudaGetDeviceFlags; std::runtime_error where the device keeps others); kAuto sets none.
  explicit CudaAccelerator(int device = 0, KernelConfig cfg = {},
                           std::uint64_t key_budget_bytes = 0, bool device_vectors = false,
                           HostWait wait = HostWait::kAuto);
  ~CudaAccelerator() override;
  CudaAccelerator(const CudaAccelerator&) = delete;
  CudaAccelerator& operator=(const CudaAccelerator&) = delete;

  std::string describe() const override;
  int device() const;
  const vec::Space* vec_space() const override;

  // For the CudaSpace on this device: the stream its ops run on (this accelerator's), the DCF
  // kernel at device points into device outputs on it (keys resident or uploaded; one point per
  // key; asynchronous, timed by the caller), and the Space's kernel time and transfers onto this
  // accelerator's statistics.
  const std::shared_ptr<Stream>& stream() const;
  void dcf_launch_on_device(const DcfKeys& keys, const u64* x, u64* out) const;
  // SIGMA's DCF at device points (key i's P points side by side) into device bytes;
  // asynchronous.
  void sigma_dcf_launch_on_device(const SigmaDcfKeys& keys, std::size_t points_per_key,
                                  const u64* x, std::uint8_t* out) const;
  // SIGMA's LUT sums at device indices (dpf_et_lut_eval's contract), the table's bit planes (or
  // the table) kept on the device per distinct table; asynchronous.
  void dpf_et_lut_launch_on_device(const DpfEtKeys& keys, const u64* idx,
                                   std::span<const u64> table, int out_bits, u64* sum, u64* count,
                                   u64 index_xor_mask) const;
  void add_kernel_ns(std::uint64_t ns) const;
  // The device address of a share batch this accelerator made resident (make_resident), else
  // null.
  const u64* resident_values(const ShareBatch& shares) const;
  void count_transfer(std::uint64_t up_bytes, std::uint64_t down_bytes) const;

  void dcf_eval(const DcfKeys& keys, std::span<const u64> x, std::span<u64> out) const override;
  void dpf_eval(const DpfKeys& keys, std::span<const u64> x, std::span<u64> out) const override;
  void dpf_lut_eval(const DpfKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                    std::span<u64> out) const override;
  bool dpf_et_lut_eval(const DpfEtKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                       int out_bits, std::span<u64> sum, std::span<u64> count,
                       u64 index_xor_mask) const override;
  void dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                           std::span<const u64> points, std::span<u64> out) const override;
  bool sigma_dcf_eval(const SigmaDcfKeys& keys, std::size_t points_per_key, std::span<const u64> x,
                      std::span<std::uint8_t> out) const override;

  // Uploads a batch in the offline phase (stream-ordered allocation from the device's pool, freed
  // when the batch goes); declines when the budget is full.
  void make_resident(DcfKeys& keys) const override;
  void make_resident(DpfKeys& keys) const override;
  // The dealer's DCF / DPF batches generated here (dcf_cuda.h, dpf_cuda.h: bit-identical to the
  // CPU's), both parties' batches resident in one block under the key budget; nullopt when the
  // budget is full.
  std::optional<std::pair<DcfKeys, DcfKeys>> dcf_gen(DcfShape shape, std::span<const u64> alpha,
                                                     std::span<const u64> beta, Block seed,
                                                     u64 first_block) const override;
  std::optional<std::pair<DpfKeys, DpfKeys>> dpf_gen(DpfShape shape, std::span<const u64> alpha,
                                                     std::span<const u64> beta, Block seed,
                                                     u64 first_block) const override;
  // SIGMA DCF trees generated here (sigma_dcf_cuda.h), the same way; nullopt for truth tables
  // (n <= 7: one AES a key, kept on the host where they are read).
  std::optional<std::pair<SigmaDcfKeys, SigmaDcfKeys>> sigma_dcf_gen(
      int in_bits, std::span<const u64> alpha, Block seed, u64 first_block) const override;
  // The generation calls above return with their kernels still running (later calls queue
  // behind them on the stream); this waits for them.
  void finish_keygen() const override;
  // The lookups' DPF-ET keys generated here (dpf_et_cuda.h dpf_et_gen_device), the same way.
  std::optional<std::pair<DpfEtKeys, DpfEtKeys>> dpf_et_gen(int k, int leaf_log2,
                                                            std::span<const u64> alpha, Block seed,
                                                            u64 first_block) const override;
  // A resident batch of this accelerator's copied back to host arrays (for checks: the GPU
  // dealer's keys against the CPU's); throws std::invalid_argument for any other batch.
  DcfKeys copy_to_host(const DcfKeys& keys) const;
  DpfKeys copy_to_host(const DpfKeys& keys) const;
  SigmaDcfKeys copy_to_host(const SigmaDcfKeys& keys) const;
  DpfEtKeys copy_to_host(const DpfEtKeys& keys) const;
  // A ShareBatch's values moved to the device offline (released on the host), and an operand's
  // copy held there (a masked weight); both under the key budget, declined when it is full.
  void make_resident(DpfEtKeys& keys) const override;
  // SIGMA DCF keys: the trees, and the truth tables of n <= 7 (read there as well, also when a
  // host evaluation asks: fss/sigma_dcf.cpp).
  void make_resident(SigmaDcfKeys& keys) const override;
  void make_resident(ShareBatch& shares) const override;
  std::shared_ptr<const ResidentKeys> hold(std::span<const u64> v) const override;
  // The dealer's shares of one batch made here (prg_cuda.h seeded_shares_device).
  std::shared_ptr<const ResidentKeys> seeded_shares(Block seed, const StreamSlice& slice, int bits,
                                                    Operand v) const override;
  // The matmul correlation's shares made here: the product, v and v - slice on the device.
  std::shared_ptr<const ResidentKeys> matmul_correlation_shares(
      const RingMatmulShape& shape, std::span<const u64> a, Operand b, std::span<const u64> fresh,
      Block seed, const StreamSlice& slice, int bits) const override;
  // The masked matmul's party-local product on the device: held operands are read in place, the
  // rest staged up; bt = [party 0] bhat - rb and -ra by ring_vec_cuda.h, two ring products (the
  // second accumulated), one download. False for an operand held by another accelerator.
  bool masked_matmul(const RingMatmulShape& shape, int party, std::span<const u64> ahat,
                     std::span<const u64> ra, Operand bhat, Operand rb,
                     std::span<u64> c) const override;
  // The same into a vector of this accelerator's CudaSpace (ahat, ra too): no download; waits for
  // the kernels (their time, and the staged operands' copies) before it returns.
  bool masked_matmul(const RingMatmulShape& shape, int party, const vec::Vec& ahat,
                     const vec::Vec& ra, Operand bhat, Operand rb, vec::Vec& c) const override;
  // The fused gate's shared-mask pass (shared_mask_cuda.h: one kernel from the keys to v and
  // rest), the gate's tables uploaded once per distinct gate.
  bool shared_mask_eval(const DcfKeys& keys, const SharedMaskGateTables& tables,
                        std::span<const u64> xhat, std::span<const u64> vsh,
                        std::span<const u64> rv, std::span<u64> v,
                        std::span<u64> rest) const override;
  // Exact ring matmul on the device (ring_matmul_cuda.h); b read in place where held here. True
  // unless b is held by another accelerator.
  bool ring_matmul(const RingMatmulShape& shape, std::span<const u64> a, Operand b,
                   std::span<u64> c) const override;

  struct ResidentStats {
    std::uint64_t batches = 0, declined = 0;  // made resident / declined for the budget
    std::uint64_t bytes_total = 0;            // uploaded in the offline phase so far
    std::uint64_t bytes_held = 0, budget = 0;
  };
  ResidentStats resident_stats() const;
  std::uint64_t key_budget_bytes() const override;

  struct CallStats {
    std::uint64_t calls = 0;
    std::uint64_t busy_ns = 0;    // wall time inside the calls
    std::uint64_t wait_ns = 0;    // of it, waiting for the stream (kernels and copies)
    std::uint64_t kernel_ns = 0;  // the kernels' event pairs
    std::uint64_t up_bytes = 0, down_bytes = 0;  // staged inputs and outputs (not keys)
    std::uint64_t gen_calls = 0, gen_ns = 0;     // key generation (offline), not in the above
    std::uint64_t move_ns = 0;  // host batches moved to the device offline (make_resident, hold)
    std::uint64_t upload_wait_ns = 0;  // of gen_ns and move_ns, waiting for an upload slot
    std::uint64_t finish_ns = 0;       // the offline phases' ends waiting for the keygen kernels
  };
  CallStats call_stats() const;
  // One line for the party's log: the call statistics and the resident keys.
  std::string summary() const override;

  // Kernel time of every call so far (sum of the event pairs around the kernels), in ns. Lock-free
  // (the profiler's timer calls it from scopes opened inside a call).
  std::uint64_t kernel_ns() const;
  // Calls so far, and bytes of keys uploaded (for logs and tests).
  std::uint64_t calls() const;
  std::uint64_t key_bytes_uploaded() const;
  // Bytes of device memory held by the grow-only arrays.
  std::uint64_t device_bytes() const;

 private:
  // v's copy in a resident block under the key budget (offline: waits for the copy); null when
  // the budget is full. kind: the keygen clock's name for the copy.
  std::shared_ptr<const ResidentKeys> copy_up(std::span<const u64> v, const char* kind) const;
  template <class Keys>
  void keep(Keys& keys) const;
  // A resident batch's arrays copied back (copy_to_host); `what` names the batch kind.
  template <class View, class Keys>
  Keys download_resident(const Keys& keys, const char* what) const;
  // launch(state, the keys' device view) under the call lock, not waited for.
  template <class Keys, class Launch>
  void launch_async(const Keys& keys, Launch&& launch) const;
  template <class Keys, class Shape, class Launch>
  std::optional<std::pair<Keys, Keys>> generate(Shape shape, std::size_t count,
                                                std::span<const u64> alpha,
                                                std::span<const u64> beta, Launch&& launch) const;
  // masked_matmul's two faces: the operands' checks and places, then the kernels.
  struct MaskedMatmulPlan;
  bool plan_masked_matmul(const RingMatmulShape& g, std::size_t ahat, std::size_t ra,
                          const Operand& bhat, const Operand& rb, std::size_t c,
                          MaskedMatmulPlan& plan) const;
  void masked_matmul_launch(const MaskedMatmulPlan& plan, int party, const u64* da, const u64* dra,
                            Operand bhat, Operand rb, u64* dc) const;
  template <class Place, class Finish>
  bool masked_matmul_call(const RingMatmulShape& g, int party, std::size_t na, std::size_t nra,
                          const Operand& bhat, const Operand& rb, std::size_t nc, Place&& place,
                          Finish&& finish) const;
  struct State;
  std::unique_ptr<State> s_;
  std::unique_ptr<CudaSpace> space_;  // device_vectors; destroyed before the state
};

}  // namespace secinfer::fss::cuda
