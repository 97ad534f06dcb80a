#include "apps/party.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <new>
#include <optional>
#include <thread>
#include <vector>

#include "apps/child_process.h"
#include "apps/exit_codes.h"
#include "apps/gpu_sharing.h"
#include "apps/logging.h"
#include "apps/model_workload.h"
#include "apps/party_backend.h"
#include "apps/previous_results.h"
#include "apps/workload.h"
#include "net/channel.h"
#include "profiling/recorder.h"
#include "profiling/stats.h"

namespace secinfer::apps {

namespace {

std::chrono::milliseconds to_ms(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
}

// What the log says about where the keys came from (docs/design/separate-dealer.md).
std::string dealer_note(const RunOptions& o) {
  if (o.dealer == models::Dealer::kFile)
    return "keys read from " + o.key_dir.string() + "/p" + std::to_string(o.party) +
           ".keys, written by a separate `secinfer deal` process";
  return "inline dealer: each party process runs the whole dealer from the shared --seed, so it "
         "could derive the other party's masks; a benchmark simulation (as SIGMA's own harness), "
         "not a private run; use `secinfer deal` and --dealer file for separate keys";
}

// Per-party values go to the environment, not to the config (which the merge compares).
nlohmann::json party_environment(const RunOptions& o) {
  nlohmann::json env = profiling::default_environment(o.threads);
  env["party"] = o.party;
  env["peer"] = o.peer.host + ":" + std::to_string(o.peer.port);
  if (o.party == 0) env["bind"] = o.bind_host;
  env["out"] = o.out.string();
  if (!o.key_dir.empty()) env["key_dir"] = o.key_dir.string();
  env["connect_timeout_s"] = o.connect_timeout_s;
  env["io_timeout_s"] = o.io_timeout_s;
  // The party's memory budget (--key-memory; 0: the host's available memory).
  env["key_memory_bytes"] = o.key_memory;
  if (o.backend == models::Backend::kCuda) {
    env["gpu"] = o.gpu;  // the CUDA device (model, driver: "accelerator")
    env["gate_vectors"] = to_string(o.gate_vectors);
    env["gpu_wait"] = to_string(o.gpu_wait);
    env["gpu_sharing"] = gpu_sharing_note(mps_daemon_running());
  }
  if (o.workload != models::Workload::kNetbench) env["dealer_note"] = dealer_note(o);
  return env;
}

void print_summary(const RunOptions& o, const profiling::Recorder& rec,
                   const std::filesystem::path& log) {
  const nlohmann::json j = rec.to_json();
  std::vector<double> walls;
  std::uint64_t sent = 0;
  std::uint64_t rounds = 0;
  for (const auto& r : j["runs"]) {
    if (r["warmup"].get<bool>()) continue;
    walls.push_back(r["wall_ms"].get<double>());
    sent = r["totals"]["bytes_sent"].get<std::uint64_t>();
    rounds = r["totals"]["rounds"].get<std::uint64_t>();
  }
  std::cout << "P" << o.party << ": status " << j["status"].get<std::string>();
  if (!walls.empty()) {
    std::cout << ", " << walls.size() << " runs, median " << profiling::median(walls) << " ms, "
              << sent << " bytes sent and " << rounds << " rounds per run";
  }
  std::cout << "\nlog: " << log.string() << "\n";
  // (Not under `secinfer local`, which merges the two logs itself.)
  if (j["status"] == "ok" && o.party == 0 && std::getenv(kParentPidVariable) == nullptr) {
    std::cout << "merge both parties' logs with: secinfer merge " << log.string()
              << " <P1's p1.json>\n";
  }
  std::cout.flush();
}

}  // namespace

int run_party(const RunOptions& o) {
  if (!o.padding) warn_padding_off();
  if (const unsigned hw = std::thread::hardware_concurrency();
      hw > 0 && static_cast<unsigned>(o.threads) > 2 * hw) {
    spdlog::warn(
        "--threads {} is more than twice the {} hardware threads of this machine: the "
        "run gets slower, not faster; --threads {} or less is better",
        o.threads, hw, hw);
  }
  const std::filesystem::path log = party_log_path(o, o.party);
  profiling::Recorder rec(shared_config(o), o.party);
  rec.set_environment(party_environment(o));

  // Placeholder first: if this process is killed, the log on disk says the run did not finish. The
  // log of an earlier completed run is kept aside until this one completes.
  keep_previous_results(log);
  rec.set_status(profiling::Status::kFailed,
                 "this party did not finish: it was killed or crashed before writing its final "
                 "log (see its stderr; a killed peer shows up as 'peer closed the connection' in "
                 "the other party's log)");
  try {
    rec.write(log);
  } catch (const std::exception& e) {
    spdlog::error("{}: choose a writable folder with --out DIR", e.what());
    return kExitFailed;
  }
  rec.set_status(profiling::Status::kOk, "");

  int code = kExitOk;
  auto failed = [&](profiling::Status s, int exit_code, const std::string& reason) {
    rec.set_status(s, reason);
    spdlog::error("{}", reason);
    code = exit_code;
  };
  // The GPU (under --backend cuda) before connecting, so that a device problem fails here and
  // fast; it outlives every use of the recorder's GPU clock (reset below).
  std::optional<PartyBackend> backend;
  try {
    auto active = rec.activate();
    backend.emplace(o);
    if (backend->timer() != nullptr) rec.set_gpu_timer(backend->timer());
    nlohmann::json env = party_environment(o);
    env["accelerator"] = backend->describe();  // the GPU (model, driver) or "cpu"
    // Where the online phase reads its FSS keys (models::RunOptions::keys_on_device).
    env["key_mode"] = backend->accelerator() == nullptr ? "host"
                      : o.dealer == models::Dealer::kFile
                          ? "key file: host batches uploaded at evaluation (KeyTransfer)"
                          : "device: DCF/DPF keys generated on the device by the offline "
                            "dealer, other batches uploaded offline as it makes them (over the "
                            "key budget: generated on the CPU, uploaded at evaluation, "
                            "KeyTransfer)";
    const std::string sharing = env.value("gpu_sharing", std::string());
    rec.set_environment(std::move(env));
    if (backend->accelerator() != nullptr)
      spdlog::info("party {}: FSS evaluations on {}; {}", o.party, backend->describe(), sharing);
    if (o.workload != models::Workload::kNetbench)
      spdlog::info("party {}: {}", o.party, dealer_note(o));
    const net::Timeouts t{to_ms(o.connect_timeout_s), to_ms(o.io_timeout_s)};
    const net::Hello hello = make_hello(o);
    std::optional<net::Channel> ch;
    if (o.party == 0) {
      net::Listener listener(o.peer.port, o.bind_host);  // throws if the port cannot be had
      spdlog::info("party 0: listening on {}:{} for party 1 (up to {} s)", o.bind_host, o.peer.port,
                   o.connect_timeout_s);
      ch.emplace(listener.accept(hello, t));
    } else {
      spdlog::info("party 1: connecting to {}:{} (up to {} s)", o.peer.host, o.peer.port,
                   o.connect_timeout_s);
      ch.emplace(net::Channel::connect(o.peer, hello, t));
    }
    const std::string run_id = fmt::format("{:016x}", ch->run_id());
    rec.set_run_id(run_id);
    spdlog::info("connected; running {} (run id {})", config_summary(o), run_id);
    run_workload(o, *ch, rec, backend->accelerator());
    if (backend->accelerator() != nullptr && !backend->accelerator()->summary().empty())
      spdlog::info("party {}: {}", o.party, backend->accelerator()->summary());
  } catch (const net::NetError& e) {
    failed(profiling::Status::kFailed, kExitNetwork, e.what());
  } catch (const OutOfMemoryError& e) {
    failed(profiling::Status::kOom, kExitOom, e.what());
  } catch (const std::bad_alloc&) {
    failed(profiling::Status::kOom, kExitOom,
           std::string("out of memory (std::bad_alloc): try a smaller ") +
               (o.workload == models::Workload::kNetbench     ? "--bytes"
                : o.workload == models::Workload::kMicrobench ? "--n"
                                                              : "--batch or --seq") +
               ", or a machine with more memory");
  } catch (const std::exception& e) {
    failed(profiling::Status::kFailed, kExitFailed, e.what());
  }
  rec.set_gpu_timer(nullptr);
  try {
    rec.write(log);
    if (code == kExitOk) drop_previous_results(log);
  } catch (const std::exception& e) {
    // The log on disk is the placeholder (or older): never report this run as ok.
    failed(profiling::Status::kFailed, code == kExitOk ? kExitFailed : code,
           std::string("the party log could not be written: ") + e.what());
  }
  print_summary(o, rec, log);
  return code;
}

}  // namespace secinfer::apps
