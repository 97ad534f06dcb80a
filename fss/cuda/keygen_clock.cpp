// KeygenClock (keygen_clock.h): event pairs around the generation calls' stream work.
#include "fss/cuda/keygen_clock.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <stdexcept>
#include <utility>

#include "fss/cuda/add_elapsed.h"
#include "fss/cuda/cuda_check.h"

namespace secinfer::fss::cuda {

KeygenClock::~KeygenClock() {
  for (const Pair& p : pending_) {
    cudaEventDestroy(p.begin);
    cudaEventDestroy(p.end);
  }
  for (cudaEvent_t e : pool_) cudaEventDestroy(e);
}

cudaEvent_t KeygenClock::take() {
  if (pool_.empty()) {
    cudaEvent_t e = nullptr;
    CUDA_CHECK(cudaEventCreate(&e), "KeygenClock: an event");
    return e;
  }
  cudaEvent_t e = pool_.back();
  pool_.pop_back();
  return e;
}

KeygenClock::Call KeygenClock::time(cudaStream_t stream, std::string kind, std::uint64_t elements) {
  if (open_) throw std::logic_error("KeygenClock::time inside another call's pair");
  Pair p{take(), take(), std::move(kind), elements};
  const cudaError_t e = cudaEventRecord(p.begin, stream);
  if (e != cudaSuccess) {
    release(p);
    CUDA_CHECK(e, "KeygenClock: " + p.kind);
  }
  pending_.push_back(std::move(p));
  open_ = true;
  return Call(*this, stream);
}

void KeygenClock::stop(cudaStream_t stream) noexcept {
  open_ = false;
  Pair& p = pending_.back();
  if (cudaEventRecord(p.end, stream) == cudaSuccess) return;
  release(p);
  pending_.pop_back();
}

void KeygenClock::release(const Pair& p) {
  pool_.push_back(p.begin);
  pool_.push_back(p.end);
}

void KeygenClock::collect() {
  if (open_) throw std::logic_error("KeygenClock::collect inside a call");
  // Pairs read so far leave pending_ even when a later one throws (none is counted twice).
  std::size_t done = 0;
  try {
    for (; done < pending_.size(); ++done) {
      const Pair& p = pending_[done];
      CUDA_CHECK(cudaEventSynchronize(p.end), "KeygenClock: " + p.kind);
      float ms = 0;
      CUDA_CHECK(cudaEventElapsedTime(&ms, p.begin, p.end), "KeygenClock: " + p.kind);
      Total& t = totals_[p.kind];
      ++t.calls;
      t.ns += static_cast<std::uint64_t>(std::llround(static_cast<double>(ms) * 1e6));
      t.elements += p.elements;
      release(p);
    }
  } catch (...) {
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
    throw;
  }
  pending_.clear();
}

namespace {

// "(12 calls, 3.4M elements)".
std::string counts(const KeygenClock::Total& t) {
  char text[64];
  std::snprintf(text, sizeof text, "(%llu calls, %.1fM elements)",
                static_cast<unsigned long long>(t.calls), static_cast<double>(t.elements) / 1e6);
  return text;
}

}  // namespace

std::string KeygenClock::summary(std::size_t top) const {
  std::vector<std::pair<std::string, Total>> kinds(totals_.begin(), totals_.end());
  std::sort(kinds.begin(), kinds.end(),
            [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
  std::string out;
  Total rest;
  std::size_t rest_kinds = 0;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const auto& [kind, t] = kinds[i];
    if (i >= top) {
      rest.calls += t.calls;
      rest.ns += t.ns;
      rest.elements += t.elements;
      ++rest_kinds;
      continue;
    }
    out += (out.empty() ? "" : ", ") + kind + " " + whole_ms(t.ns) + " " + counts(t);
  }
  if (rest_kinds > 0)
    out += ", " + std::to_string(rest_kinds) + " other kinds " + whole_ms(rest.ns) + " " +
           counts(rest);
  return out;
}

}  // namespace secinfer::fss::cuda
