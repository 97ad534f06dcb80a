#include "apps/options.h"

#include <sstream>

#include "profiling/build_info.h"

namespace secinfer::apps {

using models::System;
using models::Workload;

std::string recorded_lookup(const RunOptions& o) {
  return o.system == System::kFuseFss ? to_string(o.lookup) : "n/a";
}

std::string recorded_fuse_act(const RunOptions& o) {
  return o.system == System::kFuseFss ? to_string(o.fuse_act) : "n/a";
}

std::string recorded_fuse_trunc(const RunOptions& o) {
  return o.system == System::kFuseFss ? to_string(o.fuse_trunc) : "n/a";
}

std::string recorded_sigma_lut(const RunOptions& o) {
  if (o.system != System::kSigma) return "n/a";
  return o.sigma_lut == models::SigmaLut::kNbit ? "nbit (improved sigma)" : "sigma";
}

std::string recorded_sigma_shares(const RunOptions& o) {
  if (o.system != System::kSigma) return "n/a";
  return o.sigma_shares == models::SigmaShares::kPacked ? "packed (improved sigma)" : "words";
}

nlohmann::json shared_config(const RunOptions& o) {
  nlohmann::json c;
  c["workload"] = to_string(o.workload);
  if (o.workload == Workload::kNetbench) {
    // The schema's config keys are kept, with the netbench parameters beside them.
    c["model"] = "netbench";
    c["bytes"] = o.netbench_bytes;
    c["rounds"] = o.netbench_rounds;
  } else if (o.workload == Workload::kMicrobench) {
    c["model"] = "microbench";
    c["gate"] = o.gate;
    c["n"] = o.micro_n;
    c["cols"] = o.micro_cols;
    c["bits"] = o.micro_bits;
    c["frac_bits"] = o.micro_frac;
  } else {
    c["model"] = o.model;
    c["schedule"] = to_string(o.schedule);
  }
  c["seq"] = o.seq;
  c["batch"] = o.batch;
  c["system"] = to_string(o.system);
  c["padding"] = models::padding_name(o.padding);
  c["lookup"] = recorded_lookup(o);
  c["fusefss_act"] = recorded_fuse_act(o);
  c["fusefss_trunc"] = recorded_fuse_trunc(o);
  c["sigma_lut"] = recorded_sigma_lut(o);
  c["sigma_shares"] = recorded_sigma_shares(o);
  c["backend"] = to_string(o.backend);
  c["runs"] = o.runs;
  c["warmup"] = o.warmup;
  c["dealer"] = to_string(o.dealer);
  c["seed"] = o.seed;
  c["protocol_version"] = kProtocolVersion;
  return c;
}

std::uint64_t config_hash(const RunOptions& o) {
  // nlohmann::json objects keep keys sorted, so the dump is canonical.
  const std::string text = shared_config(o).dump();
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

std::string config_summary(const RunOptions& o) {
  std::ostringstream s;
  if (o.workload == Workload::kNetbench) {
    s << "netbench bytes=" << o.netbench_bytes << " rounds=" << o.netbench_rounds;
  } else if (o.workload == Workload::kMicrobench) {
    s << "microbench gate=" << o.gate << " n=" << o.micro_n << " cols=" << o.micro_cols
      << " bits=" << o.micro_bits << " frac_bits=" << o.micro_frac;
  } else {
    s << "model=" << o.model << " seq=" << o.seq << " batch=" << o.batch
      << " schedule=" << to_string(o.schedule);
  }
  s << " system=" << to_string(o.system) << " padding=" << models::padding_name(o.padding)
    << " lookup=" << recorded_lookup(o) << " fusefss_act=" << recorded_fuse_act(o)
    << " fusefss_trunc=" << recorded_fuse_trunc(o) << " sigma_lut=" << recorded_sigma_lut(o)
    << " sigma_shares=" << recorded_sigma_shares(o) << " backend=" << to_string(o.backend)
    << " runs=" << o.runs << " warmup=" << o.warmup << " dealer=" << to_string(o.dealer)
    << " seed=" << o.seed << " (secinfer " << profiling::build_version() << ", "
    << profiling::build_commit() << ")";
  return s.str();
}

net::Hello make_hello(const RunOptions& o) {
  net::Hello h;
  h.protocol_version = kProtocolVersion;
  h.party = o.party;
  h.config_hash = config_hash(o);
  h.config_summary = config_summary(o);
  return h;
}

std::filesystem::path default_out_dir(const RunOptions& o) {
  std::string name;
  if (o.workload == Workload::kNetbench) {
    name =
        "netbench-" + std::to_string(o.netbench_bytes) + "B-r" + std::to_string(o.netbench_rounds);
  } else if (o.workload == Workload::kMicrobench) {
    name = "microbench/" + o.gate + "-" + to_string(o.system) + "-n" + std::to_string(o.micro_n);
  } else {
    name = o.model + "-s" + std::to_string(o.seq) + "-b" + std::to_string(o.batch) + "-" +
           to_string(o.system);
  }
  if (o.workload != Workload::kNetbench && o.system == System::kFuseFss &&
      o.lookup == models::Lookup::kPerCut)
    name += "-percut";
  if (o.workload != Workload::kNetbench && o.system == System::kFuseFss &&
      o.fuse_act != models::FuseAct::kFused)
    name += o.fuse_act == models::FuseAct::kPrecise     ? "-precise"
            : o.fuse_act == models::FuseAct::kFusedFlag ? "-fusedflag"
                                                        : "-leaf128";
  if (o.workload != Workload::kNetbench && o.system == System::kFuseFss &&
      o.fuse_trunc != models::FuseTrunc::kDcf)
    name += o.fuse_trunc == models::FuseTrunc::kSigma    ? "-sigmatrunc"
            : o.fuse_trunc == models::FuseTrunc::kSigma2 ? "-sigma2trunc"
                                                         : "-dcfmax";
  if (o.workload != Workload::kNetbench && o.system == System::kSigma &&
      o.sigma_lut == models::SigmaLut::kNbit)
    name += "-nbitlut";
  if (o.workload != Workload::kNetbench && o.system == System::kSigma &&
      o.sigma_shares == models::SigmaShares::kPacked)
    name += "-packed";
  if (!o.padding) name += "-padoff";
  return std::filesystem::path("results") / name;
}

std::filesystem::path party_log_path(const RunOptions& o, int party) {
  std::string name = "p";  // appended, not "p" + ...: GCC 12 reports a false -Wrestrict there
  name += std::to_string(party);
  name += ".json";
  return o.out / name;
}

}  // namespace secinfer::apps
