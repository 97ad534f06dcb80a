// Secure two-party runs of whole models (run_model_party in two threads over loopback) are
// bit-identical to the cleartext fixed-point reference (ClearOps, same gate algorithms).
#include <catch2/catch.hpp>
#include <exception>
#include <thread>

#include "fss/engine/party_ops.h"
#include "models/registry.h"
#include "models/runner.h"
#include "net/channel.h"
#include "profiling/recorder.h"

using namespace secinfer;
using namespace secinfer::models;

namespace {

struct TwoResults {
  ModelRunResult r[2];
  nlohmann::json log[2];
};

TwoResults run_both_parties(RunOptions o) {
  TwoResults out;
  net::Listener listener(0, "127.0.0.1");
  const std::uint16_t port = listener.port();
  std::exception_ptr err[2];
  auto body = [&](int id) {
    try {
      RunOptions mine = o;
      mine.party = id;
      profiling::Recorder rec(nlohmann::json{{"model", o.model}, {"seq", o.seq}}, id);
      auto active = rec.activate();
      net::Hello hello;
      hello.party = id;
      net::Channel ch = id == 0 ? listener.accept(hello)
                                : net::Channel::connect({"127.0.0.1", port}, hello);
      out.r[id] = run_model_party(mine, ch, rec);
      out.log[id] = rec.to_json();
    } catch (...) {
      err[id] = std::current_exception();
    }
  };
  std::thread t1(body, 1);
  body(0);
  t1.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
  return out;
}

void check_bit_identical(const TwoResults& t, std::size_t elements) {
  REQUIRE(t.r[0].status == profiling::Status::kOk);
  REQUIRE(t.r[1].status == profiling::Status::kOk);
  REQUIRE(t.r[0].output.size() == elements);
  CHECK(t.r[0].output == t.r[1].output);
  REQUIRE(t.r[0].vs_clear.has_value());
  INFO("differing " << t.r[0].vs_clear->differing << " max ulp " << t.r[0].vs_clear->max_ulp);
  CHECK(t.r[0].vs_clear->differing == 0);
}

}  // namespace

TEST_CASE("secure bert-tiny is bit-identical to ClearOps", "[models][secure]") {
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 16;
  o.runs = 1;
  o.warmup = 0;
  o.seed = 11;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 16 * 128);
  WARN("bert-tiny seq 16: online " << t.r[0].online_ms.back() << " ms, keygen "
                                   << t.r[0].keygen_ms.back() << " ms, key bytes P0 "
                                   << t.r[0].key_bytes_per_run << ", schedule "
                                   << schedule_name(t.r[0].schedule));
}

TEST_CASE("secure gpt2-2l is bit-identical to ClearOps", "[models][secure]") {
  RunOptions o;
  o.model = "gpt2-2l";
  o.seq = 8;
  o.runs = 1;
  o.warmup = 0;
  o.seed = 12;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 8 * 768);
}

TEST_CASE("secure llama-tiny is bit-identical to ClearOps", "[models][secure]") {
  RunOptions o;
  o.model = "llama-tiny";
  o.seq = 8;
  o.batch = 2;
  o.runs = 1;
  o.warmup = 0;
  o.seed = 13;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 16 * 128);
}

TEST_CASE("secure bert-tiny at seq 128 is bit-identical to ClearOps", "[models][secure][seq128]") {
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 128;
  o.runs = 1;
  o.warmup = 0;
  o.seed = 14;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 128 * 128);
  WARN("bert-tiny seq 128: online " << t.r[0].online_ms.back() << " ms, keygen "
                                    << t.r[0].keygen_ms.back() << " ms, key bytes P0 "
                                    << t.r[0].key_bytes_per_run);
}

TEST_CASE("a run that does not fit ends as oom on both parties before any work",
          "[models][secure][oom]") {
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 16;
  o.memory_limit_bytes = 1 << 20;  // 1 MiB
  const TwoResults t = run_both_parties(o);
  for (int b = 0; b < 2; ++b) {
    CHECK(t.r[b].status == profiling::Status::kOom);
    CHECK(t.r[b].reason.find("needs") != std::string::npos);
    CHECK(t.r[b].reason.find("available") != std::string::npos);
    CHECK(t.log[b]["status"] == "oom");
    CHECK(t.log[b]["runs"].empty());
    CHECK(t.r[b].output.empty());
  }
}
