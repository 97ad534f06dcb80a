// DPF / DCF keys on the GPU, in the batch structure-of-arrays layout of docs/design/fss-core.md
// (the same arrays as fss::DpfKeys / fss::DcfKeys, so uploads are plain copies and thread k's
// loads of level i, cw_seed[i * count + k], coalesce across a warp).
//   *KeysView : non-owning device pointers, what the kernels take.
//   *KeysDevice : one party's keys, owning (upload() makes one from the CPU struct).
//   *KeyPairDevice : both parties' keys as the dealer makes them on the GPU; the correction words
//                    are common to both keys and stored once, only the roots differ.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

#include "fss/cuda/device_buffer.h"
#include "fss/dcf.h"
#include "fss/dpf.h"

namespace secinfer::fss::cuda {

struct DpfKeysView {
  DpfShape shape;
  int party = 0;
  std::size_t count = 0;
  const Block* root = nullptr;         // [count]
  const Block* cw_seed = nullptr;      // [n * count]
  const std::uint8_t* cw_t = nullptr;  // [n * count]
  const u64* cw_out = nullptr;         // [count]
};

struct DcfKeysView {
  DcfShape shape;
  int party = 0;
  std::size_t count = 0;
  const Block* root = nullptr;     // [count]
  const Block* cw_seed = nullptr;  // [n * count]
  const u64* cw_v = nullptr;       // [n * count * L]
  const u64* cw_final = nullptr;   // [count * L]
};

struct DpfKeysDevice {
  DpfShape shape;
  int party = 0;
  std::size_t count = 0;
  DeviceBuffer<Block> root, cw_seed;
  DeviceBuffer<std::uint8_t> cw_t;
  DeviceBuffer<u64> cw_out;

  DpfKeysView view() const {
    return {shape, party, count, root.data(), cw_seed.data(), cw_t.data(), cw_out.data()};
  }
};

struct DcfKeysDevice {
  DcfShape shape;
  int party = 0;
  std::size_t count = 0;
  DeviceBuffer<Block> root, cw_seed;
  DeviceBuffer<u64> cw_v, cw_final;

  DcfKeysView view() const {
    return {shape, party, count, root.data(), cw_seed.data(), cw_v.data(), cw_final.data()};
  }
};

// Both parties' keys as the dealer's generator writes them, non-owning (device pointers; the
// correction words are common to both keys, only the roots differ).
struct DpfKeyPairView {
  DpfShape shape;
  std::size_t count = 0;
  Block* root[2] = {nullptr, nullptr};
  Block* cw_seed = nullptr;
  std::uint8_t* cw_t = nullptr;
  u64* cw_out = nullptr;
  DpfKeysView view(int party) const {
    return {shape, party, count, root[party], cw_seed, cw_t, cw_out};
  }
};

struct DcfKeyPairView {
  DcfShape shape;
  std::size_t count = 0;
  Block* root[2] = {nullptr, nullptr};
  Block* cw_seed = nullptr;
  u64* cw_v = nullptr;
  u64* cw_final = nullptr;
  DcfKeysView view(int party) const {
    return {shape, party, count, root[party], cw_seed, cw_v, cw_final};
  }
};

struct DpfKeyPairDevice {
  DpfShape shape;
  std::size_t count = 0;
  DeviceBuffer<Block> root[2], cw_seed;
  DeviceBuffer<std::uint8_t> cw_t;
  DeviceBuffer<u64> cw_out;

  // Allocates for `count` keys of `shape`.
  DpfKeyPairDevice(DpfShape shape, std::size_t count);
  DpfKeysView view(int party) const;
  DpfKeyPairView pair_view() {
    return {shape,          count,       {root[0].data(), root[1].data()},
            cw_seed.data(), cw_t.data(), cw_out.data()};
  }
};

struct DcfKeyPairDevice {
  DcfShape shape;
  std::size_t count = 0;
  DeviceBuffer<Block> root[2], cw_seed;
  DeviceBuffer<u64> cw_v, cw_final;

  DcfKeyPairDevice(DcfShape shape, std::size_t count);
  DcfKeysView view(int party) const;
  DcfKeyPairView pair_view() {
    return {shape,          count,       {root[0].data(), root[1].data()},
            cw_seed.data(), cw_v.data(), cw_final.data()};
  }
};

// CPU keys -> GPU (checks that the arrays have the sizes the shape and count call for).
DpfKeysDevice upload(const DpfKeys& keys, cudaStream_t stream = nullptr);
DcfKeysDevice upload(const DcfKeys& keys, cudaStream_t stream = nullptr);
// GPU keys -> CPU struct (waits for `stream`).
DpfKeys download(const DpfKeysView& keys, cudaStream_t stream = nullptr);
DcfKeys download(const DcfKeysView& keys, cudaStream_t stream = nullptr);

// Checks shared by every entry point (std::invalid_argument naming the problem). The host
// convenience functions also run fss::dpf_check_keys / fss::dcf_check_keys, as the CPU does.
void check_dpf_shape(const char* what, DpfShape shape);
void check_dcf_shape(const char* what, DcfShape shape);
// Every v[i] < 2^bits.
void check_range(const char* what, const char* name, std::span<const u64> v, int bits);

}  // namespace secinfer::fss::cuda
