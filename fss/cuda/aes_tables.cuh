// Device side of the AES: the T-table policies (config.h AesVariant) in dynamic shared memory,
// the five fixed PRG schedules copied next to them, and the launch helpers every kernel uses.
//
// Shared-memory layout of every AES kernel: [55 RoundKeys: the five fixed schedules, 880 B]
// [11 RoundKeys: one per-block seed schedule (SeededPrg, key generation), 176 B][table].
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <string>

#include "fss/cuda/aes_core.h"
#include "fss/cuda/config.h"
#include "fss/cuda/cuda_check.h"
#include "fss/cuda/launch_shape.h"
#include "fss/cuda/prg_core.h"

namespace secinfer::fss::cuda {

// Constant-initialised device copies of Te0 and the fixed schedules (no run-time set-up).
__device__ const Te0Table kTe0Dev = make_te0();
__device__ const FixedSchedules kFixedSchedulesDev = make_fixed_schedules();

// Te0 with 32 copies: entry x of the copy for lane l at word 32 x + l (bank l).
struct RepTe0Tab {
  static constexpr std::size_t kTableBytes = 256 * 32 * 4;
  const u32* t;  // table + lane
  __device__ u32 raw(u32 x) const { return t[x << 5]; }
  __device__ u32 te(int r, u32 x) const { return rotl32(raw(x), 8 * r); }
  // Te0[x] bytes are (2S, S, S, 3S): S sits in bytes 1 and 2.
  __device__ u32 sbox_at(int r, u32 x) const {
    const u32 v = raw(x);
    switch (r) {
      case 0:
        return (v >> 8) & 0xffu;
      case 1:
        return v & 0xff00u;
      case 2:
        return v & 0xff0000u;
      default:
        return (v << 16) & 0xff000000u;
    }
  }
  __device__ static RepTe0Tab fill(u32* table) {
    for (unsigned i = threadIdx.x; i < 256 * 32; i += blockDim.x) table[i] = kTe0Dev.v[i >> 5];
    return RepTe0Tab{table + (threadIdx.x & 31)};
  }
};

// Te0..Te3 with 32 copies each (128 KiB).
struct RepTe4Tab {
  static constexpr std::size_t kTableBytes = 4 * 256 * 32 * 4;
  const u32* t;  // table + lane
  __device__ u32 te(int r, u32 x) const { return t[(r << 13) | (x << 5)]; }
  // Te_r[x] = rotl(Te0[x], 8 r) holds S in byte r of Te_{r+2 mod 4}.
  __device__ u32 sbox_at(int r, u32 x) const { return te((r + 2) & 3, x) & (0xffu << (8 * r)); }
  __device__ static RepTe4Tab fill(u32* table) {
    for (unsigned i = threadIdx.x; i < 4 * 256 * 32; i += blockDim.x)
      table[i] = rotl32(kTe0Dev.v[(i >> 5) & 255], 8 * static_cast<int>(i >> 13));
    return RepTe4Tab{table + (threadIdx.x & 31)};
  }
};

// Te0..Te3 once each (4 KiB): lanes of a warp collide on banks at random.
struct PlainTe4Tab {
  static constexpr std::size_t kTableBytes = 4 * 256 * 4;
  const u32* t;
  __device__ u32 te(int r, u32 x) const { return t[(r << 8) | x]; }
  __device__ u32 sbox_at(int r, u32 x) const { return te((r + 2) & 3, x) & (0xffu << (8 * r)); }
  __device__ static PlainTe4Tab fill(u32* table) {
    for (unsigned i = threadIdx.x; i < 4 * 256; i += blockDim.x)
      table[i] = rotl32(kTe0Dev.v[i & 255], 8 * static_cast<int>(i >> 8));
    return PlainTe4Tab{table};
  }
};

inline constexpr std::size_t kFixedRkBytes = sizeof(RoundKey) * 11 * kPrgFixedKeys;  // 880
inline constexpr std::size_t kSeedRkBytes = sizeof(RoundKey) * 11;                   // 176

template <class Tab>
constexpr std::size_t aes_smem_bytes() {
  return kFixedRkBytes + kSeedRkBytes + Tab::kTableBytes;
}

// Per-block set-up: copy the fixed schedules and fill the table, then a barrier.
template <class Tab>
struct BlockAes {
  Tab tab;
  const RoundKey* fixed_rk;
  RoundKey* seed_rk;  // 11 slots for a per-block seed schedule (see load_seed_schedule)

  __device__ FixedPrg<Tab> prg() const { return FixedPrg<Tab>{tab, fixed_rk}; }
};

template <class Tab>
__device__ BlockAes<Tab> block_aes_setup() {
  extern __shared__ __align__(16) unsigned char secinfer_smem[];
  auto* fixed = reinterpret_cast<RoundKey*>(secinfer_smem);
  auto* seed = reinterpret_cast<RoundKey*>(secinfer_smem + kFixedRkBytes);
  auto* table = reinterpret_cast<u32*>(secinfer_smem + kFixedRkBytes + kSeedRkBytes);
  const RoundKey* src = &kFixedSchedulesDev.key[0].rk[0];
  for (unsigned i = threadIdx.x; i < 11 * kPrgFixedKeys; i += blockDim.x) fixed[i] = src[i];
  const Tab tab = Tab::fill(table);
  __syncthreads();
  return BlockAes<Tab>{tab, fixed, seed};
}

// Thread 0 expands `key` into the block's seed slot; all threads wait for it.
template <class Tab>
__device__ void load_seed_schedule(const BlockAes<Tab>& b, Block key) {
  if (threadIdx.x == 0) {
    const AesSchedule s = aes_expand_key(b.tab, key);
    for (int r = 0; r < 11; ++r) b.seed_rk[r] = s.rk[r];
  }
  __syncthreads();
}

// One copy of the AES code per kernel (for kernels that call it at many sites: key generation).
template <class Tab>
__device__ __noinline__ Block aes_encrypt_outlined(Tab tab, const RoundKey* rk, Block in) {
  return aes_encrypt(tab, rk, in);
}

// Block `first + i` of the dealer's seeded stream (SeededPrg: the counter encrypted under the
// seed's schedule, load_seed_schedule): the key generation kernels draw key k's two random
// blocks as i = 2k and 2k + 1, the blocks the CPU dealer draws for it.
template <class Tab>
__device__ Block seeded_block(const BlockAes<Tab>& b, u64 first, u64 i) {
  return aes_encrypt_outlined(b.tab, b.seed_rk, Block{first + i, 0});
}
template <class Tab>
struct OutlinedPrg {
  Tab tab;
  const RoundKey* rk;
  __device__ Block g(int j, Block s) const { return aes_encrypt_outlined(tab, rk + 11 * j, s) ^ s; }
  __device__ Block expand(int j, Block s, int& t) const {
    const Block b = g(j, s);
    t = b.lsb();
    return b.clear_lsb();
  }
  __device__ Block convert_pair(Block blk, u64 k) const { return g(4, blk ^ Block{k, 0}); }
  template <class F>
  __device__ void convert_vec(Block blk, int L, u64 mask, F&& f) const {
    f(0, blk.hi & mask);
    SECINFER_UNROLL
    for (int j = 1; j < L; j += 2) {
      const Block c = convert_pair(blk, static_cast<u64>((j + 1) / 2));
      f(j, c.lo & mask);
      if (j + 1 < L) f(j + 1, c.hi & mask);
    }
  }
};

// Blocks of `block` threads with `smem` bytes of shared memory that one SM holds at once with
// this kernel's registers, and the device's SM count. Also raises the kernel's dynamic
// shared-memory limit when it needs more than 48 KiB.
template <class Kernel>
Residency residency(Kernel kernel, int block, std::size_t smem, const char* name) {
  if (smem > 48 * 1024)
    CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                    static_cast<int>(smem)),
               std::string(name) + ": " + std::to_string(smem) + " bytes of shared memory");
  int dev = 0;
  Residency r;
  CUDA_CHECK(cudaGetDevice(&dev));
  CUDA_CHECK(cudaDeviceGetAttribute(&r.sms, cudaDevAttrMultiProcessorCount, dev));
  CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&r.per_sm, kernel, block, smem),
             std::string(name) + ": block " + std::to_string(block) + ", shared memory " +
                 std::to_string(smem));
  if (r.per_sm < 1)
    throw std::runtime_error(std::string(name) + ": a block of " + std::to_string(block) +
                             " threads with " + std::to_string(smem) +
                             " bytes of shared memory does not fit an SM");
  return r;
}

// Grid for a grid-stride kernel over `items` work items (grid_of at this kernel's residency).
template <class Kernel>
unsigned grid_for(Kernel kernel, int block, std::size_t smem, std::size_t items, const char* name) {
  return grid_of(residency(kernel, block, smem, name), block, items);
}

inline void check_block_size(int block) {
  if (block < 32 || block > 512 || block % 32 != 0)
    throw std::invalid_argument("threads_per_block " + std::to_string(block) +
                                " must be a multiple of 32 in [32, 512]");
}

// Calls f(Tab{}) with the table policy of `v` (all three instantiated).
template <class F>
decltype(auto) with_aes_variant(AesVariant v, F&& f) {
  switch (v) {
    case AesVariant::kReplicatedTe4:
      return f(RepTe4Tab{});
    case AesVariant::kPlainTe4:
      return f(PlainTe4Tab{});
    case AesVariant::kReplicatedTe0:
      break;
  }
  return f(RepTe0Tab{});
}

// The default policy only (kernels not built for the other layouts).
template <AesVariant V>
struct TabOf;
template <>
struct TabOf<AesVariant::kReplicatedTe0> {
  using type = RepTe0Tab;
};
template <>
struct TabOf<AesVariant::kReplicatedTe4> {
  using type = RepTe4Tab;
};
template <>
struct TabOf<AesVariant::kPlainTe4> {
  using type = PlainTe4Tab;
};
using DefaultTab = TabOf<kDefaultAesVariant>::type;

}  // namespace secinfer::fss::cuda
