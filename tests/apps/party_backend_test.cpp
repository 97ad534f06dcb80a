// The --backend cuda plumbing without a GPU: an accelerator handed to the model workload and to
// the microbench workload (what apps/party.cpp does with its CudaAccelerator) receives the party's
// FSS evaluations: DCF (both suites), the sigma LUT's DPF and fusefss's multipoint DCF. Returning
// what the CPU returns (as the bit-identical CUDA kernels do), it leaves every output equal to the
// cleartext reference.
#include <catch2/catch.hpp>
#include <exception>
#include <nlohmann/json.hpp>
#include <thread>

#include "apps/microbench.h"
#include "apps/model_workload.h"
#include "apps/options.h"
#include "fss/accelerator.h"
#include "fss/gates/fusefss/multipoint_dcf.h"
#include "net/channel.h"
#include "process_util.h"
#include "profiling/recorder.h"

namespace secinfer::apps {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The CPU behind the Accelerator interface, counting what reaches it.
class CountingCpu final : public fss::Accelerator {
 public:
  std::string describe() const override { return "counting cpu"; }
  void dcf_eval(const fss::DcfKeys& keys, std::span<const fss::u64> x,
                std::span<fss::u64> out) const override {
    ++dcf;
    fss::dcf_eval(keys, x, out, fss::BatchOptions{fss::AesImpl::kAuto, 1});
  }
  void dpf_eval(const fss::DpfKeys& keys, std::span<const fss::u64> x,
                std::span<fss::u64> out) const override {
    ++dpf;
    fss::dpf_eval(keys, x, out, fss::BatchOptions{fss::AesImpl::kAuto, 1});
  }
  void dpf_lut_eval(const fss::DpfKeys& keys, std::span<const fss::u64> xhat,
                    std::span<const fss::u64> table, std::span<fss::u64> out) const override {
    ++lut;
    fss::dpf_lut_eval(keys, xhat, table, out, fss::BatchOptions{fss::AesImpl::kAuto, 1});
  }
  // SIGMA's LUT (fss/dpf_et.h): counted, then the CPU's evaluation (false).
  bool dpf_et_lut_eval(const fss::DpfEtKeys&, std::span<const fss::u64>, std::span<const fss::u64>,
                       int, std::span<fss::u64>, std::span<fss::u64>, fss::u64) const override {
    ++lut;
    return false;
  }
  void dcf_eval_multipoint(const fss::DcfKeys& keys, std::size_t points_per_key,
                           std::span<const fss::u64> points,
                           std::span<fss::u64> out) const override {
    ++multipoint;
    fss::fusefss::dcf_eval_multipoint(keys, points_per_key, points, out, 1);
  }
  // SIGMA's DCF (fss/sigma_dcf.h): counted, then the CPU's evaluation (false).
  bool sigma_dcf_eval(const fss::SigmaDcfKeys&, std::size_t, std::span<const fss::u64>,
                      std::span<std::uint8_t>) const override {
    ++sigma_dcf;
    return false;
  }
  mutable int dcf = 0, dpf = 0, lut = 0, multipoint = 0, sigma_dcf = 0;
};

// Both parties of `o` in two threads over loopback, each with its own accelerator.
template <class Body>
void both_parties(const RunOptions& o, CountingCpu (&accel)[2], Body body) {
  net::Listener listener(0, "127.0.0.1");
  const std::uint16_t port = listener.port();
  std::exception_ptr err[2];
  auto party = [&](int id) {
    try {
      RunOptions mine = o;
      mine.party = id;
      mine.peer = {"127.0.0.1", port};
      profiling::Recorder rec(shared_config(mine), id);
      auto active = rec.activate();
      net::Hello hello;
      hello.party = id;
      net::Channel ch =
          id == 0 ? listener.accept(hello) : net::Channel::connect({"127.0.0.1", port}, hello);
      body(mine, ch, rec, &accel[id]);
    } catch (...) {
      err[id] = std::current_exception();
    }
  };
  std::thread t1(party, 1);
  party(0);
  t1.join();
  for (auto& e : err)
    if (e) std::rethrow_exception(e);
}

}  // namespace

TEST_CASE("the model workload evaluates every FSS key on the accelerator it is given",
          "[apps][accel]") {
  // fusefss three times: the fused mode (SIGMA's lookups inside the fused gates), the precise one
  // (the whole-ring gates' shared-mask lookups, multipoint DCFs) and the fused one with the
  // truncations from ring-payload DCFs (dcf_trunc.h, evaluated through Accelerator::dcf_eval).
  struct Setting {
    const char* system;
    bool precise, dcf_trunc;
  };
  for (const auto& [system, precise, dcf_trunc] :
       {Setting{"sigma", false, false}, Setting{"fusefss", false, false},
        Setting{"fusefss", true, false}, Setting{"fusefss", false, true}}) {
    INFO("system " << system << (precise ? " (precise)" : "") << (dcf_trunc ? " (dcf trunc)" : ""));
    RunOptions o;
    o.workload = models::Workload::kModel;
    o.model = "bert-tiny";
    o.seq = 8;
    o.system = models::parse_enum<models::System>(system);
    if (precise) o.fuse_act = models::FuseAct::kPrecise;
    if (dcf_trunc) o.fuse_trunc = models::FuseTrunc::kDcf;
    o.runs = 1;
    o.warmup = 0;
    o.threads = 1;
    o.seed = 21;
    CountingCpu accel[2];
    json accuracy;
    both_parties(o, accel,
                 [&](const RunOptions& mine, net::Channel& ch, profiling::Recorder& rec,
                     const fss::Accelerator* a) {
                   run_model_workload(mine, ch, rec, a);
                   if (mine.party == 0) accuracy = rec.to_json().value("accuracy", json::object());
                 });
    for (const CountingCpu& a : accel) {
      CHECK(a.dcf > 0);
      if (!precise) CHECK(a.lut > 0);        // GELU / nExp / inverse lookups (fused or not)
      if (precise) CHECK(a.multipoint > 0);  // shared-mask lookup
    }
    CHECK(accel[0].dcf == accel[1].dcf);
    CHECK(accel[0].lut == accel[1].lut);
    CHECK(accel[0].multipoint == accel[1].multipoint);
    INFO(accuracy.dump());
    REQUIRE(accuracy.contains("vs_clear"));
    CHECK(accuracy["vs_clear"].value("differing", -1) == 0);
  }
}

TEST_CASE("the microbench workload evaluates the gate on the accelerator it is given",
          "[apps][accel][microbench]") {
  for (const char* system : {"sigma", "fusefss"}) {
    INFO("system " << system);
    testing::TempDir dir;
    RunOptions o;
    o.workload = models::Workload::kMicrobench;
    o.gate = "gelu";
    o.system = models::parse_enum<models::System>(system);
    o.micro_n = 512;
    o.runs = 1;
    o.warmup = 0;
    o.threads = 1;
    o.out = dir.path();
    CountingCpu accel[2];
    both_parties(o, accel,
                 [&](const RunOptions& mine, net::Channel& ch, profiling::Recorder& rec,
                     const fss::Accelerator* a) { run_microbench_workload(mine, ch, rec, a); });
    for (const CountingCpu& a : accel) {
      CHECK(a.dcf + a.multipoint + a.sigma_dcf > 0);
      if (std::string(system) == "sigma") CHECK(a.lut > 0);
      if (std::string(system) == "fusefss") CHECK(a.multipoint > 0);
    }
    const json check = json::parse(testing::read_file(dir.path() / "microbench_check.json"));
    INFO(check.dump());
    CHECK(check["vs_clear"]["elements"] == 512);
    CHECK(check["vs_clear"]["differing"] == 0);
  }
}

}  // namespace secinfer::apps
