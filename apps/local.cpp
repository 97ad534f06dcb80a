#include "apps/local.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "apps/child_process.h"
#include "apps/exit_codes.h"
#include "apps/logging.h"
#include "apps/merge_cmd.h"
#include "apps/netem.h"
#include "apps/previous_results.h"
#include "net/channel.h"
#include "profiling/merge.h"

namespace secinfer::apps {

namespace {

std::string seconds_text(double s) {
  std::ostringstream out;
  out << s;
  return out.str();
}

}  // namespace

std::vector<std::string> party_command_line(const RunOptions& o, int party, std::uint16_t port,
                                            const std::string& exe) {
  std::vector<std::string> a = {exe, "run", "--party", std::to_string(party)};
  auto add = [&a](const std::string& flag, const std::string& value) {
    a.push_back(flag);
    a.push_back(value);
  };
  add("--peer", "127.0.0.1:" + std::to_string(port));
  add("--bind", "127.0.0.1");
  add("--workload", to_string(o.workload));
  add("--model", o.model);
  add("--seq", std::to_string(o.seq));
  add("--batch", std::to_string(o.batch));
  add("--system", to_string(o.system));
  add("--padding", models::padding_name(o.padding));
  add("--lookup", to_string(o.lookup));
  add("--fusefss-act", to_string(o.fuse_act));
  add("--fusefss-trunc", to_string(o.fuse_trunc));
  add("--sigma-lut", to_string(o.sigma_lut));
  add("--sigma-shares", to_string(o.sigma_shares));
  if (o.key_memory != 0) add("--key-memory", std::to_string(o.key_memory));
  add("--backend", to_string(o.backend));
  add("--gpu", std::to_string(party == 1 && o.gpu_party1 >= 0 ? o.gpu_party1 : o.gpu));
  add("--gate-vectors", to_string(o.gate_vectors));
  add("--gpu-wait", to_string(o.gpu_wait));
  add("--runs", std::to_string(o.runs));
  add("--warmup", std::to_string(o.warmup));
  add("--threads", std::to_string(o.threads));
  add("--out", o.out.string());
  add("--connect-timeout", seconds_text(o.connect_timeout_s));
  add("--io-timeout", seconds_text(o.io_timeout_s));
  add("--dealer", to_string(o.dealer));
  add("--schedule", to_string(o.schedule));
  if (!o.key_dir.empty()) add("--key-dir", o.key_dir.string());
  add("--seed", std::to_string(o.seed));
  if (!o.weights_file.empty() && party == 0)
    add("--weights", std::filesystem::absolute(o.weights_file).string());
  if (!o.input_file.empty()) add("--input", std::filesystem::absolute(o.input_file).string());
  add("--bytes", std::to_string(o.netbench_bytes));
  add("--rounds", std::to_string(o.netbench_rounds));
  add("--log-level", o.log_level);
  return a;
}

int run_local(const RunOptions& o, const std::filesystem::path& exe) {
  return run_local_parties(
      o, "local",
      [&](int party, std::uint16_t port) { return party_command_line(o, party, port, exe); },
      [&](const nlohmann::json& merged) {
        std::cout << profiling::format_breakdown_table(merged);
        std::cout << "merged: " << (o.out / "breakdown_merged.json").string() << "\n";
        std::cout.flush();
        return merged.value("status", "failed") == "ok" ? kExitOk : kExitFailed;
      });
}

int run_local_parties(const RunOptions& o, const std::string& what,
                      const std::function<std::vector<std::string>(int, std::uint16_t)>& command,
                      const std::function<int(const nlohmann::json& merged)>& report) {
  if (!o.padding) warn_padding_off();
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    spdlog::error("cannot create the output folder {}: {}: choose another with --out DIR",
                  o.out.string(), ec.message());
    return kExitFailed;
  }
  const StopSignals stop;  // SIGINT / SIGTERM / SIGHUP: stop both parties, then report
  const std::filesystem::path merged_file = o.out / "breakdown_merged.json";
  const std::filesystem::path merged_csv = o.out / "breakdown_merged.csv";
  keep_previous_results(merged_file, {merged_csv});
  // --net: the parties in two network namespaces over a shaped veth pair, removed when this
  // function returns (stop signals included); loopback with a warning where that is impossible.
  const NetemLink link(parse_net_profile(o.net));
  std::array<Child, 2> kids;
  try {
    const std::uint16_t port = net::pick_free_port("127.0.0.1");
    spdlog::info("{}: starting party 0 and party 1 over {}:{}; logs in {}", what,
                 link.listen_host(), port, o.out.string());
    for (int p = 0; p < 2; ++p) kids[p].pid = spawn(link.wrap(p, command(p, port)));
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    kill_children(kids);
    return kExitFailed;
  }

  const int first_failed = wait_children(kids);
  if (const int sig = stop_signal(); sig != 0) {
    spdlog::error(
        "stopped by signal {} ({}): both parties were stopped; their logs say the run "
        "did not finish",
        sig, strsignal(sig));
  }
  for (int p = 0; p < 2; ++p) {
    if (kids[p].code != 0) {
      spdlog::error("party {} failed ({}): see its messages above and its log {}", p, kids[p].how,
                    party_log_path(o, p).string());
    }
  }
  const auto p0 = party_log_path(o, 0);
  const auto p1 = party_log_path(o, 1);
  try {  // the link actually used, in both logs' environment (and so in the merged breakdown)
    for (const auto& log : {p0, p1}) record_net_environment(log.string(), link.environment());
  } catch (const std::exception& e) {
    spdlog::warn("cannot record the network profile in the party logs: {}", e.what());
  }
  int code = first_failed >= 0 ? kids[first_failed].code : kExitOk;
  if (stop_signal() != 0) code = 128 + stop_signal();
  if (!std::filesystem::exists(p0) || !std::filesystem::exists(p1)) {
    spdlog::error("no merge: a party log is missing ({} / {})", p0.string(), p1.string());
    return code != kExitOk ? code : kExitFailed;
  }
  try {
    const nlohmann::json merged = merge_and_write(p0, p1, merged_file);
    const int reported = report(merged);
    if (code == kExitOk) code = reported;
    if (merged.value("status", "") == "ok" && code == kExitOk)
      drop_previous_results(merged_file, {merged_csv});
  } catch (const profiling::MergeError& e) {
    spdlog::error("merge refused: {}", e.what());
    if (code == kExitOk) code = kExitMerge;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    if (code == kExitOk) code = kExitFailed;
  }
  return code;
}

}  // namespace secinfer::apps
