#include "fss/engine/key_codec.h"

#include <algorithm>
#include <array>
#include <optional>
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

// Throws KeyError unless a batch's header matches what the gate expects.
void check_header(const KeyHeader& h, KeyKind kind, int in_bits, int out_bits, int payload_len,
                  std::size_t count, int party) {
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
}

KeyHeader header_of(const DcfKeys& k) {
  KeyHeader h;
  h.kind = KeyKind::kDcf;
  h.party = k.party;
  h.in_bits = k.shape.in_bits;
  h.out_bits = k.shape.out_bits;
  h.payload_len = k.shape.payload_len;
  h.count = k.count;
  return h;
}

KeyHeader header_of(const DpfKeys& k) {
  KeyHeader h;
  h.kind = KeyKind::kDpf;
  h.party = k.party;
  h.in_bits = k.shape.in_bits;
  h.out_bits = k.shape.out_bits;
  h.payload_len = 1;
  h.count = k.count;
  return h;
}

// Reads one batch (header, then the payload it announces) after checking the header against
// what the gate expects, and decodes it with `decode` (the whole batch, header included). A
// memory stream holds the batch in one piece and is decoded in place, without a copy.
template <class Keys, class Decode>
Keys read_batch(KeyReader& r, KeyKind kind, int in_bits, int out_bits, int payload_len,
                std::size_t count, int party, Decode&& decode) {
  const auto head_view = r.read_view(kKeyHeaderBytes);
  std::array<std::uint8_t, kKeyHeaderBytes> head;
  std::copy(head_view.begin(), head_view.end(), head.begin());
  KeyHeader h;
  try {
    h = parse_key_header(head);
  } catch (const std::exception& e) {
    throw KeyError(std::string("key stream holds no valid FSS key batch where a gate expects one "
                               "(stream out of sync or corrupt): ") +
                   e.what());
  }
  check_header(h, kind, in_bits, out_bits, payload_len, count, party);
  const char* what = kind == KeyKind::kDcf ? "DCF" : "DPF";
  const auto payload = r.read_view(h.payload_bytes);
  try {
    // A memory stream's views are adjacent pieces of one buffer (nothing was appended in
    // between): decode the batch where it lies.
    if (r.in_memory() && head_view.data() + kKeyHeaderBytes == payload.data())
      return decode(
          std::span<const std::uint8_t>(head_view.data(), kKeyHeaderBytes + payload.size()));
    std::vector<std::uint8_t> bytes(kKeyHeaderBytes + payload.size());
    std::copy(head.begin(), head.end(), bytes.begin());
    std::copy(payload.begin(), payload.end(), bytes.begin() + kKeyHeaderBytes);
    return decode(std::span<const std::uint8_t>(bytes));
  } catch (const std::exception& e) {
    throw KeyError(std::string("corrupt ") + what + " key batch in the key stream: " + e.what());
  }
}

}  // namespace

void write_dcf_keys(KeyWriter& w, const DcfKeys& k) {
  // Serialised in place; a discarding writer (the other party's key in inline mode) only counts.
  w.write_with(serialized_size(k), [&](std::span<std::uint8_t> out) { serialize_keys(k, out); });
}

void write_dcf_keys(KeyWriter& w, DcfKeys&& k) {
  w.write_keys(std::move(k));
}

DcfKeys read_dcf_keys(KeyReader& r, DcfShape shape, std::size_t count, int party) {
  if (std::optional<DcfKeys> k =
          r.read_object<DcfKeys>()) {  // inline mode: the dealer's own object
    check_header(header_of(*k), KeyKind::kDcf, shape.in_bits, shape.out_bits, shape.payload_len,
                 count, party);
    return std::move(*k);
  }
  return read_batch<DcfKeys>(
      r, KeyKind::kDcf, shape.in_bits, shape.out_bits, shape.payload_len, count, party,
      [](std::span<const std::uint8_t> b) { return deserialize_dcf_keys(b); });
}

void write_dpf_keys(KeyWriter& w, const DpfKeys& k) {
  w.write_with(serialized_size(k), [&](std::span<std::uint8_t> out) { serialize_keys(k, out); });
}

void write_dpf_keys(KeyWriter& w, DpfKeys&& k) {
  w.write_keys(std::move(k));
}

DpfKeys read_dpf_keys(KeyReader& r, DpfShape shape, std::size_t count, int party) {
  if (std::optional<DpfKeys> k = r.read_object<DpfKeys>()) {
    check_header(header_of(*k), KeyKind::kDpf, shape.in_bits, shape.out_bits, 1, count, party);
    return std::move(*k);
  }
  return read_batch<DpfKeys>(
      r, KeyKind::kDpf, shape.in_bits, shape.out_bits, 1, count, party,
      [](std::span<const std::uint8_t> b) { return deserialize_dpf_keys(b); });
}

}  // namespace secinfer::fss::engine
