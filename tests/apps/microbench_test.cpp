// `secinfer microbench`: flag parsing in-process, then small real two-party runs of the binary
// (files written, the breakdown checker, bytes / rounds / keys, the cleartext check) and refusals.
#include "apps/microbench.h"

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "apps/build_features.h"
#include "apps/cli.h"
#include "apps/exit_codes.h"
#include "process_util.h"

namespace secinfer::apps {
namespace {

using nlohmann::json;
using testing::Process;
using testing::TempDir;
namespace fs = std::filesystem;

Invocation parse(std::vector<std::string> args) {
  args.insert(args.begin(), "secinfer");
  return parse_command_line(args);
}

std::string usage_error(std::vector<std::string> args) {
  try {
    parse(std::move(args));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

json read_json(const fs::path& p) {
  return json::parse(testing::read_file(p));
}

// The repository's checker of merged breakdowns.
const fs::path kChecker =
    fs::path(__FILE__).parent_path().parent_path().parent_path() / "scripts/check_breakdown.py";

bool have_checker() {
  return fs::exists(kChecker) && std::system("python3 --version >/dev/null 2>&1") == 0;
}

// check_breakdown.py on a merged breakdown; returns its exit status (its output in `report`).
int check_breakdown(const fs::path& merged, const std::vector<std::string>& need,
                    const fs::path& dir, std::string& report) {
  std::string cmd = "python3 " + kChecker.string() + " " + merged.string();
  for (const auto& n : need) cmd += " --need '" + n + "'";
  const fs::path out = dir / "check_breakdown.txt";
  cmd += " > " + out.string() + " 2>&1";
  const int rc = std::system(cmd.c_str());
  report = testing::read_file(out);
  return rc;
}

// One local microbench of the binary; returns the exit status.
int run_microbench(const std::vector<std::string>& flags, const fs::path& dir, const fs::path& out,
                   std::string& stdout_text, std::string& stderr_text) {
  std::vector<std::string> a = {"microbench", "--out", out.string(), "--threads", "1"};
  a.insert(a.end(), flags.begin(), flags.end());
  Process p(a, dir, out.filename().string());
  const int code = p.wait(std::chrono::seconds(120));
  stdout_text = p.out();
  stderr_text = p.err();
  return code;
}

TEST_CASE("microbench flags: subcommand, workload form, defaults", "[apps][microbench]") {
  const Invocation a = parse({"microbench", "--gate", "gelu", "--system", "sigma", "--n", "4096"});
  CHECK(a.command == Command::kLocal);
  CHECK(a.run.workload == models::Workload::kMicrobench);
  CHECK(a.run.gate == "gelu");
  CHECK(a.run.micro_n == 4096);
  CHECK(a.run.micro_cols == 0);
  CHECK(a.run.micro_bits == 50);
  CHECK(a.run.micro_frac == 12);
  // The gate engine runs on the GPU under cuda, so the default is the machine's (as for models).
  CHECK(a.run.backend ==
        (cuda_built() && cuda_device_count() > 0 ? models::Backend::kCuda : models::Backend::kCpu));
  CHECK(a.run.out == fs::path("results/microbench/gelu-sigma-n4096"));

  // Defaults: the gate's BERT-base seq-128 size and row length.
  const Invocation s = parse({"microbench", "--gate", "softmax", "--system", "sigma"});
  CHECK(s.run.micro_n == 12 * 128 * 128);
  CHECK(s.run.micro_cols == 128);
  const Invocation l = parse({"microbench", "--gate", "layernorm", "--system", "sigma"});
  CHECK(l.run.micro_n == 128 * 768);
  CHECK(l.run.micro_cols == 768);

  // One party, and the workload form of run / local.
  const Invocation p = parse({"microbench", "--party", "1", "--gate", "inv", "--system", "sigma"});
  CHECK(p.command == Command::kRun);
  CHECK(p.run.party == 1);
  const Invocation r = parse({"run", "--party", "0", "--workload", "microbench", "--gate", "rsqrt",
                              "--system", "sigma", "--bits", "52", "--frac-bits", "13"});
  CHECK(r.command == Command::kRun);
  CHECK(r.run.workload == models::Workload::kMicrobench);
  CHECK(r.run.micro_n == 128);
  CHECK(r.run.micro_cols == 768);
  CHECK(r.run.micro_bits == 52);
  CHECK(r.run.micro_frac == 13);
  const Invocation lo =
      parse({"local", "--workload", "microbench", "--gate", "trunc", "--system", "sigma"});
  CHECK(lo.command == Command::kLocal);
  CHECK(lo.run.micro_n == 128 * 768);

  // The gate settings are part of the shared config (both parties must agree on them).
  const json c = shared_config(a.run);
  CHECK(c["workload"] == "microbench");
  CHECK(c["gate"] == "gelu");
  CHECK(c["n"] == 4096);
  RunOptions other = a.run;
  other.micro_n = 4097;
  CHECK(config_hash(other) != config_hash(a.run));

  // The child command line carries the microbench flags (and no --cols for elementwise gates).
  const auto cl = microbench_party_command_line(s.run, 0, 7000, "secinfer");
  const std::string joined = [&] {
    std::string j;
    for (const auto& x : cl) j += x + " ";
    return j;
  }();
  CHECK(joined.find("--workload microbench") != std::string::npos);
  CHECK(joined.find("--gate softmax --n 196608 --cols 128 --bits 50 --frac-bits 12") !=
        std::string::npos);
  const auto ce = microbench_party_command_line(a.run, 1, 7000, "secinfer");
  CHECK(std::find(ce.begin(), ce.end(), "--cols") == ce.end());
}

TEST_CASE("microbench refuses bad flags with a message naming the fix", "[apps][microbench]") {
  std::string e = usage_error({"microbench", "--gate", "tanh", "--system", "sigma"});
  CHECK(e.find("--gate tanh") != std::string::npos);
  CHECK(e.find("gelu, silu, trunc-gelu, trunc-silu, nexp, inv, rsqrt, trunc, relu, softmax, "
               "layernorm") != std::string::npos);
  e = usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--n", "0"});
  CHECK(e.find("--n") != std::string::npos);
  CHECK(e.find(">= 1") != std::string::npos);
  e = usage_error({"microbench", "--gate", "softmax", "--system", "sigma", "--n", "1000"});
  CHECK(e.find("multiple of 128") != std::string::npos);
  e = usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--frac-bits", "50"});
  CHECK(e.find("--frac-bits") != std::string::npos);
  e = usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--bits", "70"});
  CHECK(e.find("--bits 70") != std::string::npos);
  // --dealer is a flag of the model runs only: the microbench does not take it.
  e = usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--dealer", "file",
                   "--key-dir", "/tmp"});
  CHECK(e.find("`secinfer microbench` does not take --dealer") != std::string::npos);
  e = usage_error({"run", "--party", "0", "--workload", "microbench", "--gate", "gelu", "--system",
                   "sigma", "--dealer", "file", "--key-dir", "/tmp"});
  CHECK(e.find("--dealer inline") != std::string::npos);
  e = usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--cols", "7"});
  CHECK(e.find("gelu works element by element and has no rows") != std::string::npos);
  e = usage_error({"microbench", "--gate", "gelu", "--system", "tfhe"});
  CHECK(e.find("--system") != std::string::npos);
  if (!fusefss_suite_built()) {
    e = usage_error({"microbench", "--gate", "gelu", "--system", "fusefss"});
    CHECK(e.find("the fusefss suite is not built into this binary") != std::string::npos);
  }
  // Other workloads ignore the microbench flags.
  CHECK_NOTHROW(parse({"local", "--workload", "netbench", "--gate", "tanh"}));
}

void require_binary() {
  const fs::path bin = testing::secinfer_binary();
  INFO("the secinfer binary is needed: build the `secinfer` target (looked for " << bin << ")");
  REQUIRE(fs::exists(bin));
}

TEST_CASE("microbench gelu sigma end to end: files, breakdown, bytes, rounds, keys, check",
          "[apps][microbench][e2e]") {
  require_binary();
  TempDir dir;
  const fs::path out = dir.path() / "gelu";
  std::string so, se;
  const int code = run_microbench(
      {"--gate", "gelu", "--system", "sigma", "--n", "4096", "--runs", "3", "--warmup", "1"},
      dir.path(), out, so, se);
  INFO(se);
  REQUIRE(code == 0);
  for (const char* f : {"p0.json", "p1.json", "breakdown_merged.json", "breakdown_merged.csv",
                        "microbench.json", "microbench_check.json"}) {
    INFO(f);
    CHECK(fs::exists(out / f));
  }
  CHECK(so.find("microbench gelu system=sigma padding=on n=4096") != std::string::npos);
  CHECK(so.find("Activation::GELU") != std::string::npos);

  const json merged = read_json(out / "breakdown_merged.json");
  CHECK(merged["status"] == "ok");
  CHECK(merged["config"]["workload"] == "microbench");
  CHECK(merged["config"]["gate"] == "gelu");
  CHECK(merged["config"]["runs"] == 3);
  if (have_checker()) {
    std::string report;
    const int rc =
        check_breakdown(out / "breakdown_merged.json", {"Activation::GELU"}, dir.path(), report);
    INFO(report);
    CHECK(rc == 0);
  }

  const json s = read_json(out / "microbench.json");
  CHECK(s["schema"] == "secinfer.microbench/1");
  CHECK(s["status"] == "ok");
  CHECK(s["gate"] == "gelu");
  CHECK(s["system"] == "sigma");
  CHECK(s["padding"] == "on");
  CHECK(s["fusefss_act"] == "n/a");  // sigma has no fused truncation + activation
  CHECK(merged["config"]["fusefss_act"] == "n/a");
  CHECK(s["n"] == 4096);
  CHECK(s["online_ms"].get<double>() > 0);
  CHECK(s["online_ms_p25"].get<double>() <= s["online_ms_p75"].get<double>());
  CHECK(s["bytes"].get<std::uint64_t>() > 0);
  CHECK(s["bytes"] == merged["total"]["bytes"]);
  CHECK(s["messages"].get<std::uint64_t>() > 0);
  // SIGMA's GELU (fss/gates/sigma/gelu.h) with SIGMA's LUT (lut.h): 6 rounds online.
  CHECK(s["rounds"] == 6);
  // Per party per element 1 + bt + 2 + 8 + (1 + n) + n bits, bt = n - 2f + 7 = 33: 145 bits; a
  // few bytes of packing slack per message.
  const double per_party = s["bytes"].get<double>() / 2;
  CHECK(per_party >= 4096.0 * 145 / 8);
  CHECK(per_party <= 4096.0 * 145 / 8 + 6 * 16);
  CHECK(s["key_bytes"]["p0"].get<std::uint64_t>() > 4096u * 100);
  CHECK(s["key_bytes"]["p1"].get<std::uint64_t>() > 4096u * 100);
  CHECK(s["per_element"]["online_us"].get<double>() > 0);
  CHECK(s["per_element"]["bytes"].get<double>() == Approx(s["bytes"].get<double>() / 4096));
  REQUIRE(s["scopes"].size() >= 1);
  CHECK(s["scopes"][0]["path"] == "Activation::GELU");
  CHECK(s["scopes"][0]["rounds"] == 6);
  CHECK(s["vs_clear"]["differing"] == 0);
  CHECK(s["vs_clear"]["elements"] == 4096);
}

TEST_CASE("microbench round counts of the sigma gates and composites", "[apps][microbench][e2e]") {
  require_binary();
  struct Case {
    const char* gate;
    const char* n;
    int rounds;  // 0: a composite, checked by its sub-scopes only
    std::vector<std::string> need;
  };
  // Rounds from the gates' headers (fss/gates/sigma), each LUT one more for its sign and value
  // (lut.h): ReLU 2, TrFloor 4, inverse 4, rsqrt 5, nExp 11.
  const Case c = GENERATE(
      Case{"relu", "512", 2, {"Activation::ReLU"}}, Case{"trunc", "512", 4, {"TruncRescale"}},
      Case{"inv", "64", 4, {"Softmax/inv"}}, Case{"rsqrt", "8", 5, {"LayerNorm/rsqrt"}},
      Case{"nexp", "512", 11, {"Softmax/nexp"}},
      Case{"softmax", "512", 0, {"Softmax/max", "Softmax/nexp", "Softmax/inv"}},
      Case{"layernorm", "1536", 0, {"LayerNorm/variance", "LayerNorm/rsqrt"}});
  INFO(c.gate);
  TempDir dir;
  const fs::path out = dir.path() / c.gate;
  std::string so, se;
  const int code = run_microbench(
      {"--gate", c.gate, "--system", "sigma", "--n", c.n, "--runs", "1", "--warmup", "0"},
      dir.path(), out, so, se);
  INFO(se);
  REQUIRE(code == 0);
  const json s = read_json(out / "microbench.json");
  CHECK(s["status"] == "ok");
  CHECK(s["bytes"].get<std::uint64_t>() > 0);
  if (c.rounds > 0) {
    CHECK(s["rounds"] == c.rounds);
  } else {
    CHECK(s["rounds"].get<int>() > 4);
  }
  CHECK(s["key_bytes"]["p0"].get<std::uint64_t>() > 0);
  CHECK(s["vs_clear"]["differing"] == 0);
  if (have_checker()) {
    std::string report;
    const int rc = check_breakdown(out / "breakdown_merged.json", c.need, dir.path(), report);
    INFO(report);
    CHECK(rc == 0);
  }
}

TEST_CASE("microbench binary: bad --gate and --n 0 exit 2 with a message", "[apps][microbench]") {
  require_binary();
  TempDir dir;
  {
    Process p({"microbench", "--gate", "gelux", "--system", "sigma"}, dir.path(), "badgate");
    CHECK(p.wait() == kExitUsage);
    CHECK(p.err().find("--gate gelux: unknown gate") != std::string::npos);
  }
  {
    Process p({"microbench", "--gate", "gelu", "--system", "sigma", "--n", "0"}, dir.path(), "n0");
    CHECK(p.wait() == kExitUsage);
    CHECK(p.err().find("--n") != std::string::npos);
  }
  {
    Process p({"run", "--party", "0", "--workload", "microbench", "--gate", "nope"}, dir.path(),
              "runbad");
    CHECK(p.wait() == kExitUsage);
    CHECK(p.err().find("unknown gate") != std::string::npos);
  }
}

TEST_CASE("microbench: a setting whose keys cannot fit is recorded as oom, nothing runs",
          "[apps][microbench][e2e]") {
  require_binary();
  TempDir dir;
  const fs::path out = dir.path() / "oom";
  std::string so, se;
  // 10^14 GELUs: petabytes of keys on any machine.
  const int code = run_microbench({"--gate", "gelu", "--system", "sigma", "--n", "100000000000000"},
                                  dir.path(), out, so, se);
  INFO(se);
  CHECK(code == kExitOom);
  const json s = read_json(out / "microbench.json");
  CHECK(s["status"] == "oom");
  CHECK(s["reason"].get<std::string>().find("needs about") != std::string::npos);
  CHECK(s["reason"].get<std::string>().find("smaller --n") != std::string::npos);
  CHECK(read_json(out / "breakdown_merged.json")["status"] == "oom");
}

TEST_CASE("microbench fusefss: runs when the suite is built, else a clear refusal",
          "[apps][microbench][e2e]") {
  require_binary();
  TempDir dir;
  if (!fusefss_suite_built()) {
    Process p({"microbench", "--gate", "gelu", "--system", "fusefss", "--n", "4096"}, dir.path(),
              "fuse");
    CHECK(p.wait() == kExitUsage);
    CHECK(p.err().find("the fusefss suite is not built into this binary") != std::string::npos);
    return;
  }
  const std::pair<const char*, const char*> settings[] = {
      {"on", "shared-mask"}, {"off", "shared-mask"}, {"on", "per-cut"}};
  std::map<std::string, double> key_per_element;  // by lookup, padding on
  for (const auto& [padding, lookup] : settings) {
    INFO("padding " << padding << " lookup " << lookup);
    const fs::path out = dir.path() / (std::string("fuse-") + padding + "-" + lookup);
    std::string so, se;
    const int code =
        run_microbench({"--gate", "gelu", "--system", "fusefss", "--n", "1024", "--padding",
                        padding, "--lookup", lookup, "--runs", "2", "--warmup", "1"},
                       dir.path(), out, so, se);
    INFO(se);
    REQUIRE(code == 0);
    const json s = read_json(out / "microbench.json");
    CHECK(s["status"] == "ok");
    CHECK(s["padding"] == padding);
    CHECK(s["lookup"] == lookup);
    CHECK(read_json(out / "breakdown_merged.json")["config"]["lookup"] == lookup);
    CHECK(s["fusefss_act"] == "fused");  // the default
    CHECK(read_json(out / "breakdown_merged.json")["config"]["fusefss_act"] == "fused");
    if (std::string(padding) == "on")
      key_per_element[lookup] = s["per_element"]["key_bytes_p0"].get<double>();
    CHECK(s["bytes"].get<std::uint64_t>() > 0);
    // A fused gate: one opening, plus one round for a post-processing truncation
    // (docs/design/fusefss-design.md "Evaluation").
    CHECK(s["rounds"].get<int>() >= 1);
    CHECK(s["rounds"].get<int>() <= 2);
    CHECK(s["vs_clear"]["differing"] == 0);
    CHECK(s.contains("padding_warning") == (std::string(padding) == "off"));
    CHECK(s["approximation"]["gelu"].get<std::string>().find("m=") != std::string::npos);
    if (have_checker()) {
      std::string report;
      const int rc = check_breakdown(
          out / "breakdown_merged.json",
          {"Activation::GELU", "FSS::PackedCompare", "FSS::IntervalLookup"}, dir.path(), report);
      INFO(report);
      CHECK(rc == 0);
    }
  }
  // The default lookup's key is several times smaller (one DCF key per element, not per cut).
  CHECK(key_per_element.at("per-cut") > 4 * key_per_element.at("shared-mask"));
}

}  // namespace
}  // namespace secinfer::apps
