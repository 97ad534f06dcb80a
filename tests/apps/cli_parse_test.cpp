// The command line parsed in-process (apps::parse_command_line has no side effects).
#include <catch2/catch.hpp>

#include "apps/build_features.h"
#include "apps/cli.h"
#include "apps/local.h"
#include "apps/microbench.h"
#include "apps/options.h"

namespace secinfer::apps {
namespace {

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
  CHECK(o.workload == "model");
  CHECK(o.threads >= 1);
  CHECK(o.backend == (cuda_built() && cuda_device_count() > 0 ? "cuda" : "cpu"));
  CHECK(o.out == std::filesystem::path("results/bert-base-s512-b8-" + o.system));
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
  CHECK(o.system == "sigma");
  CHECK_FALSE(o.padding);
  CHECK(o.backend == "cpu");
  CHECK(o.runs == 3);
  CHECK(o.warmup == 0);
  CHECK(o.threads == 4);
  CHECK(o.out == "o");
  CHECK(o.connect_timeout_s == 2.5);
  CHECK(o.io_timeout_s == 9);
  CHECK(o.dealer == "inline");
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
      {{"local", "--gpu", "0,"}, "--gpu 0,: expected a CUDA device number (0, 1, ...) or two"},
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
  CHECK(lnb.run.workload == "netbench");
  CHECK(lnb.run.netbench_bytes == 1048576);
  CHECK(lnb.run.netbench_rounds == 10);
  CHECK(lnb.run.out == "results/netbench-1048576B-r10");

  const Invocation nb = parse({"netbench", "--bytes", "64", "--rounds", "3"});
  CHECK(nb.command == Command::kLocal);
  CHECK(nb.run.workload == "netbench");
  const Invocation nb1 = parse({"netbench", "--party", "1", "--bytes", "64"});
  CHECK(nb1.command == Command::kRun);
  CHECK(nb1.run.party == 1);
  CHECK(nb1.run.workload == "netbench");

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

TEST_CASE("--lookup selects the fusefss interval lookup and is part of the shared config",
          "[apps][cli]") {
  // Default: shared-mask, recorded in the shared config (handshake hash) and the summary.
  const RunOptions d = parse({"--party", "0", "--system", "fusefss"}).run;
  CHECK(d.lookup == "shared-mask");
  CHECK(shared_config(d)["lookup"] == "shared-mask");
  CHECK(d.out == "results/bert-base-s128-b1-fusefss");
  const RunOptions pc =
      parse({"run", "--party", "1", "--system", "fusefss", "--lookup", "per-cut"}).run;
  CHECK(pc.lookup == "per-cut");
  CHECK(shared_config(pc)["lookup"] == "per-cut");
  CHECK(config_hash(pc) != config_hash(d));  // parties that disagree are refused at connect
  CHECK(make_hello(pc).config_summary.find("lookup=per-cut") != std::string::npos);
  CHECK(pc.out == "results/bert-base-s128-b1-fusefss-percut");  // never overwrites the default
  CHECK(parse({"--party", "0", "--lookup", "shared-mask"}).run.lookup == "shared-mask");

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
    CHECK(child.run.lookup == "per-cut");
    CHECK(shared_config(child.run) == shared_config(l));
  }
  const RunOptions mb = parse({"microbench", "--gate", "gelu", "--system", "fusefss", "--lookup",
                               "per-cut", "--n", "1024"})
                            .run;
  CHECK(mb.lookup == "per-cut");
  CHECK(shared_config(mb)["lookup"] == "per-cut");
  const Invocation mchild =
      parse_command_line(microbench_party_command_line(mb, 0, 4567, "secinfer"));
  CHECK(mchild.run.lookup == "per-cut");
  CHECK(shared_config(mchild.run) == shared_config(mb));

  const std::string e = usage_error({"--party", "0", "--lookup", "table"});
  CHECK(e.find("--lookup") != std::string::npos);
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
  CHECK(inv.run.dealer == "file");
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
