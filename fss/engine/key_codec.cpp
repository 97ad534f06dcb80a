#include "fss/engine/key_codec.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "fss/key_io.h"

namespace secinfer::fss::engine {

std::size_t dcf_key_bytes(DcfShape shape) {
  return (dcf_key_bits(shape) + 7) / 8;
}
std::size_t dpf_key_bytes(DpfShape shape) {
  return (dpf_key_bits(shape) + 7) / 8;
}
std::size_t dcf_batch_bytes(DcfShape shape, std::size_t count) {
  return kKeyHeaderBytes + count * dcf_key_bytes(shape);
}
std::size_t dpf_batch_bytes(DpfShape shape, std::size_t count) {
  return kKeyHeaderBytes + count * dpf_key_bytes(shape);
}

namespace {

// Reads one batch (header, then the payload it announces) after checking the header against
// what the gate expects.
std::vector<std::uint8_t> read_batch(KeyReader& r, KeyKind kind, int in_bits, int out_bits,
                                     int payload_len, std::size_t count, int party) {
  std::vector<std::uint8_t> bytes(kKeyHeaderBytes);
  r.read(bytes);
  KeyHeader h;
  try {
    h = parse_key_header(bytes);
  } catch (const std::exception& e) {
    throw KeyError(std::string("key stream holds no valid FSS key batch where a gate expects one "
                               "(stream out of sync or corrupt): ") +
                   e.what());
  }
  const char* what = kind == KeyKind::kDcf ? "DCF" : "DPF";
  if (h.kind != kind || h.in_bits != in_bits || h.out_bits != out_bits ||
      h.payload_len != payload_len || h.count != count || h.party != party) {
    throw KeyError(std::string("key stream out of sync: expected a ") + what + " batch of " +
                   std::to_string(count) + " keys (n " + std::to_string(in_bits) + ", m " +
                   std::to_string(out_bits) + ", L " + std::to_string(payload_len) +
                   ") for party " + std::to_string(party) + ", found " +
                   (h.kind == KeyKind::kDcf ? "DCF" : "DPF") + " x" + std::to_string(h.count) +
                   " (n " + std::to_string(h.in_bits) + ", m " + std::to_string(h.out_bits) +
                   ", L " + std::to_string(h.payload_len) + ") of party " +
                   std::to_string(h.party));
  }
  bytes.resize(kKeyHeaderBytes + h.payload_bytes);
  r.read(std::span<std::uint8_t>(bytes).subspan(kKeyHeaderBytes));
  return bytes;
}

}  // namespace

void write_dcf_keys(KeyWriter& w, const DcfKeys& k) {
  w.write(serialize_keys(k));
}

DcfKeys read_dcf_keys(KeyReader& r, DcfShape shape, std::size_t count, int party) {
  const auto bytes =
      read_batch(r, KeyKind::kDcf, shape.in_bits, shape.out_bits, shape.payload_len, count, party);
  try {
    return deserialize_dcf_keys(bytes);
  } catch (const std::exception& e) {
    throw KeyError(std::string("corrupt DCF key batch in the key stream: ") + e.what());
  }
}

void write_dpf_keys(KeyWriter& w, const DpfKeys& k) {
  w.write(serialize_keys(k));
}

DpfKeys read_dpf_keys(KeyReader& r, DpfShape shape, std::size_t count, int party) {
  const auto bytes = read_batch(r, KeyKind::kDpf, shape.in_bits, shape.out_bits, 1, count, party);
  try {
    return deserialize_dpf_keys(bytes);
  } catch (const std::exception& e) {
    throw KeyError(std::string("corrupt DPF key batch in the key stream: ") + e.what());
  }
}

}  // namespace secinfer::fss::engine
