#include "apps/deal_cmd.h"

#include <spdlog/spdlog.h>
#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "apps/exit_codes.h"
#include "apps/model_workload.h"
#include "models/key_files.h"
#include "models/runner.h"
#include "profiling/atomic_file.h"
#include "profiling/build_info.h"

namespace secinfer::apps {

namespace {

void fill_os_random(std::uint8_t* p, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::getrandom(p + got, n - got, 0);
    if (r > 0) {
      got += static_cast<std::size_t>(r);
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // ENOSYS and the like: /dev/urandom below
    }
  }
  if (got == n) return;
  std::ifstream in("/dev/urandom", std::ios::binary);
  in.read(reinterpret_cast<char*>(p), static_cast<std::streamsize>(n));
  if (in.gcount() != static_cast<std::streamsize>(n))
    throw std::runtime_error(
        "cannot read the OS random number generator (getrandom(2) and /dev/urandom both "
        "failed): pass --seed N for a reproducible (test-only) deal");
}

std::uint64_t seed_deal_id(std::uint64_t seed) {
  // A public function of the public --seed: the same deal id for the same reproducible deal.
  std::uint64_t h = 14695981039346656037ull;
  const std::string text = "secinfer deal, --seed " + std::to_string(seed);
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

fss::Block os_random_block() {
  std::uint8_t b[16];
  fill_os_random(b, sizeof b);
  fss::Block out;
  std::memcpy(&out.lo, b, 8);
  std::memcpy(&out.hi, b + 8, 8);
  return out;
}

int run_deal(const RunOptions& opt) {
  if (!opt.padding && opt.system == models::System::kFuseFss)
    spdlog::warn("--padding off: keys for the INSECURE ablation (gate shapes depend on masks)");
  models::RunOptions m = to_model_options(opt);
  m.party = 0;
  const std::size_t vocab = static_cast<std::size_t>(opt.vocab);
  fss::Block seed;
  std::uint64_t deal_id = 0;
  std::string seed_policy;
  if (opt.seed_given) {
    seed = models::dealer_seed(opt.seed);  // an inline run with this --seed gets the same keys
    deal_id = seed_deal_id(opt.seed);
    seed_policy = "--seed " + std::to_string(opt.seed) +
                  " (reproducible: anyone who knows the seed can derive every mask; tests and "
                  "benchmarks only)";
  } else {
    seed = os_random_block();
    const fss::Block id = os_random_block();
    deal_id = id.lo;
    seed_policy = "OS CSPRNG (getrandom(2)): a fresh 128-bit dealer seed, never written anywhere";
  }
  const std::string summary = models::key_stream_summary(m, vocab);
  spdlog::info("deal: {}", summary);
  spdlog::info("deal: dealer seed from {}", seed_policy);
  const models::DealResult r = models::deal_model_keys(m, vocab, seed, deal_id, opt.key_dir);
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(r.deal_id));

  nlohmann::json j;
  j["config"] = models::key_stream_config(m, vocab);
  j["config_hash"] = models::key_stream_hash(m, vocab);
  j["config_summary"] = summary;
  j["seed_policy"] = seed_policy;
  if (opt.seed_given) j["seed"] = opt.seed;
  j["deal_id"] = id;
  j["files"] = {{"p0", r.files[0].filename().string()}, {"p1", r.files[1].filename().string()}};
  j["key_bytes"] = {{"p0", r.key_bytes[0]}, {"p1", r.key_bytes[1]}};
  j["deal_ms"] = r.ms;
  j["secinfer"] =
      std::string(profiling::build_version()) + " (" + std::string(profiling::build_commit()) + ")";
  const std::filesystem::path info = opt.key_dir / "deal.json";
  profiling::write_file_atomic(info, j.dump(2) + "\n");

  std::cout << "deal " << id << ": " << summary << "\n"
            << "seed: " << seed_policy << "\n"
            << "p0: " << r.files[0].string() << " (" << r.key_bytes[0] << " key bytes)\n"
            << "p1: " << r.files[1].string() << " (" << r.key_bytes[1] << " key bytes)\n"
            << "in " << r.ms << " ms; " << info.string() << "\n"
            << "run the parties with --dealer file --key-dir " << opt.key_dir.string()
            << " and the same settings (each party needs only its own file)\n";
  std::cout.flush();
  return kExitOk;
}

}  // namespace secinfer::apps
