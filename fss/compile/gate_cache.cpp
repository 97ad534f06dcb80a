#include "fss/compile/gate_cache.h"

#include <utility>

namespace secinfer::fss::compile {

const SufGate& GateCache::get(const FunctionParams& p) {
  const Key key{static_cast<int>(p.id), p.n, p.frac_bits, p.cols};
  {
    std::lock_guard<std::mutex> lock(mu_);
    const auto it = gates_.find(key);
    if (it != gates_.end()) return *it->second;
  }
  auto g = std::make_unique<const SufGate>(compile_function(p));  // outside the lock: slow
  std::lock_guard<std::mutex> lock(mu_);
  return *gates_.emplace(key, std::move(g)).first->second;  // a racing thread's copy is equal
}

std::size_t GateCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gates_.size();
}

}  // namespace secinfer::fss::compile
