// Binary key format (layout and validation rules in key_io.h).
#include "fss/key_io.h"

#include <bit>
#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <string>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace secinfer::fss {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the key format is little endian and this code assumes a little-endian host");

constexpr char kMagic[8] = {'S', 'I', 'F', 'S', 'S', 'K', 'E', 'Y'};
constexpr std::size_t kCrcOffset = 44;
// Streams are read in pieces of this size, so a forged count cannot make us allocate more than
// the bytes actually present plus one piece.
constexpr std::size_t kReadPiece = std::size_t{1} << 20;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error("FSS key data: " + what);
}

template <typename T>
T get(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void put(std::uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

std::string hex(u64 v) {
  static const char* d = "0123456789abcdef";
  std::string s = "0x";
  bool started = false;
  for (int i = 60; i >= 0; i -= 4) {
    const int nib = static_cast<int>((v >> i) & 0xF);
    if (nib != 0 || started || i == 0) {
      s += d[nib];
      started = true;
    }
  }
  return s;
}

// The first 8 bytes as text, non-printable bytes escaped.
std::string show_magic(const std::uint8_t* p) {
  std::string s = "\"";
  for (int i = 0; i < 8; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      s += static_cast<char>(c);
    } else {
      static const char* d = "0123456789abcdef";
      s += "\\x";
      s += d[c >> 4];
      s += d[c & 0xF];
    }
  }
  return s + "\"";
}

const char* kind_name(KeyKind k) {
  return k == KeyKind::kDpf ? "DPF" : "DCF";
}

std::size_t key_bytes(KeyKind kind, int n, int m, int L) {
  const std::size_t bits = kind == KeyKind::kDpf ? dpf_key_bits({n, m}) : dcf_key_bits({n, m, L});
  return (bits + 7) / 8;
}

// Appends fields of up to 64 bits to a record, little-endian bit order (as pack_bits).
class BitWriter {
 public:
  explicit BitWriter(std::uint8_t* p) : p_(p) {}
  void put_bits(u64 v, int bits) {
    acc_ |= static_cast<unsigned __int128>(v & ring_mask(bits)) << have_;
    have_ += bits;
    if (have_ >= 64) {
      put<u64>(p_, static_cast<u64>(acc_));
      p_ += 8;
      acc_ >>= 64;
      have_ -= 64;
    }
  }
  void put_block(const Block& b) {
    put_bits(b.lo, 64);
    put_bits(b.hi, 64);
  }
  void finish() {  // the last partial word, zero padded to the byte
    const u64 w = static_cast<u64>(acc_);
    std::memcpy(p_, &w, static_cast<std::size_t>((have_ + 7) / 8));
  }

 private:
  std::uint8_t* p_;
  unsigned __int128 acc_ = 0;
  int have_ = 0;
};

class BitReader {
 public:
  BitReader(const std::uint8_t* p, std::size_t bytes) : p_(p), left_(bytes) {}
  u64 get_bits(int bits) {
    if (have_ < bits) {
      const std::size_t take = left_ < 8 ? left_ : 8;
      u64 w = 0;
      std::memcpy(&w, p_, take);
      p_ += take;
      left_ -= take;
      acc_ |= static_cast<unsigned __int128>(w) << have_;
      have_ += static_cast<int>(8 * take);
      if (have_ < bits) fail("internal error: key record shorter than its fields");
    }
    const u64 v = static_cast<u64>(acc_) & ring_mask(bits);
    acc_ >>= bits;
    have_ -= bits;
    return v;
  }
  Block get_block() {
    const u64 lo = get_bits(64);
    return Block{lo, get_bits(64)};
  }
  // True when every bit after the fields (the padding) is zero.
  bool padding_is_zero() const {
    if (acc_ != 0) return false;
    for (std::size_t i = 0; i < left_; ++i)
      if (p_[i] != 0) return false;
    return true;
  }

 private:
  const std::uint8_t* p_;
  std::size_t left_;
  unsigned __int128 acc_ = 0;
  int have_ = 0;
};

void write_header(std::uint8_t* h, KeyKind kind, int party, int n, int m, int L,
                  std::uint64_t count, std::uint64_t bpk) {
  std::memset(h, 0, kKeyHeaderBytes);
  std::memcpy(h, kMagic, 8);
  put<std::uint16_t>(h + 8, kKeyFormatVersion);
  h[10] = static_cast<std::uint8_t>(kind);
  h[11] = static_cast<std::uint8_t>(party);
  h[12] = static_cast<std::uint8_t>(n);
  h[13] = static_cast<std::uint8_t>(m);
  put<std::uint32_t>(h + 16, static_cast<std::uint32_t>(L));
  put<std::uint32_t>(h + 20, static_cast<std::uint32_t>(bpk));
  put<std::uint64_t>(h + 24, count);
  put<std::uint64_t>(h + 32, count * bpk);
}

void seal(std::span<std::uint8_t> out) {  // CRC over header [0, 44) and the payload
  const std::uint32_t c = crc32c(out.subspan(kKeyHeaderBytes), crc32c(out.first(kCrcOffset)));
  put<std::uint32_t>(out.data() + kCrcOffset, c);
}

void check_seed(const Block& b, const char* what, std::size_t k) {
  if (b.lo & 1)
    throw std::invalid_argument(std::string("serialize_keys: ") + what + " of key " +
                                std::to_string(k) + " has bit 0 set (seeds keep bit 0 clear)");
}

void check_value(u64 v, int m, const char* what, std::size_t k) {
  if (v & ~ring_mask(m))
    throw std::invalid_argument(std::string("serialize_keys: ") + what + " of key " +
                                std::to_string(k) + " does not fit in " + std::to_string(m) +
                                " bits");
}

void check_kind(const KeyHeader& h, KeyKind want) {
  if (h.kind != want)
    fail(std::string("expected ") + kind_name(want) + " keys, found " + kind_name(h.kind) +
         " keys");
}

// Full check of a byte string against its header: size, checksum, kind.
KeyHeader check_batch(std::span<const std::uint8_t> in, KeyKind want) {
  const KeyHeader h = parse_key_header(in);
  check_kind(h, want);
  const std::uint64_t have = in.size() - kKeyHeaderBytes;
  if (have < h.payload_bytes)
    fail("truncated: the header announces " + std::to_string(h.count) + " keys in " +
         std::to_string(h.payload_bytes) + " payload bytes, found " + std::to_string(have) +
         " bytes");
  if (have > h.payload_bytes)
    fail("trailing data: expected " + std::to_string(h.payload_bytes) + " payload bytes, found " +
         std::to_string(have));
  const std::uint32_t c = crc32c(in.subspan(kKeyHeaderBytes), crc32c(in.first(kCrcOffset)));
  if (c != h.crc)
    fail("checksum mismatch, the data is corrupted: header says CRC-32C " + hex(h.crc) +
         ", the data gives " + hex(c));
  return h;
}

[[noreturn]] void corrupt_record(std::size_t k, const char* what) {
  fail("key " + std::to_string(k) + " is malformed: " + what);
}

std::vector<std::uint8_t> read_batch(std::istream& is, KeyKind want) {
  std::vector<std::uint8_t> buf(kKeyHeaderBytes);
  is.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(kKeyHeaderBytes));
  const auto got = static_cast<std::size_t>(is.gcount());
  if (got < kKeyHeaderBytes)
    fail("truncated: a key header is " + std::to_string(kKeyHeaderBytes) + " bytes, found " +
         std::to_string(got));
  const KeyHeader h = parse_key_header(buf);
  check_kind(h, want);
  std::uint64_t left = h.payload_bytes;
  while (left > 0) {
    const std::size_t piece = left < kReadPiece ? static_cast<std::size_t>(left) : kReadPiece;
    const std::size_t at = buf.size();
    buf.resize(at + piece);
    is.read(reinterpret_cast<char*>(buf.data() + at), static_cast<std::streamsize>(piece));
    const auto n = static_cast<std::size_t>(is.gcount());
    if (n < piece)
      fail("truncated: expected " + std::to_string(h.payload_bytes) + " payload bytes, found " +
           std::to_string(h.payload_bytes - left + n));
    left -= piece;
  }
  return buf;
}

void write_all(std::ostream& os, const std::vector<std::uint8_t>& bytes) {
  os.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!os)
    throw std::runtime_error("write_keys: writing " + std::to_string(bytes.size()) +
                             " bytes of keys to the stream failed");
}

}  // namespace

std::uint32_t crc32c(std::span<const std::uint8_t> data, std::uint32_t prev) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
#if defined(__SSE4_2__)
  std::uint64_t c = ~prev & 0xFFFFFFFFu;
  for (; n >= 8; n -= 8, p += 8) c = _mm_crc32_u64(c, get<std::uint64_t>(p));
  auto c32 = static_cast<std::uint32_t>(c);
  for (; n > 0; --n, ++p) c32 = _mm_crc32_u8(c32, *p);
  return ~c32;
#else
  std::uint32_t c = ~prev;
  for (; n > 0; --n, ++p) {
    c ^= *p;
    for (int i = 0; i < 8; ++i) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
  }
  return ~c;
#endif
}

KeyHeader parse_key_header(std::span<const std::uint8_t> in) {
  if (in.size() < kKeyHeaderBytes)
    fail("truncated: a key header is " + std::to_string(kKeyHeaderBytes) + " bytes, found " +
         std::to_string(in.size()));
  const std::uint8_t* h = in.data();
  if (std::memcmp(h, kMagic, 8) != 0)
    fail("not secinfer FSS keys: expected magic \"SIFSSKEY\", found " + show_magic(h));
  const auto version = get<std::uint16_t>(h + 8);
  if (version != kKeyFormatVersion)
    fail("unsupported key format version " + std::to_string(version) +
         ": this build reads version " + std::to_string(kKeyFormatVersion));
  KeyHeader r;
  if (h[10] != static_cast<std::uint8_t>(KeyKind::kDpf) &&
      h[10] != static_cast<std::uint8_t>(KeyKind::kDcf))
    fail("unknown key kind " + std::to_string(h[10]) + " (expected 1 = DPF or 2 = DCF)");
  r.kind = static_cast<KeyKind>(h[10]);
  if (h[11] > 1) fail("party is " + std::to_string(h[11]) + ", expected 0 or 1");
  r.party = h[11];
  r.in_bits = h[12];
  r.out_bits = h[13];
  if (r.in_bits < 1 || r.in_bits > 64)
    fail("in_bits is " + std::to_string(r.in_bits) + ", expected 1..64");
  if (r.out_bits < 1 || r.out_bits > 64)
    fail("out_bits is " + std::to_string(r.out_bits) + ", expected 1..64");
  if (get<std::uint16_t>(h + 14) != 0 || get<std::uint32_t>(h + 40) != 0)
    fail("reserved header fields are not zero");
  const auto L = get<std::uint32_t>(h + 16);
  if (r.kind == KeyKind::kDpf && L != 1)
    fail("payload length is " + std::to_string(L) + ", expected 1 for DPF keys");
  if (r.kind == KeyKind::kDcf && (L < 1 || L > static_cast<std::uint32_t>(kDcfMaxPayload)))
    fail("payload length is " + std::to_string(L) + ", expected 1.." +
         std::to_string(kDcfMaxPayload));
  r.payload_len = static_cast<int>(L);
  r.bytes_per_key = get<std::uint32_t>(h + 20);
  const std::size_t want = key_bytes(r.kind, r.in_bits, r.out_bits, r.payload_len);
  if (r.bytes_per_key != want)
    fail("bytes per key is " + std::to_string(r.bytes_per_key) + ", expected " +
         std::to_string(want) + " for " + kind_name(r.kind) + " n = " + std::to_string(r.in_bits) +
         ", m = " + std::to_string(r.out_bits) + ", L = " + std::to_string(L));
  r.count = get<std::uint64_t>(h + 24);
  r.payload_bytes = get<std::uint64_t>(h + 32);
  std::uint64_t product = 0;
  if (__builtin_mul_overflow(r.count, r.bytes_per_key, &product) || product != r.payload_bytes)
    fail("payload size is " + std::to_string(r.payload_bytes) + " bytes, expected count " +
         std::to_string(r.count) + " x " + std::to_string(r.bytes_per_key) + " bytes per key");
  r.crc = get<std::uint32_t>(h + kCrcOffset);
  return r;
}

namespace {
// The arrays of a resident batch are in an accelerator's memory (Accelerator::make_resident).
void refuse_resident(bool resident) {
  if (resident)
    throw std::logic_error(
        "serialize_keys: this key batch was moved to an accelerator's memory (make_resident) and "
        "has no host arrays to write; a resident batch is handed over as an object only");
}
}  // namespace

std::size_t serialized_size(const DpfKeys& keys) {
  dpf_check_keys(keys);
  return kKeyHeaderBytes +
         keys.count * key_bytes(KeyKind::kDpf, keys.shape.in_bits, keys.shape.out_bits, 1);
}

std::size_t serialized_size(const DcfKeys& keys) {
  dcf_check_keys(keys);
  return kKeyHeaderBytes + keys.count * key_bytes(KeyKind::kDcf, keys.shape.in_bits,
                                                  keys.shape.out_bits, keys.shape.payload_len);
}

void serialize_keys(const DpfKeys& keys, std::span<std::uint8_t> out) {
  refuse_resident(keys.resident != nullptr);
  const std::size_t total = serialized_size(keys);
  if (out.size() != total)
    throw std::invalid_argument("serialize_keys: output holds " + std::to_string(out.size()) +
                                " bytes, the keys need " + std::to_string(total));
  const int n = keys.shape.in_bits, m = keys.shape.out_bits;
  const std::size_t c = keys.count, bpk = key_bytes(KeyKind::kDpf, n, m, 1);
  write_header(out.data(), KeyKind::kDpf, keys.party, n, m, 1, c, bpk);
  for (std::size_t k = 0; k < c; ++k) {
    check_seed(keys.root[k], "root", k);
    check_value(keys.cw_out[k], m, "cw_out", k);
    BitWriter w(out.data() + kKeyHeaderBytes + k * bpk);
    w.put_block(keys.root[k]);
    for (int i = 0; i < n; ++i) {
      const std::size_t at = static_cast<std::size_t>(i) * c + k;
      check_seed(keys.cw_seed[at], "cw_seed", k);
      w.put_block(keys.cw_seed[at]);
      w.put_bits(keys.cw_t[at], 2);  // bit 0 = cw_tL, bit 1 = cw_tR
    }
    w.put_bits(keys.cw_out[k], m);
    w.finish();
  }
  seal(out);
}

void serialize_keys(const DcfKeys& keys, std::span<std::uint8_t> out) {
  refuse_resident(keys.resident != nullptr);
  const std::size_t total = serialized_size(keys);
  if (out.size() != total)
    throw std::invalid_argument("serialize_keys: output holds " + std::to_string(out.size()) +
                                " bytes, the keys need " + std::to_string(total));
  const int n = keys.shape.in_bits, m = keys.shape.out_bits, L = keys.shape.payload_len;
  const auto len = static_cast<std::size_t>(L);
  const std::size_t c = keys.count, bpk = key_bytes(KeyKind::kDcf, n, m, L);
  write_header(out.data(), KeyKind::kDcf, keys.party, n, m, L, c, bpk);
  for (std::size_t k = 0; k < c; ++k) {
    BitWriter w(out.data() + kKeyHeaderBytes + k * bpk);
    w.put_block(keys.root[k]);  // bit 0 is the control bit (fss-core.md "DCF")
    for (int i = 0; i < n; ++i) {
      const std::size_t at = static_cast<std::size_t>(i) * c + k;
      w.put_block(keys.cw_seed[at]);
      for (std::size_t e = 0; e < len; ++e) {
        check_value(keys.cw_v[at * len + e], m, "cw_v", k);
        w.put_bits(keys.cw_v[at * len + e], m);
      }
    }
    for (std::size_t e = 0; e < len; ++e) {
      check_value(keys.cw_final[k * len + e], m, "cw_final", k);
      w.put_bits(keys.cw_final[k * len + e], m);
    }
    w.finish();
  }
  seal(out);
}

std::vector<std::uint8_t> serialize_keys(const DpfKeys& keys) {
  std::vector<std::uint8_t> out(serialized_size(keys));
  serialize_keys(keys, out);
  return out;
}

std::vector<std::uint8_t> serialize_keys(const DcfKeys& keys) {
  std::vector<std::uint8_t> out(serialized_size(keys));
  serialize_keys(keys, out);
  return out;
}

DpfKeys deserialize_dpf_keys(std::span<const std::uint8_t> in) {
  const KeyHeader h = check_batch(in, KeyKind::kDpf);
  const int n = h.in_bits, m = h.out_bits;
  const auto c = static_cast<std::size_t>(h.count), bpk = static_cast<std::size_t>(h.bytes_per_key);
  DpfKeys keys;
  keys.shape = {n, m};
  keys.party = h.party;
  keys.count = c;
  keys.root.resize(c);
  keys.cw_seed.resize(static_cast<std::size_t>(n) * c);
  keys.cw_t.resize(static_cast<std::size_t>(n) * c);
  keys.cw_out.resize(c);
  for (std::size_t k = 0; k < c; ++k) {
    BitReader r(in.data() + kKeyHeaderBytes + k * bpk, bpk);
    keys.root[k] = r.get_block();
    if (keys.root[k].lo & 1) corrupt_record(k, "root seed has bit 0 set");
    for (int i = 0; i < n; ++i) {
      const std::size_t at = static_cast<std::size_t>(i) * c + k;
      keys.cw_seed[at] = r.get_block();
      if (keys.cw_seed[at].lo & 1) corrupt_record(k, "correction seed has bit 0 set");
      keys.cw_t[at] = static_cast<std::uint8_t>(r.get_bits(2));
    }
    keys.cw_out[k] = r.get_bits(m);
    if (!r.padding_is_zero()) corrupt_record(k, "padding bits are not zero");
  }
  return keys;
}

DcfKeys deserialize_dcf_keys(std::span<const std::uint8_t> in) {
  const KeyHeader h = check_batch(in, KeyKind::kDcf);
  const int n = h.in_bits, m = h.out_bits, L = h.payload_len;
  const auto len = static_cast<std::size_t>(L);
  const auto c = static_cast<std::size_t>(h.count), bpk = static_cast<std::size_t>(h.bytes_per_key);
  DcfKeys keys;
  keys.shape = {n, m, L};
  keys.party = h.party;
  keys.count = c;
  keys.root.resize(c);
  keys.cw_seed.resize(static_cast<std::size_t>(n) * c);
  keys.cw_v.resize(static_cast<std::size_t>(n) * c * len);
  keys.cw_final.resize(c * len);
  for (std::size_t k = 0; k < c; ++k) {
    BitReader r(in.data() + kKeyHeaderBytes + k * bpk, bpk);
    keys.root[k] = r.get_block();
    for (int i = 0; i < n; ++i) {
      const std::size_t at = static_cast<std::size_t>(i) * c + k;
      keys.cw_seed[at] = r.get_block();
      for (std::size_t e = 0; e < len; ++e) keys.cw_v[at * len + e] = r.get_bits(m);
    }
    for (std::size_t e = 0; e < len; ++e) keys.cw_final[k * len + e] = r.get_bits(m);
    if (!r.padding_is_zero()) corrupt_record(k, "padding bits are not zero");
  }
  return keys;
}

void write_keys(std::ostream& os, const DpfKeys& keys) {
  write_all(os, serialize_keys(keys));
}
void write_keys(std::ostream& os, const DcfKeys& keys) {
  write_all(os, serialize_keys(keys));
}

DpfKeys read_dpf_keys(std::istream& is) {
  const auto buf = read_batch(is, KeyKind::kDpf);
  return deserialize_dpf_keys(buf);
}

DcfKeys read_dcf_keys(std::istream& is) {
  const auto buf = read_batch(is, KeyKind::kDcf);
  return deserialize_dcf_keys(buf);
}

}  // namespace secinfer::fss
