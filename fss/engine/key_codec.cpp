#include "fss/engine/key_codec.h"

namespace secinfer::fss::engine {

namespace {

using u128 = unsigned __int128;

// Little-endian bit order, as fss::pack_bits.
class BitWriter {
 public:
  explicit BitWriter(std::vector<std::uint8_t>& out) : out_(out) {}
  void put(u64 v, int bits) {
    if (bits <= 0) return;
    acc_ |= static_cast<u128>(v & ring_mask(bits)) << n_;
    n_ += bits;
    while (n_ >= 8) {
      out_.push_back(static_cast<std::uint8_t>(acc_));
      acc_ >>= 8;
      n_ -= 8;
    }
  }
  void put_block(Block b) {
    put(b.lo, 64);
    put(b.hi, 64);
  }
  void pad() {
    if (n_ > 0) out_.push_back(static_cast<std::uint8_t>(acc_));
    acc_ = 0;
    n_ = 0;
  }

 private:
  std::vector<std::uint8_t>& out_;
  u128 acc_ = 0;
  int n_ = 0;
};

class BitReader {
 public:
  explicit BitReader(const std::uint8_t* p) : p_(p) {}
  u64 get(int bits) {
    if (bits <= 0) return 0;
    while (n_ < bits) {
      acc_ |= static_cast<u128>(*p_++) << n_;
      n_ += 8;
    }
    const u64 v = static_cast<u64>(acc_) & ring_mask(bits);
    acc_ >>= bits;
    n_ -= bits;
    return v;
  }
  Block get_block() {
    Block b;
    b.lo = get(64);
    b.hi = get(64);
    return b;
  }
  void align() {  // drop the padding bits of the current byte
    acc_ = 0;
    n_ = 0;
  }

 private:
  const std::uint8_t* p_;
  u128 acc_ = 0;
  int n_ = 0;
};

}  // namespace

std::size_t dcf_key_bytes(DcfShape shape) { return (dcf_key_bits(shape) + 7) / 8; }
std::size_t dpf_key_bytes(DpfShape shape) { return (dpf_key_bits(shape) + 7) / 8; }

void write_dcf_keys(KeyWriter& w, const DcfKeys& k) {
  const int n = k.shape.in_bits, m = k.shape.out_bits;
  const std::size_t L = static_cast<std::size_t>(k.shape.payload_len), cnt = k.count;
  std::vector<std::uint8_t> out;
  out.reserve(cnt * dcf_key_bytes(k.shape));
  BitWriter bw(out);
  for (std::size_t key = 0; key < cnt; ++key) {
    bw.put_block(k.root[key]);
    for (int i = 0; i < n; ++i) {
      const std::size_t idx = static_cast<std::size_t>(i) * cnt + key;
      bw.put_block(k.cw_seed[idx]);
      bw.put(k.cw_t[idx], 2);
      for (std::size_t j = 0; j < L; ++j) bw.put(k.cw_v[idx * L + j], m);
    }
    for (std::size_t j = 0; j < L; ++j) bw.put(k.cw_final[key * L + j], m);
    bw.pad();
  }
  w.write(out);
}

DcfKeys read_dcf_keys(KeyReader& r, DcfShape shape, std::size_t count, int party) {
  const int n = shape.in_bits, m = shape.out_bits;
  const std::size_t L = static_cast<std::size_t>(shape.payload_len);
  std::vector<std::uint8_t> in(count * dcf_key_bytes(shape));
  r.read(in);
  DcfKeys k;
  k.shape = shape;
  k.party = party;
  k.count = count;
  k.root.resize(count);
  k.cw_seed.resize(static_cast<std::size_t>(n) * count);
  k.cw_t.resize(static_cast<std::size_t>(n) * count);
  k.cw_v.resize(static_cast<std::size_t>(n) * count * L);
  k.cw_final.resize(count * L);
  const std::size_t kb = dcf_key_bytes(shape);
  for (std::size_t key = 0; key < count; ++key) {
    BitReader br(in.data() + key * kb);
    k.root[key] = br.get_block();
    for (int i = 0; i < n; ++i) {
      const std::size_t idx = static_cast<std::size_t>(i) * count + key;
      k.cw_seed[idx] = br.get_block();
      k.cw_t[idx] = static_cast<std::uint8_t>(br.get(2));
      for (std::size_t j = 0; j < L; ++j) k.cw_v[idx * L + j] = br.get(m);
    }
    for (std::size_t j = 0; j < L; ++j) k.cw_final[key * L + j] = br.get(m);
  }
  return k;
}

void write_dpf_keys(KeyWriter& w, const DpfKeys& k) {
  const int n = k.shape.in_bits, m = k.shape.out_bits;
  const std::size_t cnt = k.count;
  std::vector<std::uint8_t> out;
  out.reserve(cnt * dpf_key_bytes(k.shape));
  BitWriter bw(out);
  for (std::size_t key = 0; key < cnt; ++key) {
    bw.put_block(k.root[key]);
    for (int i = 0; i < n; ++i) {
      const std::size_t idx = static_cast<std::size_t>(i) * cnt + key;
      bw.put_block(k.cw_seed[idx]);
      bw.put(k.cw_t[idx], 2);
    }
    bw.put(k.cw_out[key], m);
    bw.pad();
  }
  w.write(out);
}

DpfKeys read_dpf_keys(KeyReader& r, DpfShape shape, std::size_t count, int party) {
  const int n = shape.in_bits, m = shape.out_bits;
  std::vector<std::uint8_t> in(count * dpf_key_bytes(shape));
  r.read(in);
  DpfKeys k;
  k.shape = shape;
  k.party = party;
  k.count = count;
  k.root.resize(count);
  k.cw_seed.resize(static_cast<std::size_t>(n) * count);
  k.cw_t.resize(static_cast<std::size_t>(n) * count);
  k.cw_out.resize(count);
  const std::size_t kb = dpf_key_bytes(shape);
  for (std::size_t key = 0; key < count; ++key) {
    BitReader br(in.data() + key * kb);
    k.root[key] = br.get_block();
    for (int i = 0; i < n; ++i) {
      const std::size_t idx = static_cast<std::size_t>(i) * count + key;
      k.cw_seed[idx] = br.get_block();
      k.cw_t[idx] = static_cast<std::uint8_t>(br.get(2));
    }
    k.cw_out[key] = br.get(m);
  }
  return k;
}

}  // namespace secinfer::fss::engine
