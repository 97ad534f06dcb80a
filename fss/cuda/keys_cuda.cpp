// Key containers on the GPU (keys_cuda.h): allocation, upload, download, shape checks.
#include "fss/cuda/keys_cuda.h"

#include <stdexcept>
#include <string>

#include "fss/tree_common.h"

namespace secinfer::fss::cuda {
namespace {

void check_len(const char* what, const char* field, std::size_t have, std::size_t want) {
  if (have != want)
    throw std::invalid_argument(std::string(what) + ": " + field + " has " + std::to_string(have) +
                                " entries, the shape and count need " + std::to_string(want));
}

}  // namespace

void check_dpf_shape(const char* what, DpfShape shape) {
  if (shape.in_bits < 1 || shape.in_bits > 64 || shape.out_bits < 1 || shape.out_bits > 64)
    throw std::invalid_argument(std::string(what) +
                                ": DPF shape n = " + std::to_string(shape.in_bits) +
                                ", m = " + std::to_string(shape.out_bits) + " is outside [1, 64]");
}

void check_range(const char* what, const char* name, std::span<const u64> v, int bits) {
  detail::check_range(what, name, v, bits);
}

void check_dcf_shape(const char* what, DcfShape shape) {
  if (shape.in_bits < 1 || shape.in_bits > 64 || shape.out_bits < 1 || shape.out_bits > 64 ||
      shape.payload_len < 1 || shape.payload_len > kDcfMaxPayload)
    throw std::invalid_argument(
        std::string(what) + ": DCF shape n = " + std::to_string(shape.in_bits) +
        ", m = " + std::to_string(shape.out_bits) + ", L = " + std::to_string(shape.payload_len) +
        ": need n, m in [1, 64] and L in [1, " + std::to_string(kDcfMaxPayload) + "]");
}

DpfKeyPairDevice::DpfKeyPairDevice(DpfShape s, std::size_t c)
    : shape((check_dpf_shape("DpfKeyPairDevice", s), s)),
      count(c),
      root{DeviceBuffer<Block>(c), DeviceBuffer<Block>(c)},
      cw_seed(static_cast<std::size_t>(s.in_bits) * c),
      cw_t(static_cast<std::size_t>(s.in_bits) * c),
      cw_out(c) {}

DpfKeysView DpfKeyPairDevice::view(int party) const {
  if (party != 0 && party != 1)
    throw std::invalid_argument("DpfKeyPairDevice::view: party " + std::to_string(party) +
                                " is not 0 or 1");
  return {shape, party, count, root[party].data(), cw_seed.data(), cw_t.data(), cw_out.data()};
}

DcfKeyPairDevice::DcfKeyPairDevice(DcfShape s, std::size_t c)
    : shape((check_dcf_shape("DcfKeyPairDevice", s), s)),
      count(c),
      root{DeviceBuffer<Block>(c), DeviceBuffer<Block>(c)},
      cw_seed(static_cast<std::size_t>(s.in_bits) * c),
      cw_v(static_cast<std::size_t>(s.in_bits) * c * static_cast<std::size_t>(s.payload_len)),
      cw_final(c * static_cast<std::size_t>(s.payload_len)) {}

DcfKeysView DcfKeyPairDevice::view(int party) const {
  if (party != 0 && party != 1)
    throw std::invalid_argument("DcfKeyPairDevice::view: party " + std::to_string(party) +
                                " is not 0 or 1");
  return {shape, party, count, root[party].data(), cw_seed.data(), cw_v.data(), cw_final.data()};
}

DpfKeysDevice upload(const DpfKeys& k, cudaStream_t stream) {
  check_dpf_shape("upload(DpfKeys)", k.shape);
  const std::size_t nc = static_cast<std::size_t>(k.shape.in_bits) * k.count;
  check_len("upload(DpfKeys)", "root", k.root.size(), k.count);
  check_len("upload(DpfKeys)", "cw_seed", k.cw_seed.size(), nc);
  check_len("upload(DpfKeys)", "cw_t", k.cw_t.size(), nc);
  check_len("upload(DpfKeys)", "cw_out", k.cw_out.size(), k.count);
  DpfKeysDevice d;
  d.shape = k.shape;
  d.party = k.party;
  d.count = k.count;
  d.root = to_device(k.root, stream);
  d.cw_seed = to_device(k.cw_seed, stream);
  d.cw_t = to_device(k.cw_t, stream);
  d.cw_out = to_device(k.cw_out, stream);
  return d;
}

DcfKeysDevice upload(const DcfKeys& k, cudaStream_t stream) {
  check_dcf_shape("upload(DcfKeys)", k.shape);
  const std::size_t nc = static_cast<std::size_t>(k.shape.in_bits) * k.count;
  const auto L = static_cast<std::size_t>(k.shape.payload_len);
  check_len("upload(DcfKeys)", "root", k.root.size(), k.count);
  check_len("upload(DcfKeys)", "cw_seed", k.cw_seed.size(), nc);
  check_len("upload(DcfKeys)", "cw_v", k.cw_v.size(), nc * L);
  check_len("upload(DcfKeys)", "cw_final", k.cw_final.size(), k.count * L);
  DcfKeysDevice d;
  d.shape = k.shape;
  d.party = k.party;
  d.count = k.count;
  d.root = to_device(k.root, stream);
  d.cw_seed = to_device(k.cw_seed, stream);
  d.cw_v = to_device(k.cw_v, stream);
  d.cw_final = to_device(k.cw_final, stream);
  return d;
}

DpfKeys download(const DpfKeysView& v, cudaStream_t stream) {
  const std::size_t nc = static_cast<std::size_t>(v.shape.in_bits) * v.count;
  DpfKeys k;
  k.shape = v.shape;
  k.party = v.party;
  k.count = v.count;
  to_host(k.root, v.root, v.count, stream);
  to_host(k.cw_seed, v.cw_seed, nc, stream);
  to_host(k.cw_t, v.cw_t, nc, stream);
  to_host(k.cw_out, v.cw_out, v.count, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  return k;
}

DcfKeys download(const DcfKeysView& v, cudaStream_t stream) {
  const std::size_t nc = static_cast<std::size_t>(v.shape.in_bits) * v.count;
  const auto L = static_cast<std::size_t>(v.shape.payload_len);
  DcfKeys k;
  k.shape = v.shape;
  k.party = v.party;
  k.count = v.count;
  to_host(k.root, v.root, v.count, stream);
  to_host(k.cw_seed, v.cw_seed, nc, stream);
  to_host(k.cw_v, v.cw_v, nc * L, stream);
  to_host(k.cw_final, v.cw_final, v.count * L, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  return k;
}

}  // namespace secinfer::fss::cuda
