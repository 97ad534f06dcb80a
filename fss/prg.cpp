// Aes128, FixedKeyPrg (fixed-key MMO, fss-core.md "Blocks and AES") and SeededPrg (AES-CTR,
// fss-core.md "Randomness"), dispatching to the AES-NI or the portable kernels.
#include "fss/prg.h"

#include <cpuid.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "fss/aes_kernels.h"
#include "fss/thread_pool.h"

namespace secinfer::fss {
namespace {

void check_same_size(const char* what, std::size_t in, std::size_t out) {
  if (in != out)
    throw std::invalid_argument(std::string(what) + ": input has " + std::to_string(in) +
                                " blocks but output has " + std::to_string(out));
}

void check_key_index(int j) {
  if (j < 0 || j >= kPrgFixedKeys)
    throw std::invalid_argument("FixedKeyPrg: key index " + std::to_string(j) + " is outside [0, " +
                                std::to_string(kPrgFixedKeys) + ")");
}

}  // namespace

bool cpu_has_aesni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_AES) != 0 && (ecx & bit_SSE4_1) != 0;
}

AesImpl resolve_aes_impl(AesImpl impl) {
  static const bool has = cpu_has_aesni();
  switch (impl) {
    case AesImpl::kAuto:
      return has ? AesImpl::kAesNi : AesImpl::kPortable;
    case AesImpl::kAesNi:
      if (!has)
        throw std::runtime_error(
            "AES-NI was requested but this CPU does not support it: use AesImpl::kAuto or "
            "AesImpl::kPortable");
      return AesImpl::kAesNi;
    case AesImpl::kPortable:
      return AesImpl::kPortable;
  }
  throw std::invalid_argument("unknown AesImpl value " + std::to_string(static_cast<int>(impl)));
}

Aes128::Aes128(Block key, AesImpl impl) : impl_(resolve_aes_impl(impl)) {
  if (impl_ == AesImpl::kAesNi) {
    detail::aesni_expand_key(key, round_keys_);
  } else {
    detail::portable_expand_key(key, round_keys_);
    detail::portable_bitslice_keys(round_keys_, sliced_keys_);
  }
}

Block Aes128::encrypt(Block in) const {
  Block out;
  if (impl_ == AesImpl::kAesNi)
    detail::aesni_encrypt(round_keys_, &in, &out, 1);
  else
    detail::portable_encrypt(sliced_keys_, &in, &out, 1);
  return out;
}

void Aes128::encrypt_blocks(std::span<const Block> in, std::span<Block> out) const {
  check_same_size("Aes128::encrypt_blocks", in.size(), out.size());
  if (impl_ == AesImpl::kAesNi)
    detail::aesni_encrypt(round_keys_, in.data(), out.data(), in.size());
  else
    detail::portable_encrypt(sliced_keys_, in.data(), out.data(), in.size());
}

FixedKeyPrg::FixedKeyPrg(AesImpl impl)
    : aes_{Aes128(prg_fixed_key(0), impl), Aes128(prg_fixed_key(1), impl),
           Aes128(prg_fixed_key(2), impl), Aes128(prg_fixed_key(3), impl),
           Aes128(prg_fixed_key(4), impl)} {}

AesImpl FixedKeyPrg::impl() const {
  return aes_[0].impl();
}

Block FixedKeyPrg::g(int j, Block s) const {
  check_key_index(j);
  Block out;
  if (impl() == AesImpl::kAesNi)
    detail::aesni_mmo(aes_[j].round_keys_, &s, &out, 1);
  else
    detail::portable_mmo(aes_[j].sliced_keys_, &s, &out, 1);
  return out;
}

void FixedKeyPrg::g_blocks(int j, std::span<const Block> in, std::span<Block> out) const {
  check_key_index(j);
  check_same_size("FixedKeyPrg::g_blocks", in.size(), out.size());
  if (impl() == AesImpl::kAesNi)
    detail::aesni_mmo(aes_[j].round_keys_, in.data(), out.data(), in.size());
  else
    detail::portable_mmo(aes_[j].sliced_keys_, in.data(), out.data(), in.size());
}

void FixedKeyPrg::dcf_value_blocks(int L, int c, std::span<const Block> in,
                                   std::span<Block> out) const {
  g_blocks(L == 1 ? 2 : 2 + c, in, out);
  if (L == 1 && c == 1)
    for (Block& b : out) b = b.swapped();
}

void FixedKeyPrg::dcf_value_blocks(int L, std::span<const Block> in, std::span<Block> left,
                                   std::span<Block> right) const {
  dcf_value_blocks(L, 0, in, left);
  if (L != 1) {
    dcf_value_blocks(L, 1, in, right);
    return;
  }
  check_same_size("FixedKeyPrg::dcf_value_blocks", in.size(), right.size());
  for (std::size_t i = 0; i < in.size(); ++i) right[i] = left[i].swapped();
}

void FixedKeyPrg::g_multi(std::span<const std::uint8_t> j, std::span<const Block> in,
                          std::span<Block> out) const {
  check_same_size("FixedKeyPrg::g_multi", in.size(), out.size());
  check_same_size("FixedKeyPrg::g_multi (key indices)", j.size(), in.size());
  std::uint8_t bad = 0;
  for (const auto v : j) bad |= static_cast<std::uint8_t>(v >= kPrgFixedKeys);
  if (bad)
    for (const auto v : j) check_key_index(v);
  if (impl() == AesImpl::kAesNi) {
    const detail::RoundKeys* rks[kPrgFixedKeys];
    for (int k = 0; k < kPrgFixedKeys; ++k) rks[k] = &aes_[k].round_keys_;
    detail::aesni_mmo_multi(rks, j.data(), in.data(), out.data(), in.size());
  } else {
    const detail::BitslicedKeys* bs[kPrgFixedKeys];
    for (int k = 0; k < kPrgFixedKeys; ++k) bs[k] = &aes_[k].sliced_keys_;
    detail::portable_mmo_multi(bs, j.data(), in.data(), out.data(), in.size());
  }
}

void FixedKeyPrg::eval_level(std::span<const u64> x, int shift, std::span<Block> s,
                             std::span<u64> t, std::span<const Block> cw_seed,
                             std::span<const std::uint8_t> cw_t) const {
  const std::size_t w = s.size();
  check_same_size("FixedKeyPrg::eval_level (x)", x.size(), w);
  check_same_size("FixedKeyPrg::eval_level (t)", t.size(), w);
  check_same_size("FixedKeyPrg::eval_level (cw_seed)", cw_seed.size(), w);
  check_same_size("FixedKeyPrg::eval_level (cw_t)", cw_t.size(), w);
  if (shift < 0 || shift > 63)
    throw std::invalid_argument("FixedKeyPrg::eval_level: shift " + std::to_string(shift) +
                                " is outside [0, 63]");
  if (impl() == AesImpl::kAesNi) {
    const detail::RoundKeys* rks[2] = {&aes_[0].round_keys_, &aes_[1].round_keys_};
    detail::aesni_tree_level(rks, x.data(), shift, s.data(), t.data(), cw_seed.data(), cw_t.data(),
                             w);
  } else {
    const detail::BitslicedKeys* bs[2] = {&aes_[0].sliced_keys_, &aes_[1].sliced_keys_};
    detail::portable_tree_level(bs, x.data(), shift, s.data(), t.data(), cw_seed.data(),
                                cw_t.data(), w);
  }
}

void FixedKeyPrg::expand_level(std::span<const Block> s, std::span<const std::uint8_t> t,
                               Block cw_seed, std::uint8_t cw_t, std::span<Block> next,
                               std::span<std::uint8_t> t_next) const {
  const std::size_t m = s.size();
  check_same_size("FixedKeyPrg::expand_level (t)", t.size(), m);
  check_same_size("FixedKeyPrg::expand_level (next)", next.size(), 2 * m);
  check_same_size("FixedKeyPrg::expand_level (t_next)", t_next.size(), 2 * m);
  const u64 cw_tl = cw_t & 1, cw_tr = (cw_t >> 1) & 1;
  if (impl() == AesImpl::kAesNi)
    detail::aesni_expand_level(aes_[0].round_keys_, aes_[1].round_keys_, s.data(), t.data(),
                               cw_seed, cw_tl, cw_tr, next.data(), t_next.data(), m);
  else
    detail::portable_expand_level(aes_[0].sliced_keys_, aes_[1].sliced_keys_, s.data(), t.data(),
                                  cw_seed, cw_tl, cw_tr, next.data(), t_next.data(), m);
}

const FixedKeyPrg& fixed_key_prg(AesImpl impl) {
  // Immutable after construction (thread-safe static initialisation).
  static const FixedKeyPrg aesni_prg(cpu_has_aesni() ? AesImpl::kAesNi : AesImpl::kPortable);
  static const FixedKeyPrg portable_prg(AesImpl::kPortable);
  return resolve_aes_impl(impl) == AesImpl::kAesNi ? aesni_prg : portable_prg;
}

SeededPrg::SeededPrg(Block seed, AesImpl impl) : seed_(seed), aes_(seed, impl) {}

void SeededPrg::skip_blocks(u64 n) {
  have_hi_ = false;
  counter_ += n;
}

Block SeededPrg::next_block() {
  have_hi_ = false;
  const Block ctr{counter_++, 0};
  return aes_.encrypt(ctr);
}

void SeededPrg::next_blocks(std::span<Block> out) {
  have_hi_ = false;
  for (auto& b : out) b = Block{counter_++, 0};
  aes_.encrypt_blocks(out, out);
}

u64 SeededPrg::next_u64() {
  if (have_hi_) {
    have_hi_ = false;
    return buffered_.hi;
  }
  buffered_ = next_block();
  have_hi_ = true;
  return buffered_.lo;
}

namespace {

void check_fill_bits(int m) {
  if (m < 1 || m > 64)
    throw std::invalid_argument("SeededPrg::fill: bit width " + std::to_string(m) +
                                " is outside [1, 64]");
}

// out[2k], out[2k + 1] = lo, hi of AES(Block{first + k, 0}) masked, for the pairs of `out`.
void fill_pairs(const Aes128& aes, u64 first, u64 mask, std::span<u64> out) {
  Block buf[64];
  const std::size_t pairs = out.size() / 2;
  for (std::size_t k0 = 0; k0 < pairs; k0 += 64) {
    const std::size_t blocks = std::min<std::size_t>(pairs - k0, 64);
    for (std::size_t k = 0; k < blocks; ++k) buf[k] = Block{first + k0 + k, 0};
    aes.encrypt_blocks(std::span<const Block>(buf, blocks), std::span<Block>(buf, blocks));
    for (std::size_t k = 0; k < blocks; ++k) {
      out[2 * (k0 + k)] = buf[k].lo & mask;
      out[2 * (k0 + k) + 1] = buf[k].hi & mask;
    }
  }
}

}  // namespace

void SeededPrg::fill(std::span<u64> out, int m) {
  check_fill_bits(m);
  fill_slice(take_slice(out.size()), out, m);
}

void SeededPrg::fill(std::span<u64> out, int m, ThreadPool& pool) {
  check_fill_bits(m);
  fill_slice(take_slice(out.size()), out, m, &pool);
}

StreamSlice SeededPrg::take_slice(std::size_t count) {
  StreamSlice s;
  s.count = count;
  std::size_t i = 0;
  if (have_hi_ && count > 0) {
    s.has_head = true;
    s.head = buffered_.hi;
    have_hi_ = false;
    i = 1;
  }
  s.pairs = (count - i) / 2;
  s.first_block = counter_;
  counter_ += s.pairs;
  i += 2 * s.pairs;
  if (i < count) {
    s.has_tail = true;
    s.tail = next_u64();
  }
  return s;
}

void SeededPrg::fill_slice(const StreamSlice& slice, std::span<u64> out, int m,
                           ThreadPool* pool) const {
  check_fill_bits(m);
  if (out.size() != slice.count)
    throw std::invalid_argument("SeededPrg::fill_slice: " + std::to_string(out.size()) +
                                " outputs for a slice of " + std::to_string(slice.count));
  const u64 mask = ring_mask(m);
  const std::size_t at = slice.has_head ? 1 : 0;
  if (slice.has_head) out[0] = slice.head & mask;
  const std::span<u64> body = out.subspan(at, 2 * slice.pairs);
  if (pool == nullptr) {
    fill_pairs(aes_, slice.first_block, mask, body);
  } else {
    constexpr std::size_t kGrainPairs = std::size_t{1} << 13;  // 16K values a range
    parallel_for(*pool, slice.pairs, kGrainPairs, [&](std::size_t b, std::size_t e) {
      fill_pairs(aes_, slice.first_block + b, mask, body.subspan(2 * b, 2 * (e - b)));
    });
  }
  if (slice.has_tail) out[slice.count - 1] = slice.tail & mask;
}

}  // namespace secinfer::fss
