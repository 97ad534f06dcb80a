// Secure two-party runs of whole models (run_model_party in two threads over loopback) are
// bit-identical to the cleartext fixed-point reference (ClearOps, same gate algorithms).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include "fss/engine/party_ops.h"
#include "models/memory.h"
#include "models/registry.h"
#include "models/runner.h"
#include "net/channel.h"
#include "profiling/merge.h"
#include "profiling/recorder.h"
#include "tests/models/two_party.h"

using namespace secinfer;
using namespace secinfer::models;

using test::check_bit_identical;
using test::run_both_parties;
using test::TwoResults;

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

  // The scoped breakdown adds up (docs/design/product-spec.md "Scopes and the breakdown"): merge
  // the two logs and check them.
  const nlohmann::json merged = profiling::merge_party_logs(t.log[0], t.log[1]);
  REQUIRE(merged["status"] == "ok");
  double excl = 0;
  std::uint64_t bytes = 0;
  std::set<std::string> top;
  for (const auto& s : merged["scopes"]) {
    excl += s["exclusive_wall_ms"]["median"].get<double>();
    bytes += s["bytes"].get<std::uint64_t>();
    const std::string path = s["path"];
    top.insert(path.substr(0, path.find('/')));
    CHECK(s["bytes_sent"]["p0"] == s["bytes_recv"]["p1"]);
    CHECK(s["bytes_sent"]["p1"] == s["bytes_recv"]["p0"]);
  }
  const double total = merged["total"]["wall_ms"]["median"].get<double>();
  CHECK(std::abs(excl - total) <= 0.01 * total);
  CHECK(bytes == merged["total"]["bytes"].get<std::uint64_t>());
  for (const char* want :
       {"Linear", "Softmax", "LayerNorm", "Activation::GELU", "TruncRescale", "Misc"})
    CHECK(top.count(want) == 1);
  INFO(profiling::format_breakdown_table(merged));
  // Unattributed time (outside every top-level scope) stays negligible.
  for (const auto& s : merged["scopes"])
    if (s["path"] == "Unattributed")
      CHECK(s["exclusive_wall_ms"]["median"].get<double>() < 0.01 * total);
  const auto checker =
      std::filesystem::path(__FILE__).parent_path() / "../../scripts/check_breakdown.py";
  if (std::filesystem::exists(checker)) {
    const auto file = std::filesystem::temp_directory_path() / "secinfer_models_breakdown.json";
    std::ofstream(file) << merged.dump();
    const std::string cmd = "python3 " + checker.string() + " " + file.string() +
                            " --need Linear --need Softmax --need LayerNorm --need TruncRescale";
    CHECK(std::system(cmd.c_str()) == 0);
    std::filesystem::remove(file);
  }
  if (std::getenv("SECINFER_PRINT_BREAKDOWN"))
    std::cout << profiling::format_breakdown_table(merged);
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
    // The budget was given (the CLI's --key-memory), so the reason names it and the flag.
    CHECK(t.r[b].reason.find("memory budget (--key-memory)") != std::string::npos);
    CHECK(t.r[b].reason.find("raise --key-memory") != std::string::npos);
    CHECK(t.log[b]["status"] == "oom");
    CHECK(t.log[b]["runs"].empty());
    CHECK(t.r[b].output.empty());
  }
}

namespace {

// bert-tiny, a batch of 4 sequences of 8 under fusefss, one run: the memory plan's cases.
RunOptions four_short_sequences(std::uint64_t seed) {
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 8;
  o.batch = 4;
  o.runs = 1;
  o.warmup = 0;
  o.seed = seed;
  o.system = System::kFuseFss;
  return o;
}

}  // namespace

TEST_CASE("a batch whose keys do not fit runs as micro-batches, bit-identical to ClearOps",
          "[models][secure][oom]") {
  // Memory for the keys of 2 of the 4 sequences per layer, not of all 4: both parties take
  // groups of 2, each layer's keys dealt and used one group at a time.
  RunOptions o = four_short_sequences(21);
  REQUIRE(test::needed_bytes(o, 2) < test::needed_bytes(o, 4));
  o.memory_limit_bytes = (test::needed_bytes(o, 2) + test::needed_bytes(o, 4)) / 2;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 4 * 8 * 128);
  for (int b = 0; b < 2; ++b) {
    CHECK(t.r[b].micro_batch == 2);
    CHECK(t.r[b].memory.needed_bytes <= o.memory_limit_bytes);
  }
  // The same run with room for the whole batch: one group, the same output; half the rounds.
  const TwoResults w = test::check_against_unlimited(o, t);
  check_bit_identical(w, 4 * 8 * 128);
  CHECK(w.r[0].micro_batch == 4);
}

TEST_CASE("steps whose keys exceed the device's key budget run smaller where the host allows",
          "[models][secure][oom]") {
  // The host holds the whole batch; the accelerator's key budget (RunOptions::
  // device_key_budget_bytes, the GPU's under --backend cuda) holds 2 of the 4 sequences' keys of
  // a step: both parties take groups of 2, so that no key batch is made on the CPU.
  RunOptions o = four_short_sequences(22);
  REQUIRE(test::device_key_bytes(o, 2) < test::device_key_bytes(o, 4));
  o.device_key_budget_bytes = (test::device_key_bytes(o, 2) + test::device_key_bytes(o, 4)) / 2;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 4 * 8 * 128);
  for (int b = 0; b < 2; ++b) {
    CHECK(t.r[b].micro_batch == 2);
    CHECK(t.r[b].memory.device_key_bytes() <= o.device_key_budget_bytes);
    CHECK(t.r[b].plan_limit.find("the GPU's key budget of") == 0);
  }
  // A budget below one row's keys: no plan fits it, the host holds the whole batch, so the run
  // keeps it (the batches over the budget would stay on the host), the same output.
  RunOptions tiny = o;
  tiny.device_key_budget_bytes = 1;
  const TwoResults w = run_both_parties(tiny);
  check_bit_identical(w, 4 * 8 * 128);
  CHECK(w.r[0].micro_batch == 4);
  CHECK(w.r[0].plan_limit.empty());
  CHECK(w.r[0].output == t.r[0].output);
}

TEST_CASE("a sequence whose keys do not fit runs in row chunks, bit-identical to ClearOps",
          "[models][secure][oom][chunks]") {
  // Memory for a layer's keys in chunks of 8 of its 32 rows, not in chunks of 16: both parties
  // take each layer as its attention inputs and 4 chunks, one sequence at a time.
  RunOptions o;
  o.model = "gpt2-2l";
  o.seq = 32;
  o.batch = 2;
  o.runs = 1;
  o.warmup = 0;
  o.seed = 23;
  o.system = System::kFuseFss;
  REQUIRE(test::needed_bytes(o, 1, 8) < test::needed_bytes(o, 1, 16));
  o.memory_limit_bytes = (test::needed_bytes(o, 1, 8) + test::needed_bytes(o, 1, 16)) / 2;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 2 * 32 * 768);
  for (int b = 0; b < 2; ++b) {
    CHECK(t.r[b].micro_batch == 1);
    CHECK(t.r[b].chunk_rows == 8);
    CHECK(t.r[b].memory.chunk_rows == 8);
    CHECK(t.r[b].memory.needed_bytes <= o.memory_limit_bytes);
    CHECK(t.log[b]["status"] == "ok");
  }
  // The same run with room for both sequences: the same output, fewer rounds.
  CHECK(test::check_against_unlimited(o, t).r[0].chunk_rows == 0);
}

TEST_CASE("secure bert-tiny and gpt2-2l with --fusefss-trunc dcf are bit-identical to ClearOps",
          "[models][secure][fusefss]") {
  // Every truncation from ring-payload DCFs (fss/gates/fusefss/dcf_trunc.h): the same outputs as
  // the cleartext reference, fewer rounds than SIGMA's truncations.
  for (const char* model : {"bert-tiny", "gpt2-2l"}) {
    INFO(model);
    RunOptions o;
    o.model = model;
    o.system = System::kFuseFss;
    o.fuse_trunc = FuseTrunc::kDcf;
    o.seq = 8;
    o.runs = 1;
    o.warmup = 0;
    o.seed = 16;
    const TwoResults t = run_both_parties(o);
    check_bit_identical(t, 8 * find_model(model).hidden);
    RunOptions base = o;
    base.fuse_trunc = FuseTrunc::kSigma;
    const TwoResults b = run_both_parties(base);
    CHECK(b.r[0].output == t.r[0].output);
    const auto rounds = [](const nlohmann::json& log) {
      return log["runs"][0]["totals"]["rounds"].get<std::uint64_t>();
    };
    CHECK(rounds(t.log[0]) < rounds(b.log[0]));
    // dcf-max: the softmax max's ReLU from a ring-payload DCF too, one exchange a level.
    RunOptions mx = o;
    mx.fuse_trunc = FuseTrunc::kDcfMax;
    const TwoResults m = run_both_parties(mx);
    check_bit_identical(m, 8 * find_model(model).hidden);
    CHECK(m.r[0].output == t.r[0].output);
    CHECK(rounds(m.log[0]) < rounds(t.log[0]));
    // sigma2: TrFloor from SIGMA's comparison keys and SIGMA's TrWithSlack, 2 exchanges each
    // instead of the default's 1.
    RunOptions s2 = o;
    s2.fuse_trunc = FuseTrunc::kSigma2;
    const TwoResults s = run_both_parties(s2);
    check_bit_identical(s, 8 * find_model(model).hidden);
    CHECK(s.r[0].output == t.r[0].output);
    CHECK(rounds(s.log[0]) > rounds(t.log[0]));
    CHECK(rounds(s.log[0]) < rounds(b.log[0]));
  }
}

TEST_CASE("secure bert-tiny with --system fusefss is bit-identical to ClearOps",
          "[models][secure][fusefss]") {
  RunOptions o;
  REQUIRE(o.lookup == Lookup::kSharedMask);  // the default lookup, as `secinfer run` passes it
  REQUIRE(o.fuse_act == FuseAct::kFused);    // the default activation mode, likewise
  o.model = "bert-tiny";
  o.system = System::kFuseFss;
  o.seq = 8;
  o.runs = 1;
  o.warmup = 0;
  o.seed = 15;
  const TwoResults t = run_both_parties(o);
  check_bit_identical(t, 8 * 128);
}

TEST_CASE("suite_for: fusefss lookups, padding and activation mode, sigma ignores them",
          "[models][fusefss]") {
  const auto& shared = suite_for(System::kFuseFss, true, Lookup::kSharedMask);
  const auto& per_cut = suite_for(System::kFuseFss, true, Lookup::kPerCut);
  CHECK(&suite_for(System::kFuseFss) == &shared);  // the default is shared-mask, padding on
  CHECK(&per_cut != &shared);
  CHECK(&suite_for(System::kFuseFss, false, Lookup::kSharedMask) != &shared);
  CHECK(shared.id == fss::engine::Suite::kFuseFss);
  CHECK(&suite_for(System::kSigma, true, Lookup::kPerCut) == &suite_for(System::kSigma));
  // --fusefss-act: fused is the default; precise is another table of the same suite.
  CHECK(&suite_for(System::kFuseFss, true, Lookup::kSharedMask, FuseAct::kFused) == &shared);
  const auto& precise = suite_for(System::kFuseFss, true, Lookup::kSharedMask, FuseAct::kPrecise);
  CHECK(&precise != &shared);
  CHECK(precise.id == fss::engine::Suite::kFuseFss);
  CHECK(&suite_for(System::kSigma, true, Lookup::kSharedMask, FuseAct::kPrecise) ==
        &suite_for(System::kSigma));
  // fused-flag: the fused suite with only the truncation + activation's faces changed.
  const auto& flag = suite_for(System::kFuseFss, true, Lookup::kSharedMask, FuseAct::kFusedFlag);
  CHECK(&flag != &shared);
  CHECK(flag.trunc_gelu.keygen != shared.trunc_gelu.keygen);
  CHECK(flag.trunc_silu.eval != shared.trunc_silu.eval);
  CHECK(flag.trunc_gelu.clear == shared.trunc_gelu.clear);
  CHECK(flag.nexp.eval == shared.nexp.eval);
  // The names are parsed once (the CLI); a bad one is refused there, naming the flag.
  CHECK_THROWS_WITH(parse_enum<Lookup>("table"), Catch::Contains("--lookup"));
  CHECK_THROWS_WITH(parse_enum<Lookup>("bogus"), Catch::Contains("shared-mask or per-cut"));
  CHECK_THROWS_WITH(parse_enum<FuseAct>("exact"), Catch::Contains("--fusefss-act"));
  CHECK_THROWS_WITH(parse_enum<FuseAct>("exact"),
                    Catch::Contains("fused, precise, fused-flag or fused-leaf128"));
  CHECK_THROWS_WITH(parse_enum<System>("aby"), Catch::Contains("choose sigma or fusefss"));
}
