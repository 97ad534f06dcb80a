// Versioned binary format for one party's batch of DPF or DCF keys (fss-core.md "Key sizes":
// a header plus `count` keys of ceil(key_bits / 8) bytes each).
//
// Layout, all integers little endian:
//   header, kKeyHeaderBytes = 48 bytes:
//      0  magic "SIFSSKEY" (8 bytes)
//      8  u16 format version (kKeyFormatVersion)
//     10  u8  kind (1 = DPF, 2 = DCF)
//     11  u8  party (0 or 1)
//     12  u8  n = in_bits (1..64)
//     13  u8  m = out_bits (1..64)
//     14  u16 reserved, 0
//     16  u32 L = payload_len (1 for a DPF; 1..kDcfMaxPayload for a DCF)
//     20  u32 bytes per key = ceil(dpf_key_bits / 8) or ceil(dcf_key_bits / 8)
//     24  u64 count
//     32  u64 payload bytes = count * bytes per key
//     40  u32 reserved, 0
//     44  u32 CRC-32C (Castagnoli) of header bytes [0, 44) followed by the payload
//   payload: `count` records of `bytes per key` bytes, key k's fields as one bit string in the
//   little-endian bit order of pack_bits (field bit 0 first), zero bits up to the byte boundary:
//     DPF: root (128 bits: lo then hi); for level i = 0..n-1: cw_seed (128), cw_tL (1), cw_tR (1);
//          cw_out (m).                                     = 128 + n * (128 + 2) + m bits
//     DCF: root (128, bit 0 its control bit); per level: cw_seed (128, bit 0 the control bit's
//          correction), cw_v[0..L-1] (m each); cw_final[0..L-1] (m each).
//                                                          = 128 + n * (128 + L * m) + L * m
//
// Reading validates everything before trusting it: a truncated, corrupted (checksum, reserved or
// padding bits, a DPF seed's bit 0) or foreign input (magic, version, kind, shape) throws
// std::runtime_error saying what was expected and what was found. Sizes are checked against
// the bytes actually present before anything is allocated. Writing malformed keys throws
// std::invalid_argument.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <span>
#include <vector>

#include "fss/dcf.h"
#include "fss/dpf.h"

namespace secinfer::fss {

inline constexpr std::size_t kKeyHeaderBytes = 48;
// 2: the DCF's half-tree keys (no cw_tL / cw_tR bits; version 1 held the earlier DCF's).
inline constexpr std::uint16_t kKeyFormatVersion = 2;

enum class KeyKind : std::uint8_t { kDpf = 1, kDcf = 2 };

// The decoded, validated header of a serialised batch.
struct KeyHeader {
  KeyKind kind = KeyKind::kDpf;
  int party = 0;
  int in_bits = 0, out_bits = 0, payload_len = 1;
  std::uint64_t count = 0;
  std::uint64_t bytes_per_key = 0;
  std::uint64_t payload_bytes = 0;
  std::uint32_t crc = 0;
};

// Parses and validates the first kKeyHeaderBytes of `in` (not the checksum, which covers the
// payload too). Throws std::runtime_error.
KeyHeader parse_key_header(std::span<const std::uint8_t> in);

// Total serialised size: kKeyHeaderBytes + count * ceil(key_bits / 8).
std::size_t serialized_size(const DpfKeys& keys);
std::size_t serialized_size(const DcfKeys& keys);

// Writes exactly serialized_size(keys) bytes (out.size() must equal it) or returns them.
void serialize_keys(const DpfKeys& keys, std::span<std::uint8_t> out);
void serialize_keys(const DcfKeys& keys, std::span<std::uint8_t> out);
std::vector<std::uint8_t> serialize_keys(const DpfKeys& keys);
std::vector<std::uint8_t> serialize_keys(const DcfKeys& keys);

// `in` must be exactly one serialised batch of that kind.
//   auto bytes = serialize_keys(k0);  DpfKeys back = deserialize_dpf_keys(bytes);
DpfKeys deserialize_dpf_keys(std::span<const std::uint8_t> in);
DcfKeys deserialize_dcf_keys(std::span<const std::uint8_t> in);

// Stream forms: write_keys appends one batch (built in memory first, since the header carries
// the payload's checksum); read_*_keys consumes exactly one batch and leaves the stream after it.
void write_keys(std::ostream& os, const DpfKeys& keys);
void write_keys(std::ostream& os, const DcfKeys& keys);
DpfKeys read_dpf_keys(std::istream& is);
DcfKeys read_dcf_keys(std::istream& is);

// CRC-32C (Castagnoli, reflected 0x82F63B78, as iSCSI / ext4): crc32c(b, crc32c(a)) equals
// crc32c(a followed by b); crc32c("123456789") = 0xE3069283.
std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t prev = 0);

}  // namespace secinfer::fss
