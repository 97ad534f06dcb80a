#include "apps/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>
#include <thread>

#include "apps/build_features.h"
#include "apps/microbench.h"
#include "apps/model_names.h"
#include "apps/netem.h"
#include "profiling/build_info.h"

namespace secinfer::apps {

namespace {

// --fusefss-act's help, for the run and the dealer commands.
constexpr const char* kFuseActHelp =
    "fusefss's GELU/SiLU after a truncation and its softmax nExp and inverse: fused (the fused "
    "truncation + activation gate, the fused nExp and sigma's inverse, SIGMA's approximations), "
    "fused-flag (fused, the fused truncation + activation's table carry an XOR flag: one exchange "
    "fewer, twice the table), fused-leaf128 (fused, that gate's lookup on SIGMA's 128-bit DPF "
    "leaves instead of 512-bit ones: smaller keys, more AES) or precise (truncation, then the "
    "whole-ring high-precision gates)";

// --fusefss-trunc's help, for the run and the dealer commands.
constexpr const char* kFuseTruncHelp =
    "fusefss's truncations (after matmuls and products, and inside the fused gates): dcf (SIGMA's "
    "TrFloor / TrWithSlack from ring-payload DCFs: 1 exchange each, 1.8-2.3x SIGMA's keys; "
    "default), sigma (SIGMA's own steps: 4 / 2 exchanges), dcf-max (dcf, and the softmax "
    "max's ReLU from a ring-payload DCF: 1 exchange a level instead of 2) or sigma2 (dcf, with "
    "TrFloor from SIGMA's comparison keys and SIGMA's TrWithSlack, 2 exchanges each: fewer AES, "
    "for both parties sharing one GPU)";

using models::Backend;
using models::Dealer;
using models::Workload;

const std::vector<std::string> kSubcommands = {"run",      "local",      "merge",
                                               "netbench", "microbench", "deal"};

// "must be >= min": CLI11's Range would print the type's maximum, which reads badly.
CLI::Validator at_least(long long min) {
  return CLI::Validator(
      [min](std::string& text) -> std::string {
        long long v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || end != text.data() + text.size()) {
          return "expected an integer, got \"" + text + "\"";
        }
        if (v < min) return "must be >= " + std::to_string(min) + " (got " + text + ")";
        return {};
      },
      ">=" + std::to_string(min));
}

constexpr double kMaxTimeoutSeconds = 1e6;

CLI::Validator positive_seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        try {
          std::size_t used = 0;
          const double v = std::stod(text, &used);
          if (used != text.size() || !(v > 0)) throw std::invalid_argument("");
          // A larger value overflows the millisecond clock (and means "never" anyway).
          if (!(v <= kMaxTimeoutSeconds)) {
            return "at most " + std::to_string(static_cast<long long>(kMaxTimeoutSeconds)) +
                   " seconds (about 11 days), got \"" + text + "\"";
          }
        } catch (const std::exception&) {
          return "expected a number of seconds > 0, got \"" + text + "\"";
        }
        return {};
      },
      "SECONDS in (0, 1e6]");
}

struct RawFlags {
  std::string peer = "127.0.0.1:7000";
  std::string out;
  std::string key_dir;
  models::Backend backend = models::Backend::kCpu;
  CLI::Option* backend_flag = nullptr;  // not given: auto (cuda where built and a GPU is visible)
  std::string gpu = "0";
  models::Padding padding = models::Padding::kOn;
};

// A flag whose value is one of an enum's names (models/run_config.h): parsed into the enum here,
// once; a bad value is refused with "--flag: VALUE not in {a,b}" (exit status 2).
template <class E>
CLI::Option* add_enum_option(CLI::App* sc, const std::string& flag, E& target,
                             const std::string& help, bool show_default = true) {
  const std::string choices = "{" + models::enum_names<E>(",") + "}";
  CLI::Option* opt =
      sc->add_option_function<std::string>(
            flag, [&target](const std::string& text) { target = models::parse_enum<E>(text); },
            help)
          ->check(CLI::Validator(
              [choices](const std::string& text) -> std::string {
                if (!models::from_string<E>(text)) return text + " not in " + choices;
                return {};
              },
              choices));
  if (show_default) opt->default_str(to_string(target));
  return opt;
}

// Which flags a run-like subcommand takes (each subcommand lists and accepts only its own; a flag
// of another one is refused with exit status 2, naming the flag and the subcommand).
enum FlagGroup : unsigned {
  kWorkloadFlag = 1u << 0,    // --workload (run, local; netbench and microbench fix it)
  kPeerFlags = 1u << 1,       // --peer, --bind (not local: it picks a loopback port itself)
  kModelFlags = 1u << 2,      // --model, --seq, --batch, --dealer, --schedule, --key-dir, ...
  kSuiteFlags = 1u << 3,      // --system, --padding, --lookup, --fusefss-act, --sigma-lut
  kDeviceFlags = 1u << 4,     // --backend, --gpu
  kNetbenchFlags = 1u << 5,   // --bytes, --rounds
  kMicrobenchFlags = 1u << 6  // --gate, --n, --cols, --bits, --frac-bits
};
constexpr unsigned kAllWorkloads =
    kWorkloadFlag | kModelFlags | kSuiteFlags | kDeviceFlags | kNetbenchFlags | kMicrobenchFlags;

// The flags of run, local, netbench and microbench, by group (in this order in the help); the
// common ones (--runs, --warmup, --threads, --out, timeouts, --seed, --log-level) always.
void add_run_flags(CLI::App* sc, RunOptions& o, RawFlags& raw, unsigned groups) {
  if (groups & kWorkloadFlag) {
    add_enum_option(sc, "--workload", o.workload,
                    "What to run: model (secure inference), netbench, or microbench (one gate)");
  }
  if (groups & kPeerFlags) {
    sc->add_option("--peer", raw.peer,
                   "HOST:PORT of party 0; party 0 listens on PORT, party 1 connects to HOST:PORT")
        ->capture_default_str();
    sc->add_option("--bind", o.bind_host, "Address party 0 listens on")->capture_default_str();
  }
  if (groups & kModelFlags) {
    sc->add_option("--model", o.model, "Model (bert = bert-base, case-insensitive; list below)")
        ->capture_default_str();
    sc->add_option("--seq", o.seq, "Sequence length")->check(at_least(1))->capture_default_str();
    sc->add_option("--batch", o.batch, "Batch size")->check(at_least(1))->capture_default_str();
  }
  if (groups & kSuiteFlags) {
    add_enum_option(sc, "--system", o.system, "Protocol suite: sigma or fusefss");
    add_enum_option(sc, "--padding", raw.padding,
                    "Mask-independent gate shapes: on (secure) or off (INSECURE ablation only)");
    add_enum_option(sc, "--lookup", o.lookup,
                    "fusefss interval lookup: shared-mask (one DCF key per element) or per-cut "
                    "(one per cut per element; larger keys); same outputs. Ignored by sigma "
                    "(recorded as n/a)");
    add_enum_option(sc, "--fusefss-act", o.fuse_act,
                    std::string(kFuseActHelp) + ". Ignored by sigma (recorded as n/a)");
    add_enum_option(sc, "--fusefss-trunc", o.fuse_trunc,
                    std::string(kFuseTruncHelp) + ". Ignored by sigma (recorded as n/a)");
    add_enum_option(sc, "--sigma-lut", o.sigma_lut,
                    "sigma's table lookups: sigma (SIGMA's own: 1-bit DPF, sign and value "
                    "opened; default) or nbit (ring-valued DPF in one round: 'improved sigma', not "
                    "SIGMA). Ignored by fusefss (recorded as n/a)");
    add_enum_option(sc, "--sigma-shares", o.sigma_shares,
                    "how sigma's keys store additive shares: words (SIGMA's: u64, or u16 / u8 "
                    "for narrow values; default) or packed (to their bit width: 'improved "
                    "sigma'). Same outputs and messages. Ignored by fusefss (recorded as n/a)");
  }
  if (groups & kDeviceFlags) {
    raw.backend_flag = add_enum_option(
        sc, "--backend", raw.backend,
        "cpu or cuda: where the parties evaluate their FSS keys and matmuls (under cuda the "
        "inline dealer also makes its DCF / DPF trees there; the rest of the dealer stays on the "
        "CPU; same outputs). Default: cuda if this build has CUDA and a GPU is present, else cpu",
        /*show_default=*/false);
    sc->add_option("--gpu", raw.gpu,
                   "CUDA device of the party under --backend cuda (run: N; local, and "
                   "microbench without --party: N for both parties or N,M for party 0 on N and "
                   "party 1 on M)")
        ->capture_default_str();
    add_enum_option(
        sc, "--gate-vectors", o.gate_vectors,
        "host or device: under --backend cuda, where the gates keep their "
        "party-local vectors (device: their arithmetic and the openings' packing run "
        "on the GPU; the same outputs and messages; host: the CPU, the older path kept for "
        "comparison). Ignored by cpu");
    add_enum_option(
        sc, "--gpu-wait", o.gpu_wait,
        "auto, spin, yield or block: how the party's host threads wait for its GPU under "
        "--backend cuda (CUDA's device flags; auto: CUDA's heuristic, which spins a core while "
        "the process has fewer contexts than the host has cores). The same outputs and "
        "messages. Ignored by cpu");
  }
  sc->add_option("--runs", o.runs, "Measured runs")->check(at_least(1))->capture_default_str();
  sc->add_option("--warmup", o.warmup, "Warm-up runs (recorded, not merged)")
      ->check(at_least(0))
      ->capture_default_str();
  sc->add_option(
        "--threads", o.threads,
        "CPU threads per party (default: all hardware threads; under local, or with a peer on this "
        "host, half of them)")
      ->check(at_least(1));
  sc->add_option(
      "--out", raw.out,
      (groups & kModelFlags)
          ? "Output folder (default results/<model>-s<seq>-b<batch>-<system>/, "
            "+\"-percut\" under fusefss --lookup per-cut, +\"-precise\" under "
            "fusefss --fusefss-act precise, +\"-fusedflag\" under fused-flag, +\"-padoff\" under "
            "--padding off)"
      : (groups & kMicrobenchFlags)
          ? "Output folder (default results/microbench/<gate>-<system>-n<N>/, "
            "+\"-percut\" under fusefss --lookup per-cut, +\"-precise\" under "
            "fusefss --fusefss-act precise, +\"-fusedflag\" under fused-flag, +\"-padoff\" under "
            "--padding off)"
          : "Output folder (default results/netbench-<bytes>B-r<rounds>/)");
  sc->add_option("--connect-timeout", o.connect_timeout_s,
                 "Seconds to wait for the peer to connect / to keep retrying the connection")
      ->check(positive_seconds())
      ->capture_default_str();
  sc->add_option("--io-timeout", o.io_timeout_s, "Seconds a single receive may wait for the peer")
      ->check(positive_seconds())
      ->capture_default_str();
  if (groups & kModelFlags) {
    add_enum_option(sc, "--dealer", o.dealer,
                    "Key generation: inline (a dealer inside each party process, in the offline "
                    "phase, from the shared --seed: a benchmark simulation, NOT a private run, "
                    "since each party could derive the other's masks, as in SIGMA's own "
                    "harness); file (model runs: this party's keys read from "
                    "--key-dir/p<party>.keys, written by a separate `secinfer deal` process)");
    add_enum_option(sc, "--schedule", o.schedule,
                    "Model runs: layer-by-layer (keys of one layer generated, then evaluated; key "
                    "memory bounded by one layer) or keys-first (all keys of a run before it)");
    sc->add_option("--key-dir", raw.key_dir, "Folder of the key files (with --dealer file)");
    sc->add_option("--key-memory", o.key_memory,
                   "Model runs, inline dealer: the memory a party may hold at once (keys, "
                   "activations, weights), e.g. 64GiB or 512MiB; a batch that needs more runs "
                   "its sequences in equal groups, one group's keys at a time; where one "
                   "sequence does not fit, each layer runs in chunks of its rows, one chunk's "
                   "keys at a time (more rounds); a run that does not fit even one row at a "
                   "time is refused (status oom) before any work. Default: the host's available "
                   "memory. Under --backend cuda the groups or chunks are also kept small enough "
                   "that a step's keys fit the GPU's key budget (0.35 of its memory), where the "
                   "host allows: keys over it would be made on the CPU and uploaded online")
        ->transform(CLI::AsSizeValue(false));
  }
  sc->add_option("--seed", o.seed, "Seed of weights, inputs and dealer randomness")
      ->capture_default_str();
  if (groups & kModelFlags) {
    sc->add_option("--weights", o.weights_file,
                   "Model runs, party 0: a Hugging Face model.safetensors (bert, gpt2, gpt-neo, "
                   "llama) or a secinfer weight file (default: seeded random weights)");
    sc->add_option("--input", o.input_file,
                   "Model runs, party 1: token ids (JSON array or one per line), embedded with "
                   "party 0's checkpoint; party 0 reads it only for the accuracy report");
  }
  if (groups & kNetbenchFlags) {
    sc->add_option("--bytes", o.netbench_bytes, "netbench: bytes sent each way per round")
        ->check(at_least(0))
        ->capture_default_str();
    sc->add_option("--rounds", o.netbench_rounds, "netbench: exchanges per run")
        ->check(at_least(1))
        ->capture_default_str();
  }
  if (groups & kMicrobenchFlags) {
    sc->add_option("--gate", o.gate, "microbench: the gate (" + microbench_gate_list() + ")")
        ->capture_default_str();
    sc->add_option("--n", o.micro_n,
                   "microbench: elements of the gate's input (default: its BERT-base seq-128 size)")
        ->check(at_least(1));
    sc->add_option("--cols", o.micro_cols,
                   "microbench: row length of inv (summed terms), rsqrt (hidden size), softmax and "
                   "layernorm (default 128 / 768 / 128 / 768)")
        ->check(at_least(1));
    sc->add_option("--bits", o.micro_bits, "microbench: ring bits n (8..64)")
        ->check(at_least(8))
        ->capture_default_str();
    sc->add_option("--frac-bits", o.micro_frac, "microbench: fixed-point fractional bits f")
        ->check(at_least(1))
        ->capture_default_str();
  }
  sc->add_option("--log-level", o.log_level, "stderr log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
}

// The first flag after the subcommand's name that `sc` does not have ("--system" of
// "--system=sigma"), or "" if every flag is its own.
std::string foreign_flag(CLI::App& sc, const std::vector<std::string>& args) {
  bool after = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (!after) {
      after = a == sc.get_name();
      continue;
    }
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-' || (a[1] >= '0' && a[1] <= '9') || a[1] == '.') continue;
    const std::string flag = a.substr(0, a.find('='));
    if (flag == "-h" || flag == "--help") continue;
    if (sc.get_option_no_throw(flag) == nullptr) return flag;
  }
  return {};
}

std::string model_list() {
  std::string s;
  for (const auto& n : known_model_names()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// Checks that need more than one flag, and fills in derived defaults.
void finish_run_options(RunOptions& o, const RawFlags& raw, const std::string& sub) {
  auto fail = [&](const std::string& msg) {
    throw UsageError(msg + "\nrun `secinfer " + sub + " --help` for the flags");
  };
  try {
    o.peer = net::parse_endpoint(raw.peer);
  } catch (const net::NetError& e) {
    fail(std::string("--peer: ") + e.what());
  }
  if (o.workload == Workload::kModel) {
    try {
      o.model = canonical_model_name(o.model);
    } catch (const std::invalid_argument& e) {
      fail(std::string("--model: ") + e.what());
    }
  }
  o.padding = raw.padding == models::Padding::kOn;
  if (o.workload == Workload::kMicrobench) {
    try {
      resolve_microbench_options(o);
    } catch (const std::invalid_argument& e) {
      fail(e.what());
    }
  }
  // cuda: each party process evaluates its FSS keys on the GPU (apps/party_backend.h).
  if (raw.backend_flag == nullptr || raw.backend_flag->count() == 0) {
    o.backend = cuda_built() && cuda_device_count() > 0 ? Backend::kCuda : Backend::kCpu;
  } else {
    o.backend = raw.backend;
    if (o.backend == Backend::kCuda && !cuda_built()) {
      fail(
          "--backend cuda: this build has no CUDA backend: rebuild with -DSECINFER_CUDA=ON on a "
          "machine with the CUDA Toolkit, or use --backend cpu");
    }
    if (o.backend == Backend::kCuda && cuda_device_count() == 0) {
      fail(
          "--backend cuda: no CUDA device is visible to this process (check the driver with "
          "nvidia-smi and CUDA_VISIBLE_DEVICES), or use --backend cpu");
    }
  }
  {
    // --gpu N, or N,M where this process starts both parties (local, microbench without
    // --party): party 0 on N, party 1 on M.
    const auto comma = raw.gpu.find(',');
    const bool pair = comma != std::string::npos;
    const bool both_parties = sub == "local" || (sub == "microbench" && o.party < 0);
    auto device = [&](const std::string& text) {
      int v = -1;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size() || v < 0)
        fail("--gpu " + raw.gpu + ": expected a CUDA device number (0, 1, ...)" +
             (both_parties ? std::string(" or two of them, N,M") : std::string()));
      return v;
    };
    if (pair && !both_parties)
      fail("--gpu " + raw.gpu +
           ": one device per party process; N,M is for `secinfer local` and `secinfer "
           "microbench` without --party");
    o.gpu = device(raw.gpu.substr(0, comma));
    o.gpu_party1 = pair ? device(raw.gpu.substr(comma + 1)) : -1;
    if (o.backend == Backend::kCuda) {
      const int n = cuda_device_count();
      for (const int d : {o.gpu, o.gpu_party1})
        if (d >= n)
          fail("--gpu " + raw.gpu + ": CUDA device " + std::to_string(d) + " is not visible (" +
               std::to_string(n) +
               " device(s): 0 .. n-1; check nvidia-smi and CUDA_VISIBLE_DEVICES)");
    }
  }
  if (o.dealer == Dealer::kFile && raw.key_dir.empty()) {
    fail("--dealer file needs --key-dir DIR (the folder holding the key files)");
  }
  if (o.dealer == Dealer::kFile && o.workload != Workload::kModel) {
    fail("--dealer file: only model runs (--workload model) read key files; " +
         to_string(o.workload) + " makes its keys with the inline dealer: use --dealer inline");
  }
  o.key_dir = raw.key_dir;
  try {
    parse_net_profile(o.net);  // here so a bad profile is refused before anything starts
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  if (o.threads == 0) {
    // `local` runs both party processes on this host, which compute at the same time: each takes
    // half of its hardware threads (measured on the H200 host: docs/perf.md). So does a party
    // whose peer is on this host (a loopback --peer: the other party process runs beside it).
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const bool shared_host = sub == "local" || net::is_loopback(o.peer);
    o.threads = static_cast<int>(shared_host ? std::max(1u, hw / 2) : hw);
  }
  o.out = raw.out.empty() ? default_out_dir(o) : std::filesystem::path(raw.out);
  if (o.workload == Workload::kModel) {
    try {
      validate_model_run(o.model, o.seq, o.batch);
    } catch (const std::invalid_argument& e) {
      throw RefusedRun(e.what(), o);
    }
  }
}

}  // namespace

Invocation parse_command_line(const std::vector<std::string>& args_in) {
  std::vector<std::string> args = args_in;
  if (args.empty()) args.push_back("secinfer");
  // Flags without a subcommand mean `run` (`secinfer --party 0 --model bert ...`).
  const bool top_level_only =
      args.size() == 1 || args[1] == "-h" || args[1] == "--help" || args[1] == "--version";
  if (!top_level_only &&
      std::find(kSubcommands.begin(), kSubcommands.end(), args[1]) == kSubcommands.end()) {
    if (!args[1].empty() && args[1][0] != '-') {
      throw UsageError("unknown subcommand \"" + args[1] +
                       "\": use one of run, local, merge, netbench, microbench, deal (or flags "
                       "only, "
                       "which mean `run`); see `secinfer --help`");
    }
    args.insert(args.begin() + 1, "run");
  }

  CLI::App app{
      "secinfer: two-party secure transformer inference (function secret sharing) "
      "with a scoped breakdown of time, bytes and rounds"};
  app.name("secinfer");
  app.set_version_flag("--version", std::string("secinfer ") +
                                        std::string(profiling::build_version()) + " (" +
                                        std::string(profiling::build_commit()) + ")");
  app.require_subcommand(1);
  // A later flag overrides an earlier one, so scripts can pass defaults and "$@" after them
  // (scripts/demo.sh appends the user's --model/--seq to its own).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // NB: scripts/demo.sh greps this help for "cuda" to detect a CUDA build: keep the word out of
  // the top-level text unless the backend is built.
  const std::string exit_status =
      "Exit status: 0 ok, 1 run failed, 2 bad flags, 3 network / peer / handshake error, 4 merge "
      "refused, 5 out of memory; 128+N: stopped by signal N (local: also a party killed by signal "
      "N).";
  app.footer("Flags given without a subcommand mean `run`.\n" + exit_status +
             "\nBackends in this build: " + (cuda_built() ? "cpu, cuda" : "cpu") + ".");

  Invocation inv;
  RunOptions run_opts, local_opts, nb_opts;
  RawFlags run_raw, local_raw, nb_raw;

  CLI::App* run = app.add_subcommand("run", "Run one party (P0 listens, P1 connects)");
  run->add_option("--party", run_opts.party, "0 or 1")->required()->check(CLI::IsMember({0, 1}));
  add_run_flags(run, run_opts, run_raw, kPeerFlags | kAllWorkloads);
  run->footer("Models: " + model_list() + "\n" + exit_status);

  CLI::App* local = app.add_subcommand(
      "local", "Run both parties on this machine over loopback, then merge and print the table");
  // local runs both parties over loopback on a free port: no --peer and --bind.
  add_run_flags(local, local_opts, local_raw, kAllWorkloads);
  local
      ->add_option("--net", local_opts.net,
                   "Link between the parties (apps/netem.h): none (loopback), lan (1 GB/s, 0.5 ms "
                   "one-way), wan (400 MB/s, 4 ms one-way) or rate=RATE,delay=DELAY; emulated "
                   "with network namespaces and tc netem (needs root, else loopback with a "
                   "warning)")
      ->capture_default_str();
  local->footer("Models: " + model_list() + "\n" + exit_status);

  CLI::App* merge = app.add_subcommand(
      "merge", "Merge p0.json and p1.json into breakdown_merged.json (+ .csv) and print it");
  merge->add_option("P0", inv.merge.p0, "Party log (p0.json or p1.json)")->required();
  merge->add_option("P1", inv.merge.p1, "The other party's log")->required();
  merge->add_option("-o,--out", inv.merge.out,
                    "Merged breakdown (default: breakdown_merged.json beside P0)");
  merge->footer(
      "Exit status: 0 merged, status ok; 1 the merged run failed, or the output could not be "
      "written; 2 bad flags; 4 merge refused (the logs do not belong together, or one is not a "
      "party log); 5 the merged run ran out of memory.");

  CLI::App* netbench = app.add_subcommand(
      "netbench",
      "Network benchmark: --rounds exchanges of --bytes each way (both parties here, or one "
      "with --party)");
  netbench->add_option("--party", nb_opts.party, "0 or 1 (omit to run both parties here)")
      ->check(CLI::IsMember({0, 1}));
  nb_opts.workload = Workload::kNetbench;
  add_run_flags(netbench, nb_opts, nb_raw, kPeerFlags | kNetbenchFlags);
  netbench->footer(exit_status);

  RunOptions mb_opts;
  RawFlags mb_raw;
  CLI::App* microbench = app.add_subcommand(
      "microbench",
      "One gate over --n elements, a real two-party run: online time, bytes, messages, rounds, "
      "key bytes, per gate and per element (both parties here, or one with --party)");
  microbench->add_option("--party", mb_opts.party, "0 or 1 (omit to run both parties here)")
      ->check(CLI::IsMember({0, 1}));
  mb_opts.workload = Workload::kMicrobench;
  add_run_flags(microbench, mb_opts, mb_raw,
                kPeerFlags | kSuiteFlags | kDeviceFlags | kMicrobenchFlags);
  microbench->footer("Gates: " + microbench_gate_list() +
                     ". Writes breakdown_merged.json and microbench.json into --out (default "
                     "results/microbench/<gate>-<system>-n<N>/).\n" +
                     exit_status);

  RunOptions deal_opts;
  models::Padding deal_padding = models::Padding::kOn;
  std::string deal_key_dir;
  CLI::App* deal = app.add_subcommand(
      "deal",
      "Separate dealer: write both parties' key files of a model run (every run, warm-up runs "
      "first) into --key-dir as p0.keys and p1.keys, for `run`/`local` --dealer file");
  deal->add_option("--model", deal_opts.model,
                   "Model (bert = bert-base, case-insensitive; list below)")
      ->capture_default_str();
  deal->add_option("--seq", deal_opts.seq, "Sequence length")
      ->check(at_least(1))
      ->capture_default_str();
  deal->add_option("--batch", deal_opts.batch, "Batch size")
      ->check(at_least(1))
      ->capture_default_str();
  add_enum_option(deal, "--system", deal_opts.system, "Protocol suite: sigma or fusefss");
  add_enum_option(deal, "--padding", deal_padding,
                  "fusefss: mask-independent gate shapes: on (secure) or off (INSECURE ablation)");
  add_enum_option(deal, "--lookup", deal_opts.lookup,
                  "fusefss interval lookup: shared-mask or per-cut");
  add_enum_option(deal, "--fusefss-act", deal_opts.fuse_act, kFuseActHelp);
  add_enum_option(deal, "--fusefss-trunc", deal_opts.fuse_trunc, kFuseTruncHelp);
  add_enum_option(deal, "--sigma-lut", deal_opts.sigma_lut,
                  "sigma's table lookups: sigma (SIGMA's own) or nbit (improved sigma)");
  add_enum_option(deal, "--sigma-shares", deal_opts.sigma_shares,
                  "sigma's share storage: words (SIGMA's) or packed (improved sigma)");
  deal->add_option("--runs", deal_opts.runs, "Measured runs the parties will make")
      ->check(at_least(1))
      ->capture_default_str();
  deal->add_option("--warmup", deal_opts.warmup, "Warm-up runs the parties will make")
      ->check(at_least(0))
      ->capture_default_str();
  add_enum_option(deal, "--schedule", deal_opts.schedule,
                  "The parties' schedule: layer-by-layer or keys-first (the key order differs)");
  deal->add_option("--vocab", deal_opts.vocab,
                   "Token input: the vocabulary of party 0's checkpoint (party 1 gives --input "
                   "token ids); 0 = embedding input")
      ->capture_default_str();
  CLI::Option* deal_seed =
      deal->add_option("--seed", deal_opts.seed,
                       "Dealer seed: reproducible keys (the same as an inline run with this "
                       "--seed). Default: a fresh seed from the OS CSPRNG (getrandom)");
  deal->add_option("--key-dir", deal_key_dir, "Folder to write p0.keys and p1.keys into")
      ->required();
  deal->add_option("--threads", deal_opts.threads,
                   "CPU threads of the key generation (default: all hardware threads)")
      ->check(at_least(1));
  deal->add_option("--log-level", deal_opts.log_level, "stderr log level")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  deal->footer("Models: " + model_list() +
               "\nThe parties then run with --dealer file --key-dir DIR (each needs only its "
               "own file) and the same --model/--seq/--batch/--system/--padding/--lookup/"
               "--fusefss-act/--runs/--warmup/--schedule; a file of another setting, party or "
               "deal is refused.\n" +
               exit_status);

  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::Success& e) {  // --help, --version
    std::ostringstream out, err;
    app.exit(e, out, err);
    inv.command = Command::kHelp;
    inv.text = out.str();
    return inv;
  } catch (const CLI::ParseError& e) {
    if (args.size() == 1) {
      throw UsageError("no subcommand given\n" + app.help());
    }
    const std::vector<CLI::App*> subs = {run, local, merge, netbench, microbench, deal};
    CLI::App* parsed = nullptr;
    for (CLI::App* sc : subs) {
      if (sc->parsed()) parsed = sc;
    }
    const std::string sub = parsed ? parsed->get_name() : std::string();
    if (parsed != nullptr && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
      if (std::string flag = foreign_flag(*parsed, args); !flag.empty()) {
        std::string owners;
        for (CLI::App* sc : subs) {
          if (sc->get_option_no_throw(flag) != nullptr)
            owners += (owners.empty() ? "" : ", ") + sc->get_name();
        }
        throw UsageError("`secinfer " + sub + "` does not take " + flag +
                         (owners.empty() ? std::string(" (no subcommand has it)")
                                         : " (a flag of: " + owners + ")") +
                         "\n" + e.what() + "\nrun `secinfer " + sub + " --help` for its flags");
      }
    }
    throw UsageError(std::string(e.what()) + "\nrun `secinfer " + (sub.empty() ? "" : sub + " ") +
                     "--help` for the flags");
  }

  if (run->parsed()) {
    inv.command = Command::kRun;
    finish_run_options(run_opts, run_raw, "run");
    inv.run = run_opts;
  } else if (local->parsed()) {
    inv.command = Command::kLocal;
    finish_run_options(local_opts, local_raw, "local");
    inv.run = local_opts;
  } else if (netbench->parsed()) {
    inv.command = nb_opts.party < 0 ? Command::kLocal : Command::kRun;
    finish_run_options(nb_opts, nb_raw, "netbench");
    inv.run = nb_opts;
  } else if (deal->parsed()) {
    inv.command = Command::kDeal;
    RunOptions& o = deal_opts;
    o.padding = deal_padding == models::Padding::kOn;
    o.seed_given = deal_seed->count() > 0;
    o.key_dir = deal_key_dir;
    o.dealer = Dealer::kFile;
    try {
      o.model = canonical_model_name(o.model);
      validate_model_run(o.model, o.seq, o.batch);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string(e.what()) + "\nrun `secinfer deal --help` for the flags");
    }
    inv.run = o;
  } else if (microbench->parsed()) {
    inv.command = mb_opts.party < 0 ? Command::kLocal : Command::kRun;
    finish_run_options(mb_opts, mb_raw, "microbench");
    inv.run = mb_opts;
  } else {
    inv.command = Command::kMerge;
    if (inv.merge.out.empty()) {
      inv.merge.out = inv.merge.p0.parent_path() / "breakdown_merged.json";
    }
  }
  return inv;
}

}  // namespace secinfer::apps
