// Test helper: both parties of a model run (run_model_party) in two threads over loopback, and
// the check that their output is bit-identical to ClearOps.
//
//   test::TwoResults t = test::run_both_parties(options);   // rethrows a party's exception
//   test::check_bit_identical(t, seq * hidden);
#pragma once

#include <catch2/catch.hpp>
#include <exception>
#include <functional>
#include <thread>

#include "models/memory.h"
#include "models/registry.h"
#include "models/runner.h"
#include "net/channel.h"
#include "profiling/recorder.h"

namespace secinfer::models::test {

// The larger party's value of what(estimate) for o's model, suite and seq at `batch` sequences
// (layer by layer; each layer in chunks of `chunk_rows` rows, 0 for whole sequences).
template <class What>
std::uint64_t larger_party(const RunOptions& o, std::size_t batch, std::size_t chunk_rows,
                           What what) {
  const ModelConfig& c = find_model(o.model);
  const auto& suite = suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
  std::uint64_t n = 0;
  for (int p = 0; p < 2; ++p)
    n = std::max(n, what(estimate_memory(c, batch, static_cast<std::size_t>(o.seq), suite, p,
                                         {.chunk_rows = chunk_rows})));
  return n;
}

// The memory need: what a memory limit between two batch or chunk sizes is set from to force
// micro-batches or row chunks.
inline std::uint64_t needed_bytes(const RunOptions& o, std::size_t batch,
                                  std::size_t chunk_rows = 0) {
  return larger_party(o, batch, chunk_rows, [](const MemoryEstimate& m) { return m.needed_bytes; });
}

// The largest step's keys on a GPU (MemoryEstimate::device_key_bytes), likewise for the key budget.
inline std::uint64_t device_key_bytes(const RunOptions& o, std::size_t batch,
                                      std::size_t chunk_rows = 0) {
  return larger_party(o, batch, chunk_rows,
                      [](const MemoryEstimate& m) { return m.device_key_bytes(); });
}

struct TwoResults {
  ModelRunResult r[2];
  nlohmann::json log[2];
};

// Runs body(0, ch) on this thread and body(1, ch) on another, the two channels connected over
// loopback; rethrows a party's exception (party 0's first) after both ended.
inline void on_two_parties(const std::function<void(int, net::Channel&)>& body) {
  net::Listener listener(0, "127.0.0.1");
  const std::uint16_t port = listener.port();
  std::exception_ptr err[2];
  auto run = [&](int id) {
    try {
      net::Hello hello;
      hello.party = id;
      net::Channel ch =
          id == 0 ? listener.accept(hello) : net::Channel::connect({"127.0.0.1", port}, hello);
      body(id, ch);
    } catch (...) {
      err[id] = std::current_exception();
    }
  };
  std::thread t1(run, 1);
  run(0);
  t1.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

// Both parties of `o` (o.party set per thread), each with its own profiling::Recorder.
inline TwoResults run_both_parties(const RunOptions& o) {
  TwoResults out;
  on_two_parties([&](int id, net::Channel& ch) {
    RunOptions mine = o;
    mine.party = id;
    profiling::Recorder rec(nlohmann::json{{"model", o.model}, {"seq", o.seq}}, id);
    auto active = rec.activate();
    out.r[id] = run_model_party(mine, ch, rec);
    out.log[id] = rec.to_json();
  });
  return out;
}

inline void check_bit_identical(const TwoResults& t, std::size_t elements) {
  REQUIRE(t.r[0].status == profiling::Status::kOk);
  REQUIRE(t.r[1].status == profiling::Status::kOk);
  REQUIRE(t.r[0].output.size() == elements);
  CHECK(t.r[0].output == t.r[1].output);
  REQUIRE(t.r[0].vs_clear.has_value());
  INFO("differing " << t.r[0].vs_clear->differing << " max ulp " << t.r[0].vs_clear->max_ulp);
  CHECK(t.r[0].vs_clear->differing == 0);
}

// A run that its memory limit split into smaller units (micro-batches, row chunks) against the
// same run with no limit: the same output, more rounds. Returns the unlimited run.
inline TwoResults check_against_unlimited(const RunOptions& limited, const TwoResults& t) {
  RunOptions whole = limited;
  whole.memory_limit_bytes = 0;
  TwoResults w = run_both_parties(whole);
  CHECK(w.r[0].output == t.r[0].output);
  const auto rounds = [](const nlohmann::json& log) {
    return log["runs"][0]["totals"]["rounds"].get<std::uint64_t>();
  };
  CHECK(rounds(t.log[0]) > rounds(w.log[0]));
  return w;
}

}  // namespace secinfer::models::test
