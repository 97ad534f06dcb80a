// The compiled SUF gates of one run, memoised: compile_function (functions.h) is pure and
// deterministic but slow (a fit per candidate configuration), so a run compiles each distinct
// (function, n, f, cols) once. An owned object, not process-wide state: the engine objects of a
// run hold one (engine::Dealer::gate_cache(), engine::Party::gate_cache(), ClearOps, ClearCtx), and
// a run shares one between its dealer and its party (set_gate_cache) so that the online phase
// never pays a fit that the offline phase already paid. The two parties' processes compile the
// same gates from the same parameters, so their separate caches hold equal gates.
//
//   compile::GateCache cache;
//   const SufGate& g = cache.get({FunctionId::kGelu, 50, 12});   // valid while `cache` lives
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

#include "fss/compile/functions.h"
#include "fss/compile/suf.h"

namespace secinfer::fss::compile {

class GateCache {
 public:
  GateCache() = default;
  GateCache(const GateCache&) = delete;
  GateCache& operator=(const GateCache&) = delete;

  // compile_function(p), compiled on the first call for p (throws as compile_function does; a
  // failure is not cached). The reference stays valid for the cache's lifetime. Thread-safe: two
  // threads may share a cache (the fit runs outside the lock; a racing copy is equal).
  const SufGate& get(const FunctionParams& p);

  // Distinct gates compiled so far.
  std::size_t size() const;

 private:
  using Key = std::tuple<int, int, int, std::size_t>;  // id, n, frac_bits, cols
  mutable std::mutex mu_;
  std::map<Key, std::unique_ptr<const SufGate>> gates_;
};

}  // namespace secinfer::fss::compile
