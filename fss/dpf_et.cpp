// The early-terminated 1-bit DPF on the CPU: the one-key code of dpf_et_core.h over the AES-NI
// fixed-key PRG, keys in parallel.
#include "fss/dpf_et.h"

#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "fss/accelerator.h"
#include "fss/lut_planes.h"
#include "fss/parallel.h"
#include "fss/tree_common.h"

namespace secinfer::fss {
namespace {

// dpf_et_core.h's PRG interface over the CPU's fixed-key PRG.
struct HostPrg {
  const FixedKeyPrg* prg;
  Block g(int j, Block s) const { return prg->g(j, s); }
};

void check_shape(const char* what, int k, int leaf_log2) {
  if (k < 1 || k > kDpfEtMaxBits)
    throw std::invalid_argument(std::string(what) + ": domain of " + std::to_string(k) +
                                " bits is outside [1, " + std::to_string(kDpfEtMaxBits) + "]");
  if (!dpf_et_shape_ok(k, leaf_log2))
    throw std::invalid_argument(
        std::string(what) + ": leaves of 2^" + std::to_string(leaf_log2) + " blocks do not fit a " +
        std::to_string(k) + "-bit domain (0 <= leaf_log2 <= " + std::to_string(kDpfEtMaxLeafLog2) +
        ", and a wide leaf needs k >= 8 + leaf_log2)");
}

std::size_t inner_levels(int k, int leaf_log2) {
  const int levels = dpf_et_levels(k, leaf_log2);
  return levels > 0 ? static_cast<std::size_t>(levels - 1) : 0;
}

// Leaf CW blocks a key: 2^(w+1), none when the tree has no levels.
std::size_t leaf_cw_blocks(int k, int leaf_log2) {
  return dpf_et_levels(k, leaf_log2) > 0 ? std::size_t{2} << leaf_log2 : 0;
}

DpfEtKeys empty_keys(int k, int leaf_log2, int party, std::size_t count) {
  DpfEtKeys keys;
  keys.in_bits = k;
  keys.leaf_log2 = leaf_log2;
  keys.party = party;
  keys.count = count;
  keys.root.resize(count);
  keys.cw_seed.resize(inner_levels(k, leaf_log2) * count);
  keys.cw_t.resize(inner_levels(k, leaf_log2) * count);
  keys.leaf_cw.resize(leaf_cw_blocks(k, leaf_log2) * count);
  return keys;
}

// The XOR part of a lookup index (dpf_et_core.h lut_index) must be a run of top bits of [0, 2^k):
// what it leaves, top ^ m, is then a run of low bits 2^j - 1.
void check_xor_mask(int k, u64 index_xor_mask) {
  const u64 m = lut_xor_field(index_xor_mask);
  const u64 top = (u64{1} << k) - 1, low = top ^ m;
  if ((m & ~top) != 0 || (low & (low + 1)) != 0)
    throw std::invalid_argument("dpf_et_lut_eval: index XOR mask " + std::to_string(m) +
                                " is not a run of the top bits of a " + std::to_string(k) +
                                "-bit index");
}

// Keys per thread: a few thousand AES calls each.
std::size_t grain_for(int k) {
  return detail::key_grain(std::size_t{4} << dpf_et_levels(k));  // the 128-bit leaves' AES
}

// Key i's entry of a level-major array (null when the array is empty: no such level).
template <class T>
T* at(std::vector<T>& v, std::size_t i) {
  return v.empty() ? nullptr : v.data() + i;
}
template <class T>
const T* at(const std::vector<T>& v, std::size_t i) {
  return v.empty() ? nullptr : v.data() + i;
}

}  // namespace

void dpf_et_check_keys(const DpfEtKeys& keys) {
  check_shape("DPF-ET keys", keys.in_bits, keys.leaf_log2);
  if (keys.party != 0 && keys.party != 1)
    throw std::invalid_argument("DPF-ET keys: party " + std::to_string(keys.party) +
                                " is not 0 or 1");
  if (keys.resident) return;  // its arrays were checked by the accelerator that holds them
  const std::size_t c = keys.count, inner = inner_levels(keys.in_bits, keys.leaf_log2);
  detail::check_size("DPF-ET keys", "root", keys.root.size(), c);
  detail::check_size("DPF-ET keys", "cw_seed", keys.cw_seed.size(), inner * c);
  detail::check_size("DPF-ET keys", "cw_t", keys.cw_t.size(), inner * c);
  detail::check_size("DPF-ET keys", "leaf_cw", keys.leaf_cw.size(),
                     leaf_cw_blocks(keys.in_bits, keys.leaf_log2) * c);
}

std::pair<DpfEtKeys, DpfEtKeys> dpf_et_gen(int k, std::span<const u64> alpha, SeededPrg& rng,
                                           const BatchOptions& opt, int leaf_log2) {
  check_shape("dpf_et_gen", k, leaf_log2);
  detail::check_range("dpf_et_gen", "alpha", alpha, k, opt.pool);
  const std::size_t count = alpha.size();
  // Key i's seeds are blocks next_counter() + 2i and + 2i + 1 of the stream, so an accelerator
  // makes the same keys from (seed, counter); asked before the host arrays exist.
  if (opt.accel != nullptr && count != 0) {
    if (auto made = opt.accel->dpf_et_gen(k, leaf_log2, alpha, rng.seed(), rng.next_counter())) {
      rng.skip_blocks(2 * count);
      return std::move(*made);
    }
  }
  std::vector<Block> seeds(2 * count);
  rng.next_blocks(seeds);
  std::pair<DpfEtKeys, DpfEtKeys> keys{empty_keys(k, leaf_log2, 0, count),
                                       empty_keys(k, leaf_log2, 1, count)};
  const HostPrg prg{&fixed_key_prg(opt.aes)};
  DpfEtKeys& k0 = keys.first;
  DpfEtKeys& k1 = keys.second;
  parallel_for(count, grain_for(k), opt.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i)
      dpf_et_gen_one(prg, k, leaf_log2, seeds[2 * i], seeds[2 * i + 1], alpha[i], k0.root[i],
                     k1.root[i], at(k0.cw_seed, i), at(k0.cw_t, i), at(k0.leaf_cw, i), count);
  });
  // Both parties hold the same correction words.
  k1.cw_seed = k0.cw_seed;
  k1.cw_t = k0.cw_t;
  k1.leaf_cw = k0.leaf_cw;
  return keys;
}

void dpf_et_eval_full_domain(const DpfEtKeys& keys, std::size_t key, std::span<u64> out) {
  dpf_et_check_keys(keys);
  require_host_keys(keys.resident, "dpf_et_eval_full_domain");
  if (key >= keys.count)
    throw std::invalid_argument("dpf_et_eval_full_domain: key " + std::to_string(key) +
                                " is outside the batch of " + std::to_string(keys.count));
  const int k = keys.in_bits;
  detail::check_size("dpf_et_eval_full_domain", "out", out.size(), std::size_t{1} << k);
  const HostPrg prg{&fixed_key_prg()};
  const std::size_t n = out.size();
  dpf_et_leaf_blocks(prg, k, keys.leaf_log2, keys.party, keys.root[key], at(keys.cw_seed, key),
                     at(keys.cw_t, key), at(keys.leaf_cw, key), keys.count, 0,
                     [&](u64 b, Block blk) {
                       for (std::size_t i = 0; i < 128; ++i) {
                         const std::size_t j = static_cast<std::size_t>(b) * 128 + i;
                         if (j >= n) return;
                         out[j] = i < 64 ? (blk.lo >> i) & 1 : (blk.hi >> (i - 64)) & 1;
                       }
                     });
}

void dpf_et_lut_eval(const DpfEtKeys& keys, std::span<const u64> xhat, std::span<const u64> table,
                     int out_bits, std::span<u64> sum, std::span<u64> count,
                     const BatchOptions& opt, u64 index_xor_mask) {
  dpf_et_check_keys(keys);
  const int k = keys.in_bits;
  detail::check_bits("dpf_et_lut_eval", "out_bits", out_bits);
  detail::check_size("dpf_et_lut_eval", "table", table.size(), std::size_t{1} << k);
  detail::check_size("dpf_et_lut_eval", "xhat", xhat.size(), keys.count);
  detail::check_size("dpf_et_lut_eval", "sum", sum.size(), keys.count);
  detail::check_size("dpf_et_lut_eval", "count", count.size(), keys.count);
  detail::check_range("dpf_et_lut_eval", "xhat", xhat, k);
  check_xor_mask(k, index_xor_mask);
  if (keys.count == 0) return;
  if (opt.accel != nullptr &&
      opt.accel->dpf_et_lut_eval(keys, xhat, table, out_bits, sum, count, index_xor_mask))
    return;
  require_host_keys(keys.resident, "dpf_et_lut_eval");
  const HostPrg prg{&fixed_key_prg(opt.aes)};
  const u64 mask = ring_mask(out_bits);
  const std::optional<LutPlanes> planes = make_lut_planes(table, k, out_bits, index_xor_mask);
  const std::optional<LutSupport> support =
      lut_support_if_asked(table, k, out_bits, index_xor_mask);
  const LutSupport* sup = support ? &*support : nullptr;
  const LutPlanesView pv = planes ? planes->view() : LutPlanesView{};
  const auto lookup = [&table](std::size_t j) { return table[j]; };
  const auto word = [&pv](std::size_t j) { return pv.data[j]; };
  parallel_for(keys.count, grain_for(k), opt.threads, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      u64 s = 0, c = 0;
      if (planes)
        dpf_et_lut_planes_one(prg, k, keys.leaf_log2, keys.party, keys.root[i], at(keys.cw_seed, i),
                              at(keys.cw_t, i), at(keys.leaf_cw, i), keys.count, xhat[i], pv, word,
                              s, c, sup);
      else
        dpf_et_lut_one(prg, k, keys.leaf_log2, keys.party, keys.root[i], at(keys.cw_seed, i),
                       at(keys.cw_t, i), at(keys.leaf_cw, i), keys.count, xhat[i], index_xor_mask,
                       lookup, s, c, sup);
      sum[i] = s & mask;
      count[i] = c;
    }
  });
}

std::size_t dpf_et_key_bytes(int k, std::size_t count, int leaf_log2) {
  check_shape("dpf_et_key_bytes", k, leaf_log2);
  const std::size_t per_key =
      16 + 17 * inner_levels(k, leaf_log2) + leaf_cw_blocks(k, leaf_log2) * sizeof(Block);
  return per_key * count;
}

namespace {
template <class T>
std::size_t put(std::span<std::uint8_t> out, std::size_t at, const std::vector<T>& v) {
  if (!v.empty()) std::memcpy(out.data() + at, v.data(), v.size() * sizeof(T));
  return at + v.size() * sizeof(T);
}
template <class T>
std::size_t get(std::span<const std::uint8_t> in, std::size_t at, std::vector<T>& v) {
  if (!v.empty()) std::memcpy(v.data(), in.data() + at, v.size() * sizeof(T));
  return at + v.size() * sizeof(T);
}
}  // namespace

void dpf_et_serialize(const DpfEtKeys& keys, std::span<std::uint8_t> out) {
  dpf_et_check_keys(keys);
  require_host_keys(keys.resident, "dpf_et_serialize");
  detail::check_size("dpf_et_serialize", "out", out.size(),
                     dpf_et_key_bytes(keys.in_bits, keys.count, keys.leaf_log2));
  std::size_t at = put(out, 0, keys.root);
  at = put(out, at, keys.cw_seed);
  at = put(out, at, keys.cw_t);
  put(out, at, keys.leaf_cw);
}

std::size_t serialized_size(const DpfEtKeys& keys) {
  return dpf_et_key_bytes(keys.in_bits, keys.count, keys.leaf_log2);
}

void serialize_keys(const DpfEtKeys& keys, std::span<std::uint8_t> out) {
  dpf_et_serialize(keys, out);
}

std::vector<std::uint8_t> serialize_keys(const DpfEtKeys& keys) {
  std::vector<std::uint8_t> out(serialized_size(keys));
  dpf_et_serialize(keys, out);
  return out;
}

DpfEtKeys dpf_et_deserialize(std::span<const std::uint8_t> in, int k, std::size_t count, int party,
                             int leaf_log2) {
  check_shape("dpf_et_deserialize", k, leaf_log2);
  detail::check_size("dpf_et_deserialize", "bytes", in.size(),
                     dpf_et_key_bytes(k, count, leaf_log2));
  DpfEtKeys keys = empty_keys(k, leaf_log2, party, count);
  std::size_t at = get(in, 0, keys.root);
  at = get(in, at, keys.cw_seed);
  at = get(in, at, keys.cw_t);
  get(in, at, keys.leaf_cw);
  return keys;
}

}  // namespace secinfer::fss
