#include "fss/engine/dealer.h"

#include <stdexcept>
#include <string>
#include <utility>

#include "fss/compile/gate_cache.h"
#include "fss/dpf_et.h"
#include "fss/engine/key_codec.h"
#include "fss/sigma_dcf.h"

namespace secinfer::fss::engine {

Dealer::Dealer(Ring ring, int frac_bits, Block seed, KeyWriter& p0, KeyWriter& p1)
    : ring_(make_ring(ring.bits)), frac_bits_(frac_bits), rng_(seed), out_{&p0, &p1} {
  if (frac_bits < 0 || frac_bits >= ring.bits) {
    throw std::invalid_argument("Dealer: frac_bits " + std::to_string(frac_bits) +
                                " must be in [0, " + std::to_string(ring.bits) + ")");
  }
}

void Dealer::set_threads(int threads) {
  if (threads < 0)
    throw std::invalid_argument("Dealer: threads must be >= 0 (0 = all hardware threads), got " +
                                std::to_string(threads));
  threads_ = threads;
}

void Dealer::set_accelerator(const Accelerator* accel) {
  if (accel != nullptr && (out_[0]->writes_file() || out_[1]->writes_file()))
    throw std::invalid_argument(
        "Dealer::set_accelerator: keys made on an accelerator stay in its memory, but a key file "
        "is written here; generate file keys on the CPU (no accelerator)");
  accel_ = accel;
}

void Dealer::begin(std::uint32_t tag, std::uint64_t count) {
  out_[0]->begin_record(tag, count);
  out_[1]->begin_record(tag, count);
}

void Dealer::random(std::span<u64> out, int bits) {
  if (!out.empty()) rng_.fill(out, bits ? bits : ring_.bits);
}

std::vector<u64> Dealer::random(std::size_t count, int bits) {
  std::vector<u64> v(count);
  random(v, bits);
  return v;
}

std::pair<ShareBatch, ShareBatch> Dealer::split(std::span<const u64> v, int bits) {
  const int b = bits ? bits : ring_.bits;
  const u64 mask = ring_mask(b);
  std::pair<ShareBatch, ShareBatch> s{ShareBatch{b, v.size(), std::vector<u64>(v.size())},
                                      ShareBatch{b, v.size(), std::vector<u64>(v.size())}};
  random(s.first.values, b);
  for (std::size_t i = 0; i < v.size(); ++i) s.second.values[i] = (v[i] - s.first.values[i]) & mask;
  return s;
}

void Dealer::share(std::span<const u64> v, int bits) {
  const auto [s0, s1] = split(v, bits);
  out_[0]->write_packed(s0.values, s0.bits);
  out_[1]->write_packed(s1.values, s1.bits);
}

void Dealer::share_batch(std::span<const u64> v, int bits) {
  auto [s0, s1] = split(v, bits);
  out_[0]->write_keys(std::move(s0));
  out_[1]->write_keys(std::move(s1));
}

void Dealer::write_public(std::span<const u64> v, int bits) {
  const int b = bits ? bits : ring_.bits;
  out_[0]->write_packed(v, b);
  out_[1]->write_packed(v, b);
}

void Dealer::dcf(DcfShape shape, std::span<const u64> alpha, std::span<const u64> beta) {
  if (alpha.empty()) return;
  auto [k0, k1] = dcf_gen(shape, alpha, beta, rng_, batch_options());
  // Moved: a memory writer keeps the batch as an object (no serialisation), a discarding one
  // only counts its bytes.
  write_dcf_keys(*out_[0], std::move(k0));
  write_dcf_keys(*out_[1], std::move(k1));
}

void Dealer::dpf(DpfShape shape, std::span<const u64> alpha, std::span<const u64> beta) {
  if (alpha.empty()) return;
  auto [k0, k1] = dpf_gen(shape, alpha, beta, rng_, batch_options());
  write_dpf_keys(*out_[0], std::move(k0));
  write_dpf_keys(*out_[1], std::move(k1));
}

void Dealer::dpf_et(int k, std::span<const u64> alpha) {
  if (alpha.empty()) return;
  auto [k0, k1] = dpf_et_gen(k, alpha, rng_, batch_options());
  out_[0]->write_keys(std::move(k0));
  out_[1]->write_keys(std::move(k1));
}

void Dealer::sigma_dcf(int n, std::span<const u64> alpha) {
  if (alpha.empty()) return;
  auto [k0, k1] = sigma_dcf_gen(n, alpha, rng_, batch_options());
  out_[0]->write_keys(std::move(k0));
  out_[1]->write_keys(std::move(k1));
}

compile::GateCache& Dealer::gate_cache() {
  return *shared_gate_cache();
}

const std::shared_ptr<compile::GateCache>& Dealer::shared_gate_cache() {
  if (!gate_cache_) gate_cache_ = std::make_shared<compile::GateCache>();
  return gate_cache_;
}

void Dealer::set_gate_cache(std::shared_ptr<compile::GateCache> cache) {
  if (!cache) throw std::invalid_argument("Dealer::set_gate_cache: pass a cache, not null");
  gate_cache_ = std::move(cache);
}

}  // namespace secinfer::fss::engine
