// The command line parsed in-process (apps::parse_command_line has no side effects).
#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>

#include "apps/build_features.h"
#include "apps/cli.h"
#include "apps/local.h"
#include "apps/microbench.h"
#include "apps/model_workload.h"
#include "apps/options.h"
#include "models/key_files.h"

namespace secinfer::apps {
namespace {

using models::Backend;
using models::Dealer;
using models::FuseAct;
using models::Lookup;
using models::SigmaLut;
using models::SigmaShares;
using models::System;
using models::Workload;

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
  return "<accepted>";
}

TEST_CASE("flags without a subcommand mean `run`, exactly as in the docs", "[apps][cli]") {
  const Invocation inv = parse({"--party", "0", "--model", "bert", "--seq", "512", "--batch", "8"});
  REQUIRE(inv.command == Command::kRun);
  const RunOptions& o = inv.run;
  CHECK(o.party == 0);
  CHECK(o.model == "bert-base");
  CHECK(o.seq == 512);
  CHECK(o.batch == 8);
  CHECK(o.peer.host == "127.0.0.1");
  CHECK(o.peer.port == 7000);
  CHECK(o.runs == 5);
  CHECK(o.warmup == 1);
  CHECK(o.padding);
  CHECK(o.workload == Workload::kModel);
  // The default peer is on this host: the other party process computes beside this one, so each
  // takes half of the hardware threads, as under `local`.
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  CHECK(o.threads == static_cast<int>(std::max(1u, hw / 2)));
  CHECK(o.backend == (cuda_built() && cuda_device_count() > 0 ? Backend::kCuda : Backend::kCpu));
  CHECK(o.out == std::filesystem::path("results/bert-base-s512-b8-" + to_string(o.system)));
}

TEST_CASE("run flags are all parsed", "[apps][cli]") {
  const Invocation inv = parse({"run",
                                "--party",
                                "1",
                                "--peer",
                                "10.0.0.2:7100",
                                "--model",
                                "gpt2",
                                "--seq",
                                "128",
                                "--batch",
                                "2",
                                "--system",
                                "sigma",
                                "--padding",
                                "off",
                                "--backend",
                                "cpu",
                                "--runs",
                                "3",
                                "--warmup",
                                "0",
                                "--threads",
                                "4",
                                "--out",
                                "o",
                                "--connect-timeout",
                                "2.5",
                                "--io-timeout",
                                "9",
                                "--dealer",
                                "inline",
                                "--key-dir",
                                "keys",
                                "--seed",
                                "77"});
  REQUIRE(inv.command == Command::kRun);
  const RunOptions& o = inv.run;
  CHECK(o.party == 1);
  CHECK(o.peer.host == "10.0.0.2");
  CHECK(o.peer.port == 7100);
  CHECK(o.model == "gpt2");
  CHECK(o.system == System::kSigma);
  CHECK_FALSE(o.padding);
  CHECK(o.backend == Backend::kCpu);
  CHECK(o.runs == 3);
  CHECK(o.warmup == 0);
  CHECK(o.threads == 4);
  CHECK(o.out == "o");
  CHECK(o.connect_timeout_s == 2.5);
  CHECK(o.io_timeout_s == 9);
  CHECK(o.dealer == Dealer::kInline);
  CHECK(o.key_dir == "keys");
  CHECK(o.seed == 77);
  CHECK(shared_config(o)["padding"] == "off");
}

TEST_CASE("the default output folder names the setting; padding off never overwrites it",
          "[apps][cli]") {
  CHECK(parse({"--party", "0", "--model", "gpt2", "--seq", "64", "--system", "sigma"}).run.out ==
        "results/gpt2-s64-b1-sigma");
  CHECK(parse({"--party", "0", "--model", "gpt2", "--seq", "64", "--system", "fusefss", "--padding",
               "off"})
            .run.out == "results/gpt2-s64-b1-fusefss-padoff");
  CHECK(parse({"--party", "0", "--model", "gpt2", "--seq", "64", "--system", "fusefss", "--lookup",
               "per-cut", "--fusefss-act", "precise", "--padding", "off"})
            .run.out == "results/gpt2-s64-b1-fusefss-percut-precise-padoff");
}

TEST_CASE("bad flags are refused with a message naming the flag", "[apps][cli]") {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"--party", "0", "--seq", "0"}, "--seq: must be >= 1 (got 0)"},
      {{"--party", "0", "--batch", "0"}, "--batch: must be >= 1"},
      {{"--party", "0", "--runs", "0"}, "--runs: must be >= 1"},
      {{"--party", "0", "--warmup", "-1"}, "--warmup: must be >= 0"},
      {{"--party", "2"}, "--party"},
      {{"--party", "x"}, "--party"},
      {{"--seq", "8"}, "--party is required"},
      {{"--party", "0", "--system", "aby"}, "--system"},
      {{"--party", "0", "--padding", "maybe"}, "--padding"},
      {{"--party", "0", "--backend", "tpu"}, "--backend"},
      {{"--party", "0", "--gpu", "x"}, "--gpu x: expected a CUDA device number"},
      {{"--party", "0", "--gpu", "-1"}, "--gpu -1: expected a CUDA device number"},
      {{"--party", "0", "--gpu", "0,1"}, "N,M is for `secinfer local`"},
      {{"microbench", "--party", "0", "--gpu", "0,1"}, "N,M is for `secinfer local`"},
      {{"microbench", "--gpu", "1,x"}, "--gpu 1,x: expected a CUDA device number (0, 1, ...) or"},
      {{"local", "--gpu", "0,"}, "--gpu 0,: expected a CUDA device number (0, 1, ...) or two"},
      {{"--party", "0", "--gate-vectors", "gpu"}, "--gate-vectors"},
      {{"--party", "0", "--gpu-wait", "sleep"}, "--gpu-wait"},
      {{"--party", "0", "--model", "resnet"}, "unknown model \"resnet\""},
      {{"--party", "0", "--model", "bert", "--seq", "100000"}, "--seq"},
      {{"--party", "0", "--peer", "localhost"}, "--peer: bad peer address"},
      {{"--party", "0", "--peer", "h:99999"}, "1..65535"},
      {{"--party", "0", "--connect-timeout", "0"}, "--connect-timeout"},
      {{"--party", "0", "--connect-timeout", "inf"}, "at most 1000000 seconds"},
      {{"--party", "0", "--connect-timeout", "1e300"}, "at most 1000000 seconds"},
      {{"--party", "0", "--io-timeout", "1e17"}, "at most 1000000 seconds"},
      {{"frobnicate"}, "unknown subcommand \"frobnicate\""},
      {{"local", "--peer", "127.0.0.1:24001"}, "--peer"},
      {{"local", "--bind", "127.0.0.1"}, "--bind"},
      {{"--party", "0", "--workload", "netbench", "--dealer", "file", "--key-dir", "k"},
       "only model runs (--workload model) read key files"},
      {{"deal", "--model", "bert-tiny"}, "--key-dir is required"},
      {{"deal", "--model", "bert-base", "--seq", "100000", "--key-dir", "k"}, "--seq"},
      {{"frobnicate", "--party", "1"}, "unknown subcommand \"frobnicate\""},
      {{"--party", "0", "--dealer", "file"}, "--dealer file needs --key-dir"},
      {{"--party", "0", "--frobnicate"}, "--frobnicate"},
      {{"local", "--party", "0"}, "--party"},
      {{"merge", "only_one.json"}, "P1"},
      {{}, "no subcommand given"},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    INFO("secinfer " << joined);
    const std::string m = usage_error(c.args);
    INFO(m);
    CHECK(m != "<accepted>");
    CHECK(m.find(c.expect) != std::string::npos);
  }
  if (!cuda_built()) {
    CHECK(usage_error({"--party", "0", "--backend", "cuda"}).find("no CUDA backend") !=
          std::string::npos);
    CHECK(usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--backend", "cuda"})
              .find("no CUDA backend") != std::string::npos);
  } else if (cuda_device_count() == 0) {
    CHECK(usage_error({"--party", "0", "--backend", "cuda"}).find("no CUDA device is visible") !=
          std::string::npos);
    CHECK(usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--backend", "cuda"})
              .find("no CUDA device is visible") != std::string::npos);
  } else {
    // Built and a device present: accepted for models and for the microbench (the gates run on
    // the GPU through the party's accelerator).
    CHECK(usage_error({"--party", "0", "--backend", "cuda"}) == "<accepted>");
    CHECK(usage_error({"microbench", "--gate", "gelu", "--system", "sigma", "--backend", "cuda"}) ==
          "<accepted>");
  }
}

TEST_CASE("local, netbench and merge subcommands", "[apps][cli]") {
  const Invocation local = parse({"local", "--model", "bert-tiny", "--seq", "32"});
  CHECK(local.command == Command::kLocal);
  CHECK(local.run.party == -1);
  CHECK(local.run.model == "bert-tiny");

  const Invocation lnb =
      parse({"local", "--workload", "netbench", "--bytes", "1048576", "--rounds", "10"});
  CHECK(lnb.command == Command::kLocal);
  CHECK(lnb.run.workload == Workload::kNetbench);
  CHECK(lnb.run.netbench_bytes == 1048576);
  CHECK(lnb.run.netbench_rounds == 10);
  CHECK(lnb.run.out == "results/netbench-1048576B-r10");

  const Invocation nb = parse({"netbench", "--bytes", "64", "--rounds", "3"});
  CHECK(nb.command == Command::kLocal);
  CHECK(nb.run.workload == Workload::kNetbench);
  const Invocation nb1 = parse({"netbench", "--party", "1", "--bytes", "64"});
  CHECK(nb1.command == Command::kRun);
  CHECK(nb1.run.party == 1);
  CHECK(nb1.run.workload == Workload::kNetbench);

  const Invocation m = parse({"merge", "a/p0.json", "a/p1.json"});
  CHECK(m.command == Command::kMerge);
  CHECK(m.merge.out == "a/breakdown_merged.json");
  CHECK(parse({"merge", "x.json", "y.json", "-o", "z.json"}).merge.out == "z.json");
}

TEST_CASE("--help and --version print and succeed", "[apps][cli]") {
  const Invocation h = parse({"--help"});
  CHECK(h.command == Command::kHelp);
  CHECK(h.text.find("Subcommands") != std::string::npos);
  // scripts/demo.sh detects a CUDA build by grepping this text for "cuda".
  CHECK((h.text.find("cuda") != std::string::npos) == cuda_built());
  const Invocation rh = parse({"run", "--help"});
  CHECK(rh.text.find("--party") != std::string::npos);
  CHECK(rh.text.find("bert-base") != std::string::npos);
  CHECK(rh.text.find("Exit status") != std::string::npos);
  // Each subcommand's help ends with its own footer, not the top-level one.
  const Invocation mh = parse({"merge", "--help"});
  CHECK(mh.text.find("4 merge refused") != std::string::npos);
  CHECK(mh.text.find("Flags given without a subcommand") == std::string::npos);
  CHECK(parse({"local", "--help"}).text.find("128+N") != std::string::npos);
  CHECK(parse({"--version"}).text.find("secinfer") != std::string::npos);
}

TEST_CASE("the config hash covers shared settings only", "[apps][cli]") {
  const RunOptions a = parse({"--party", "0", "--model", "bert", "--seq", "128"}).run;
  const RunOptions b = parse({"--party", "1", "--model", "bert-base", "--seq", "128", "--peer",
                              "10.1.1.1:9", "--threads", "3", "--out", "elsewhere"})
                           .run;
  CHECK(config_hash(a) == config_hash(b));
  CHECK(shared_config(a) == shared_config(b));
  for (const std::vector<std::string>& diff : {std::vector<std::string>{"--seq", "256"},
                                               {"--batch", "2"},
                                               {"--system", "sigma"},
                                               {"--padding", "off"},
                                               {"--lookup", "per-cut"},
                                               {"--fusefss-act", "precise"},
                                               {"--runs", "4"},
                                               {"--warmup", "2"},
                                               {"--seed", "5"},
                                               {"--model", "gpt2"}}) {
    std::vector<std::string> args = {"--party", "1", "--model", "bert", "--seq", "128"};
    args.insert(args.end(), diff.begin(), diff.end());
    INFO(diff[0]);
    CHECK(config_hash(parse(args).run) != config_hash(a));
  }
  CHECK(make_hello(a).config_summary.find("seq=128") != std::string::npos);
}

TEST_CASE("--sigma-lut selects sigma's table lookups and is part of the shared config",
          "[apps][cli]") {
  // Default: SIGMA's own lookup, recorded (handshake hash, summary, key files).
  const RunOptions d = parse({"--party", "0", "--system", "sigma"}).run;
  CHECK(d.sigma_lut == SigmaLut::kSigma);
  CHECK(shared_config(d)["sigma_lut"] == "sigma");
  const RunOptions nb = parse({"--party", "0", "--system", "sigma", "--sigma-lut", "nbit"}).run;
  CHECK(nb.sigma_lut == SigmaLut::kNbit);
  CHECK(shared_config(nb)["sigma_lut"] == "nbit (improved sigma)");
  CHECK(config_hash(nb) != config_hash(d));  // parties that disagree are refused at connect
  CHECK(make_hello(nb).config_summary.find("sigma_lut=nbit (improved sigma)") != std::string::npos);
  CHECK(nb.out == "results/bert-base-s128-b1-sigma-nbitlut");  // never overwrites the default
  CHECK(models::key_stream_config(to_model_options(nb), 0)["sigma_lut"] == "nbit");
  CHECK(models::key_stream_hash(to_model_options(nb), 0) !=
        models::key_stream_hash(to_model_options(d), 0));
  // fusefss has no such lookup: ignored, recorded as n/a.
  const RunOptions f1 = parse({"--party", "0", "--system", "fusefss", "--sigma-lut", "nbit"}).run;
  const RunOptions f2 = parse({"--party", "0", "--system", "fusefss"}).run;
  CHECK(shared_config(f1)["sigma_lut"] == "n/a");
  CHECK(config_hash(f1) == config_hash(f2));
  // local passes it to both children; a bad value names the choices.
  const RunOptions l =
      parse({"local", "--model", "bert-tiny", "--system", "sigma", "--sigma-lut", "nbit"}).run;
  for (int p = 0; p < 2; ++p) {
    const Invocation child = parse_command_line(party_command_line(l, p, 4567, "secinfer"));
    CHECK(child.run.sigma_lut == SigmaLut::kNbit);
    CHECK(shared_config(child.run) == shared_config(l));
  }
  CHECK_THROWS_WITH(parse({"--party", "0", "--sigma-lut", "fast"}), Catch::Contains("nbit"));
}

TEST_CASE("--sigma-shares selects how sigma's keys store shares and is part of the shared config",
          "[apps][cli]") {
  // Default: SIGMA's words; packed is "improved sigma", with its own results folder and key hash.
  const RunOptions d = parse({"--party", "0", "--system", "sigma"}).run;
  CHECK(d.sigma_shares == SigmaShares::kWords);
  CHECK(shared_config(d)["sigma_shares"] == "words");
  CHECK(models::gate_options_for(d).shares == fss::engine::GateOptions::Shares::kWords);
  const RunOptions pk =
      parse({"--party", "0", "--system", "sigma", "--sigma-shares", "packed"}).run;
  CHECK(shared_config(pk)["sigma_shares"] == "packed (improved sigma)");
  CHECK(config_hash(pk) != config_hash(d));
  CHECK(make_hello(pk).config_summary.find("sigma_shares=packed (improved sigma)") !=
        std::string::npos);
  CHECK(pk.out == "results/bert-base-s128-b1-sigma-packed");
  CHECK(models::key_stream_hash(to_model_options(pk), 0) !=
        models::key_stream_hash(to_model_options(d), 0));
  CHECK(models::gate_options_for(pk).shares == fss::engine::GateOptions::Shares::kPacked);
  // fusefss always packs: ignored, recorded as n/a.
  const RunOptions f = parse({"--party", "0", "--system", "fusefss"}).run;
  CHECK(shared_config(f)["sigma_shares"] == "n/a");
  CHECK(models::gate_options_for(f).shares == fss::engine::GateOptions::Shares::kPacked);
  const RunOptions l =
      parse({"local", "--model", "bert-tiny", "--system", "sigma", "--sigma-shares", "packed"}).run;
  for (int p = 0; p < 2; ++p)
    CHECK(parse_command_line(party_command_line(l, p, 4567, "secinfer")).run.sigma_shares ==
          SigmaShares::kPacked);
  CHECK_THROWS_WITH(parse({"--party", "0", "--sigma-shares", "u64"}), Catch::Contains("packed"));
}

TEST_CASE("--lookup selects the fusefss interval lookup and is part of the shared config",
          "[apps][cli]") {
  // Default: shared-mask, recorded in the shared config (handshake hash) and the summary.
  const RunOptions d = parse({"--party", "0", "--system", "fusefss"}).run;
  CHECK(d.lookup == Lookup::kSharedMask);
  CHECK(shared_config(d)["lookup"] == "shared-mask");
  CHECK(d.out == "results/bert-base-s128-b1-fusefss");
  const RunOptions pc =
      parse({"run", "--party", "1", "--system", "fusefss", "--lookup", "per-cut"}).run;
  CHECK(pc.lookup == Lookup::kPerCut);
  CHECK(shared_config(pc)["lookup"] == "per-cut");
  CHECK(config_hash(pc) != config_hash(d));  // parties that disagree are refused at connect
  CHECK(make_hello(pc).config_summary.find("lookup=per-cut") != std::string::npos);
  CHECK(pc.out == "results/bert-base-s128-b1-fusefss-percut");  // never overwrites the default
  CHECK(parse({"--party", "0", "--lookup", "shared-mask"}).run.lookup == Lookup::kSharedMask);

  // sigma has no interval lookup: the flag is ignored and recorded as n/a.
  const RunOptions s1 = parse({"--party", "0", "--system", "sigma", "--lookup", "per-cut"}).run;
  const RunOptions s2 = parse({"--party", "0", "--system", "sigma"}).run;
  CHECK(shared_config(s1)["lookup"] == "n/a");
  CHECK(config_hash(s1) == config_hash(s2));
  CHECK(s1.out == "results/bert-base-s128-b1-sigma");

  // local passes it to both children (model and microbench workloads).
  const RunOptions l =
      parse({"local", "--model", "bert-tiny", "--system", "fusefss", "--lookup", "per-cut"}).run;
  for (int p = 0; p < 2; ++p) {
    const Invocation child = parse_command_line(party_command_line(l, p, 4567, "secinfer"));
    REQUIRE(child.command == Command::kRun);
    CHECK(child.run.lookup == Lookup::kPerCut);
    CHECK(shared_config(child.run) == shared_config(l));
  }
  const RunOptions mb = parse({"microbench", "--gate", "gelu", "--system", "fusefss", "--lookup",
                               "per-cut", "--n", "1024"})
                            .run;
  CHECK(mb.lookup == Lookup::kPerCut);
  CHECK(shared_config(mb)["lookup"] == "per-cut");
  const Invocation mchild =
      parse_command_line(microbench_party_command_line(mb, 0, 4567, "secinfer"));
  CHECK(mchild.run.lookup == Lookup::kPerCut);
  CHECK(shared_config(mchild.run) == shared_config(mb));

  const std::string e = usage_error({"--party", "0", "--lookup", "table"});
  CHECK(e.find("--lookup") != std::string::npos);
}

TEST_CASE("--fusefss-trunc selects fusefss's rescaling truncations and is shared config",
          "[apps][cli]") {
  // Default: the DCF truncations; sigma is another setting in the handshake, the folder and the
  // keys.
  const RunOptions d = parse({"--party", "0", "--system", "fusefss"}).run;
  CHECK(d.fuse_trunc == models::FuseTrunc::kDcf);
  CHECK(shared_config(d)["fusefss_trunc"] == "dcf");
  CHECK(d.out == "results/bert-base-s128-b1-fusefss");
  const RunOptions t =
      parse({"run", "--party", "1", "--system", "fusefss", "--fusefss-trunc", "sigma"}).run;
  CHECK(t.fuse_trunc == models::FuseTrunc::kSigma);
  CHECK(shared_config(t)["fusefss_trunc"] == "sigma");
  CHECK(config_hash(t) != config_hash(d));
  CHECK(make_hello(t).config_summary.find(" fusefss_trunc=sigma ") != std::string::npos);
  CHECK(t.out == "results/bert-base-s128-b1-fusefss-sigmatrunc");
  CHECK(to_model_options(t).fuse_trunc == models::FuseTrunc::kSigma);
  CHECK(to_model_options(d).fuse_trunc == models::FuseTrunc::kDcf);
  CHECK(models::key_stream_hash(to_model_options(t), 0) !=
        models::key_stream_hash(to_model_options(d), 0));
  // sigma's truncations are SIGMA's: ignored, recorded as n/a.
  const RunOptions s = parse({"--party", "0", "--system", "sigma", "--fusefss-trunc", "sigma"}).run;
  CHECK(shared_config(s)["fusefss_trunc"] == "n/a");
  CHECK(config_hash(s) == config_hash(parse({"--party", "0", "--system", "sigma"}).run));
  CHECK(s.out == "results/bert-base-s128-b1-sigma");
  // local passes it to both children.
  const RunOptions l =
      parse({"local", "--model", "bert-tiny", "--system", "fusefss", "--fusefss-trunc", "sigma"})
          .run;
  for (int p = 0; p < 2; ++p) {
    const Invocation child = parse_command_line(party_command_line(l, p, 4567, "secinfer"));
    CHECK(child.run.fuse_trunc == models::FuseTrunc::kSigma);
  }
  const RunOptions m =
      parse({"run", "--party", "1", "--system", "fusefss", "--fusefss-trunc", "dcf-max"}).run;
  CHECK(m.fuse_trunc == models::FuseTrunc::kDcfMax);
  CHECK(shared_config(m)["fusefss_trunc"] == "dcf-max");
  CHECK(m.out == "results/bert-base-s128-b1-fusefss-dcfmax");
  CHECK(config_hash(m) != config_hash(d));
  CHECK_THROWS_WITH(parse({"--party", "0", "--fusefss-trunc", "bogus"}),
                    Catch::Contains("--fusefss-trunc"));
}

TEST_CASE("--fusefss-act selects fusefss's GELU/SiLU after a truncation and is shared config",
          "[apps][cli]") {
  // Default: fused, recorded in the shared config (handshake hash), the summary and the key files.
  const RunOptions d = parse({"--party", "0", "--system", "fusefss"}).run;
  CHECK(d.fuse_act == FuseAct::kFused);
  CHECK(shared_config(d)["fusefss_act"] == "fused");
  CHECK(make_hello(d).config_summary.find(" fusefss_act=fused ") != std::string::npos);
  CHECK(d.out == "results/bert-base-s128-b1-fusefss");
  const RunOptions pr =
      parse({"run", "--party", "1", "--system", "fusefss", "--fusefss-act", "precise"}).run;
  CHECK(pr.fuse_act == FuseAct::kPrecise);
  CHECK(shared_config(pr)["fusefss_act"] == "precise");
  CHECK(config_hash(pr) != config_hash(d));  // parties that disagree are refused at connect
  CHECK(make_hello(pr).config_summary.find("lookup=shared-mask fusefss_act=precise") !=
        std::string::npos);
  CHECK(pr.out == "results/bert-base-s128-b1-fusefss-precise");  // never overwrites the default
  CHECK(parse({"--party", "0", "--fusefss-act", "fused"}).run.fuse_act == FuseAct::kFused);
  CHECK(to_model_options(pr).fuse_act == FuseAct::kPrecise);
  // fused-flag: the fused gate with its table's carry an XOR flag, a setting of its own.
  const RunOptions fl =
      parse({"run", "--party", "0", "--system", "fusefss", "--fusefss-act", "fused-flag"}).run;
  CHECK(fl.fuse_act == FuseAct::kFusedFlag);
  CHECK(shared_config(fl)["fusefss_act"] == "fused-flag");
  CHECK(config_hash(fl) != config_hash(d));
  CHECK(fl.out == "results/bert-base-s128-b1-fusefss-fusedflag");
  CHECK(models::key_stream_hash(to_model_options(fl), 0) !=
        models::key_stream_hash(to_model_options(d), 0));
  // Key files of one setting are refused by a run of the other (the key stream's config hash).
  CHECK(models::key_stream_config(to_model_options(pr), 0)["fusefss_act"] == "precise");
  CHECK(models::key_stream_config(to_model_options(d), 0)["fusefss_act"] == "fused");
  CHECK(models::key_stream_hash(to_model_options(pr), 0) !=
        models::key_stream_hash(to_model_options(d), 0));
  CHECK(models::key_stream_summary(to_model_options(pr), 0).find("fusefss_act=precise") !=
        std::string::npos);

  // sigma has no fused truncation + activation: the flag is ignored and recorded as n/a.
  const RunOptions s1 =
      parse({"--party", "0", "--system", "sigma", "--fusefss-act", "precise"}).run;
  const RunOptions s2 = parse({"--party", "0", "--system", "sigma"}).run;
  CHECK(shared_config(s1)["fusefss_act"] == "n/a");
  CHECK(config_hash(s1) == config_hash(s2));
  CHECK(s1.out == "results/bert-base-s128-b1-sigma");
  CHECK(models::key_stream_hash(to_model_options(s1), 0) ==
        models::key_stream_hash(to_model_options(s2), 0));

  // local passes it to both children (model and microbench workloads).
  const RunOptions l =
      parse({"local", "--model", "bert-tiny", "--system", "fusefss", "--fusefss-act", "precise"})
          .run;
  for (int p = 0; p < 2; ++p) {
    const Invocation child = parse_command_line(party_command_line(l, p, 4567, "secinfer"));
    REQUIRE(child.command == Command::kRun);
    CHECK(child.run.fuse_act == FuseAct::kPrecise);
    CHECK(shared_config(child.run) == shared_config(l));
  }
  const RunOptions mb = parse({"microbench", "--gate", "gelu", "--system", "fusefss",
                               "--fusefss-act", "precise", "--n", "1024"})
                            .run;
  CHECK(mb.fuse_act == FuseAct::kPrecise);
  CHECK(shared_config(mb)["fusefss_act"] == "precise");
  CHECK(mb.out == "results/microbench/gelu-fusefss-n1024-precise");
  const Invocation mchild =
      parse_command_line(microbench_party_command_line(mb, 0, 4567, "secinfer"));
  CHECK(mchild.run.fuse_act == FuseAct::kPrecise);
  CHECK(shared_config(mchild.run) == shared_config(mb));

  // deal records it (the key files' config hash above).
  const Invocation dl = parse({"deal", "--model", "bert-tiny", "--seq", "16", "--system", "fusefss",
                               "--fusefss-act", "precise", "--key-dir", "k"});
  REQUIRE(dl.command == Command::kDeal);
  CHECK(dl.run.fuse_act == FuseAct::kPrecise);
  CHECK(models::deal_command(to_model_options(dl.run), 0).find("--fusefss-act precise") !=
        std::string::npos);

  // A bad value names the flag and the choices (exit status 2: the enum flags' test below).
  const std::string e = usage_error({"--party", "0", "--fusefss-act", "exact"});
  CHECK(e.find("--fusefss-act: exact not in {fused,precise,fused-flag,fused-leaf128}") !=
        std::string::npos);
}

TEST_CASE("--gpu picks each party's CUDA device; local passes one to each child", "[apps][cli]") {
  CHECK(parse({"--party", "1", "--backend", "cpu", "--gpu", "3"}).run.gpu == 3);
  const RunOptions both = parse({"local", "--backend", "cpu", "--gpu", "2"}).run;
  const RunOptions each = parse({"local", "--backend", "cpu", "--gpu", "0,1"}).run;
  for (int p = 0; p < 2; ++p) {
    CHECK(parse_command_line(party_command_line(both, p, 4567, "secinfer")).run.gpu == 2);
    const RunOptions child = parse_command_line(party_command_line(each, p, 4567, "secinfer")).run;
    CHECK(child.gpu == p);
    CHECK(shared_config(child) == shared_config(each));  // a party's device is not shared config
  }
  // microbench without --party starts both parties as local does: each on its own device too.
  const RunOptions mb = parse({"microbench", "--backend", "cpu", "--gpu", "0,1"}).run;
  for (int p = 0; p < 2; ++p)
    CHECK(parse_command_line(microbench_party_command_line(mb, p, 4567, "secinfer")).run.gpu == p);
}

TEST_CASE("--gate-vectors: device by default, passed by local to each child, not shared config",
          "[apps][cli]") {
  CHECK(parse({"--party", "1", "--backend", "cpu"}).run.gate_vectors ==
        models::GateVectors::kDevice);
  const RunOptions o = parse({"local", "--backend", "cpu", "--gate-vectors", "host"}).run;
  CHECK(o.gate_vectors == models::GateVectors::kHost);
  for (int p = 0; p < 2; ++p) {
    const RunOptions child = parse_command_line(party_command_line(o, p, 4567, "secinfer")).run;
    CHECK(child.gate_vectors == models::GateVectors::kHost);
    CHECK(shared_config(child) == shared_config(o));
  }
}

TEST_CASE(
    "--gpu-wait: CUDA's heuristic by default, passed by local to each child, not shared "
    "config",
    "[apps][cli]") {
  CHECK(parse({"--party", "1", "--backend", "cpu"}).run.gpu_wait == models::GpuWait::kAuto);
  for (const auto& [text, want] :
       {std::pair{"spin", models::GpuWait::kSpin}, std::pair{"yield", models::GpuWait::kYield},
        std::pair{"block", models::GpuWait::kBlock}}) {
    const RunOptions o = parse({"local", "--backend", "cpu", "--gpu-wait", text}).run;
    CHECK(o.gpu_wait == want);
    for (int p = 0; p < 2; ++p) {
      const RunOptions child = parse_command_line(party_command_line(o, p, 4567, "secinfer")).run;
      CHECK(child.gpu_wait == want);
      CHECK(shared_config(child) == shared_config(o));
    }
  }
}

TEST_CASE("local's child command lines reproduce the shared configuration", "[apps][cli]") {
  const RunOptions o =
      parse({"local", "--workload", "netbench", "--bytes", "4096", "--rounds", "3", "--runs", "2",
             "--warmup", "0", "--padding", "off", "--seed", "9", "--out", "somewhere"})
          .run;
  for (int p = 0; p < 2; ++p) {
    std::vector<std::string> args = party_command_line(o, p, 4567, "secinfer");
    const Invocation child = parse_command_line(args);
    REQUIRE(child.command == Command::kRun);
    CHECK(child.run.party == p);
    CHECK(child.run.peer.port == 4567);
    CHECK(child.run.bind_host == "127.0.0.1");
    CHECK(child.run.out == "somewhere");
    CHECK(shared_config(child.run) == shared_config(o));
  }
}

}  // namespace
}  // namespace secinfer::apps

namespace secinfer::apps {
namespace {

TEST_CASE("deal: the separate dealer's flags; --dealer file for model runs; the inline note",
          "[apps][cli][dealer]") {
  Invocation inv =
      parse_command_line({"secinfer", "deal", "--model", "bert", "--seq", "16", "--system", "sigma",
                          "--runs", "2", "--warmup", "0", "--key-dir", "keys"});
  REQUIRE(inv.command == Command::kDeal);
  CHECK(inv.run.model == "bert-base");
  CHECK(inv.run.seq == 16);
  CHECK(inv.run.runs == 2);
  CHECK(inv.run.key_dir == "keys");
  CHECK_FALSE(inv.run.seed_given);  // the OS CSPRNG
  inv = parse_command_line({"secinfer", "deal", "--seed", "9", "--key-dir", "k"});
  CHECK(inv.run.seed_given);
  CHECK(inv.run.seed == 9);

  inv = parse_command_line({"secinfer", "run", "--party", "1", "--model", "bert-tiny", "--dealer",
                            "file", "--key-dir", "k"});
  CHECK(inv.run.dealer == Dealer::kFile);
  CHECK(inv.run.key_dir == "k");
  inv = parse_command_line({"secinfer", "local", "--dealer", "file", "--key-dir", "k"});
  CHECK(inv.command == Command::kLocal);

  for (const char* sub : {"run", "local"}) {
    inv = parse_command_line({"secinfer", sub, "--help"});
    CHECK(inv.text.find("NOT a private run") != std::string::npos);
    CHECK(inv.text.find("secinfer deal") != std::string::npos);
  }
  inv = parse_command_line({"secinfer", "--help"});
  CHECK(inv.text.find("deal") != std::string::npos);
}

}  // namespace
}  // namespace secinfer::apps

namespace secinfer::apps {
namespace {

// secinfer_main's exit status for a command line (in-process; only parse errors are used here, so
// nothing runs).
int exit_status(std::vector<std::string> args) {
  args.insert(args.begin(), "secinfer");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return secinfer_main(static_cast<int>(argv.size()), argv.data());
}

TEST_CASE("the string-valued flags are parsed once into enums, each name in one table",
          "[apps][cli]") {
  using models::Backend;
  using models::Dealer;
  using models::Lookup;
  using models::Schedule;
  using models::System;
  using models::Workload;
  // Every valid value of every flag, parsed to its enum, and spelled back the same in the logs.
  for (const System s : {System::kSigma, System::kFuseFss}) {
    const RunOptions o = parse({"--party", "0", "--system", to_string(s)}).run;
    CHECK(o.system == s);
    CHECK(shared_config(o)["system"] == to_string(s));
  }
  CHECK(to_string(System::kSigma) == "sigma");
  CHECK(to_string(System::kFuseFss) == "fusefss");
  for (const Lookup l : {Lookup::kSharedMask, Lookup::kPerCut}) {
    const RunOptions o =
        parse({"--party", "0", "--system", "fusefss", "--lookup", to_string(l)}).run;
    CHECK(o.lookup == l);
    CHECK(shared_config(o)["lookup"] == to_string(l));
  }
  CHECK(to_string(Lookup::kSharedMask) == "shared-mask");
  CHECK(to_string(Lookup::kPerCut) == "per-cut");
  for (const FuseAct a : {FuseAct::kFused, FuseAct::kPrecise}) {
    const RunOptions o =
        parse({"--party", "0", "--system", "fusefss", "--fusefss-act", to_string(a)}).run;
    CHECK(o.fuse_act == a);
    CHECK(shared_config(o)["fusefss_act"] == to_string(a));
    CHECK(to_model_options(o).fuse_act == a);
  }
  CHECK(to_string(FuseAct::kFused) == "fused");
  CHECK(to_string(FuseAct::kPrecise) == "precise");
  CHECK(nlohmann::json(FuseAct::kPrecise) == "precise");
  for (const Schedule s : {Schedule::kLayerByLayer, Schedule::kKeysFirst}) {
    const RunOptions o = parse({"--party", "0", "--schedule", to_string(s)}).run;
    CHECK(o.schedule == s);
    CHECK(shared_config(o)["schedule"] == to_string(s));
    CHECK(to_model_options(o).schedule == s);
  }
  CHECK(to_string(Schedule::kLayerByLayer) == "layer-by-layer");
  CHECK(to_string(Schedule::kKeysFirst) == "keys-first");
  CHECK(parse({"--party", "0", "--dealer", "inline"}).run.dealer == Dealer::kInline);
  CHECK(parse({"--party", "0", "--dealer", "file", "--key-dir", "k"}).run.dealer == Dealer::kFile);
  CHECK(to_string(Dealer::kInline) == "inline");
  CHECK(to_string(Dealer::kFile) == "file");
  CHECK(parse({"--party", "0", "--backend", "cpu"}).run.backend == Backend::kCpu);
  CHECK(shared_config(parse({"--party", "0", "--backend", "cpu"}).run)["backend"] == "cpu");
  CHECK(to_string(Backend::kCuda) == "cuda");
  CHECK(parse({"--party", "0", "--workload", "model"}).run.workload == Workload::kModel);
  CHECK(parse({"--party", "0", "--workload", "netbench"}).run.workload == Workload::kNetbench);
  CHECK(parse({"--party", "0", "--workload", "microbench", "--gate", "gelu"}).run.workload ==
        Workload::kMicrobench);
  CHECK(shared_config(parse({"--party", "0", "--workload", "netbench"}).run)["workload"] ==
        "netbench");
  CHECK(parse({"--party", "0", "--padding", "on"}).run.padding);
  CHECK_FALSE(parse({"--party", "0", "--padding", "off"}).run.padding);
  CHECK(models::padding_name(true) == "on");
  CHECK(models::padding_name(false) == "off");
  // from_string is exact; to/from round-trip; JSON writes the name, never the number.
  CHECK(models::from_string<System>("Sigma") == std::nullopt);
  CHECK(models::from_string<Workload>("microbench") == Workload::kMicrobench);
  CHECK(nlohmann::json(Lookup::kPerCut) == "per-cut");
  CHECK(nlohmann::json("keys-first").get<Schedule>() == Schedule::kKeysFirst);
  CHECK(models::enum_names<System>("|") == "sigma|fusefss");

  // The model runner gets the same enums (derived in one function).
  const RunOptions o = parse({"--party", "1", "--system", "sigma", "--lookup", "per-cut",
                              "--dealer", "file", "--key-dir", "k", "--padding", "off"})
                           .run;
  const models::RunOptions m = to_model_options(o);
  CHECK(m.system == System::kSigma);
  CHECK(m.lookup == Lookup::kPerCut);
  CHECK(m.dealer == Dealer::kFile);
  CHECK_FALSE(m.padding);
  CHECK(m.party == 1);

  // A bad value: refused at the CLI with a message naming the flag and the choices, exit status 2.
  struct Bad {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Bad> bad = {
      {{"--party", "0", "--system", "aby"}, "--system: aby not in {sigma,fusefss}"},
      {{"--party", "0", "--lookup", "table"}, "--lookup: table not in {shared-mask,per-cut}"},
      {{"--party", "0", "--fusefss-act", "exact"},
       "--fusefss-act: exact not in {fused,precise,fused-flag,fused-leaf128}"},
      {{"local", "--fusefss-act", "Fused"},
       "--fusefss-act: Fused not in {fused,precise,fused-flag,fused-leaf128}"},
      {{"--party", "0", "--dealer", "remote"}, "--dealer: remote not in {inline,file}"},
      {{"--party", "0", "--schedule", "random"},
       "--schedule: random not in {layer-by-layer,keys-first}"},
      {{"--party", "0", "--backend", "tpu"}, "--backend: tpu not in {cpu,cuda}"},
      {{"--party", "0", "--workload", "train"},
       "--workload: train not in {model,netbench,microbench}"},
      {{"--party", "0", "--padding", "maybe"}, "--padding: maybe not in {on,off}"},
      {{"local", "--system", "SIGMA"}, "--system: SIGMA not in {sigma,fusefss}"},
      {{"microbench", "--lookup", "x"}, "--lookup: x not in {shared-mask,per-cut}"},
      {{"microbench", "--fusefss-act", "x"},
       "--fusefss-act: x not in {fused,precise,fused-flag,fused-leaf128}"},
      {{"deal", "--key-dir", "k", "--fusefss-act", "x"},
       "--fusefss-act: x not in {fused,precise,fused-flag,fused-leaf128}"},
      {{"deal", "--key-dir", "k", "--schedule", "x"}, "--schedule: x not in"},
      {{"deal", "--key-dir", "k", "--system", "x"}, "--system: x not in {sigma,fusefss}"},
  };
  for (const auto& c : bad) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    INFO("secinfer " << joined);
    const std::string m = usage_error(c.args);
    INFO(m);
    CHECK(m.find(c.expect) != std::string::npos);
    CHECK(exit_status(c.args) == 2);
  }
}

// Whether a subcommand's --help lists `flag` among its options ("  --flag TYPE ..." or
// "  -o,--flag ..."), not merely mentions it in a description.
bool lists_flag(const std::string& help, const std::string& flag) {
  return help.find("\n  " + flag + " ") != std::string::npos ||
         help.find("," + flag + " ") != std::string::npos;
}

TEST_CASE("each subcommand lists and accepts only its own flags", "[apps][cli]") {
  // --help lists a subcommand's own flags only.
  const std::string merge_help = parse({"merge", "--help"}).text;
  for (const char* foreign : {"--model", "--system", "--party", "--seq", "--bytes", "--gate"})
    CHECK_FALSE(lists_flag(merge_help, foreign));
  CHECK(lists_flag(merge_help, "--out"));
  CHECK(merge_help.find("--model") == std::string::npos);  // not even mentioned
  const std::string nb_help = parse({"netbench", "--help"}).text;
  for (const char* foreign : {"--model", "--system", "--padding", "--lookup", "--fusefss-act",
                              "--dealer", "--schedule", "--gate", "--weights", "--workload"})
    CHECK_FALSE(lists_flag(nb_help, foreign));
  for (const char* own : {"--bytes", "--rounds", "--party", "--peer", "--runs"})
    CHECK(lists_flag(nb_help, own));
  const std::string mb_help = parse({"microbench", "--help"}).text;
  for (const char* foreign : {"--model", "--seq", "--dealer", "--schedule", "--bytes", "--weights"})
    CHECK_FALSE(lists_flag(mb_help, foreign));
  for (const char* own : {"--gate", "--n", "--system", "--lookup", "--fusefss-act", "--backend"})
    CHECK(lists_flag(mb_help, own));
  const std::string deal_help = parse({"deal", "--help"}).text;
  for (const char* foreign : {"--party", "--peer", "--backend", "--dealer", "--bytes", "--gate"})
    CHECK_FALSE(lists_flag(deal_help, foreign));
  for (const char* own : {"--system", "--padding", "--lookup", "--fusefss-act", "--sigma-lut"})
    CHECK(lists_flag(deal_help, own));
  const std::string run_help = parse({"run", "--help"}).text;
  for (const char* own : {"--model", "--system", "--dealer", "--gate", "--bytes", "--workload",
                          "--lookup", "--fusefss-act"})
    CHECK(lists_flag(run_help, own));
  const std::string local_help = parse({"local", "--help"}).text;
  for (const char* own : {"--lookup", "--fusefss-act"}) CHECK(lists_flag(local_help, own));
  CHECK(run_help.find("+\"-precise\" under fusefss --fusefss-act precise") != std::string::npos);

  // A flag of another subcommand: refused with exit status 2, naming the flag and the subcommand.
  struct Foreign {
    std::vector<std::string> args;
    std::string sub, flag;
  };
  const std::vector<Foreign> cases = {
      {{"merge", "a/p0.json", "a/p1.json", "--model", "bert"}, "merge", "--model"},
      {{"merge", "a/p0.json", "a/p1.json", "--system=sigma"}, "merge", "--system"},
      {{"netbench", "--system", "sigma"}, "netbench", "--system"},
      {{"netbench", "--bytes", "64", "--model", "bert"}, "netbench", "--model"},
      {{"netbench", "--party", "0", "--lookup", "per-cut"}, "netbench", "--lookup"},
      {{"netbench", "--party", "0", "--fusefss-act", "precise"}, "netbench", "--fusefss-act"},
      {{"deal", "--key-dir", "k", "--party", "0"}, "deal", "--party"},
      {{"deal", "--key-dir", "k", "--dealer", "file"}, "deal", "--dealer"},
      {{"deal", "--key-dir", "k", "--backend", "cpu"}, "deal", "--backend"},
      {{"microbench", "--gate", "gelu", "--model", "bert"}, "microbench", "--model"},
      {{"microbench", "--gate", "gelu", "--bytes", "8"}, "microbench", "--bytes"},
      {{"local", "--peer", "127.0.0.1:24001"}, "local", "--peer"},
  };
  for (const auto& c : cases) {
    std::string joined;
    for (const auto& a : c.args) joined += a + " ";
    INFO("secinfer " << joined);
    const std::string m = usage_error(c.args);
    INFO(m);
    CHECK(m.find("`secinfer " + c.sub + "` does not take " + c.flag) != std::string::npos);
    CHECK(exit_status(c.args) == 2);
  }
  CHECK(usage_error({"netbench", "--system", "sigma"})
            .find("a flag of: run, local, microbench, deal") != std::string::npos);
  CHECK(usage_error({"run", "--party", "0", "--frobnicate"}).find("no subcommand has it") !=
        std::string::npos);

  // Each subcommand still takes its own flags (the documented command lines).
  CHECK_NOTHROW(parse({"netbench", "--bytes", "64", "--rounds", "3", "--runs", "2", "--warmup", "0",
                       "--threads", "1", "--out", "o", "--seed", "3", "--log-level", "warn"}));
  CHECK_NOTHROW(parse({"netbench", "--party", "1", "--peer", "10.0.0.1:7000", "--connect-timeout",
                       "5", "--io-timeout", "5"}));
  CHECK_NOTHROW(parse({"microbench", "--gate", "gelu", "--system", "fusefss", "--n", "393216",
                       "--padding", "on", "--backend", "cpu", "--runs", "5", "--warmup", "1"}));
  CHECK_NOTHROW(parse({"deal",    "--model",       "bert-tiny",  "--seq",       "16",   "--batch",
                       "1",       "--system",      "fusefss",    "--padding",   "off",  "--lookup",
                       "per-cut", "--fusefss-act", "precise",    "--runs",      "1",    "--warmup",
                       "0",       "--schedule",    "keys-first", "--vocab",     "0",    "--seed",
                       "3",       "--threads",     "1",          "--log-level", "warn", "--key-dir",
                       "k"}));
  CHECK_NOTHROW(parse({"local", "--model", "bert-base", "--seq", "128", "--batch", "1", "--system",
                       "fusefss", "--padding", "on"}));
  CHECK_NOTHROW(
      parse({"local", "--workload", "netbench", "--bytes", "1048576", "--rounds", "100"}));
  CHECK_NOTHROW(parse({"local", "--model", "bert-tiny", "--seq", "128", "--runs", "3", "--warmup",
                       "0", "--backend", "cpu", "--system", "sigma", "--net", "lan"}));
  CHECK(parse({"--party", "0", "--model", "bert", "--seq", "512", "--batch", "8"}).command ==
        Command::kRun);
  // README.md, scripts/microbench.sh, netbench.sh, run_matrix.sh, gpu_e2e.sh (cpu lines).
  CHECK_NOTHROW(parse({"run", "--party", "0", "--bind", "10.213.0.1"}));
  CHECK_NOTHROW(
      parse({"merge", "results/x/p0.json", "results/x/p1.json", "-o", "breakdown_merged.json"}));
  CHECK_NOTHROW(parse({"local", "--model", "gpt2", "--seq", "8", "--weights",
                       "gpt2/model.safetensors", "--input", "ids.json"}));
  CHECK_NOTHROW(parse({"microbench", "--gate",   "softmax", "--system", "sigma", "--padding",
                       "on",         "--n",      "196608",  "--cols",   "128",   "--backend",
                       "cpu",        "--runs",   "3",       "--warmup", "1",     "--out",
                       "o",          "--lookup", "per-cut"}));
  CHECK_NOTHROW(parse({"netbench", "--bytes", "1048576", "--rounds", "20"}));
  CHECK_NOTHROW(parse({"local",
                       "--model",
                       "bert-tiny",
                       "--seq",
                       "32",
                       "--batch",
                       "1",
                       "--system",
                       "sigma",
                       "--padding",
                       "off",
                       "--runs",
                       "3",
                       "--warmup",
                       "1",
                       "--net",
                       "rate=1Gbit,delay=1ms",
                       "--out",
                       "o",
                       "--backend",
                       "cpu"}));
  CHECK_NOTHROW(parse({"deal", "--model", "bert-tiny", "--seq", "16", "--key-dir", "keys/"}));
}

TEST_CASE("The memory budget: --key-memory takes a size and bounds the model run", "[apps][cli]") {
  // A party's budget: the model run's memory check compares with it (both parties' under local,
  // whose peer is on this host); 0, the default, leaves the host's available memory.
  const RunOptions d = parse({"--party", "0", "--model", "bert-tiny"}).run;
  CHECK(d.key_memory == 0);
  CHECK(to_model_options(d).memory_limit_bytes == 0);
  const RunOptions r = parse({"--party", "0", "--model", "bert-tiny", "--peer", "10.0.0.2:5000",
                              "--key-memory", "512MiB"})
                           .run;
  CHECK(r.key_memory == std::uint64_t{512} << 20);
  CHECK(to_model_options(r).memory_limit_bytes == std::uint64_t{512} << 20);
  CHECK(parse({"--party", "0", "--key-memory", "64GiB"}).run.key_memory == std::uint64_t{64} << 30);
  CHECK(parse({"--party", "0", "--key-memory", "1000"}).run.key_memory == 1000);
  // local hands it to both children, whose loopback peer makes the check count both parties.
  const RunOptions l =
      parse({"local", "--model", "bert-tiny", "--batch", "2", "--key-memory", "3MiB"}).run;
  for (int p = 0; p < 2; ++p) {
    const RunOptions child = parse_command_line(party_command_line(l, p, 4567, "secinfer")).run;
    CHECK(child.key_memory == std::uint64_t{3} << 20);
    CHECK(to_model_options(child).memory_limit_bytes == std::uint64_t{6} << 20);
  }
  // A party's budget, not a protocol choice: the parties may differ (they exchange verdicts).
  CHECK(shared_config(l).dump().find("key_memory") == std::string::npos);
  CHECK_THROWS(parse({"--party", "0", "--key-memory", "lots"}));
}
}  // namespace
}  // namespace secinfer::apps
