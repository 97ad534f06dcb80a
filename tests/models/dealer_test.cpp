// The separate dealer (deal_model_keys, key_files.h): key files give the inline dealer's outputs
// and stream sizes bit for bit, under both schedules; bad key files are refused by both parties.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <tuple>

#include "fss/engine/key_stream.h"
#include "models/key_files.h"
#include "models/runner.h"
#include "tests/models/two_party.h"

using namespace secinfer;
using namespace secinfer::models;
namespace fs = std::filesystem;

namespace {

struct Dir {
  Dir() {
    std::random_device rd;
    path = fs::temp_directory_path() /
           ("secinfer-dealer-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path);
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

RunOptions tiny(Schedule s) {
  RunOptions o;
  o.model = "bert-tiny";
  o.seq = 8;
  o.system = System::kSigma;
  o.runs = 1;
  o.warmup = 1;
  o.seed = 5;
  o.schedule = s;
  o.protocol_version = 2;
  return o;
}

// The message of the exception a two-party run throws (party 0's first), "" if none.
std::string failure_of(const RunOptions& o) {
  try {
    (void)test::run_both_parties(o);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("key files from deal_model_keys run like the inline dealer, bit for bit",
          "[models][secure][dealer]") {
  // Sigma under both schedules, and fusefss (every gate of its key stream, the fused lookups'
  // wide-leaf DPF keys among them, through the files).
  for (const auto& [s, once, system] :
       {std::tuple{Schedule::kLayerByLayer, true, System::kSigma},
        std::tuple{Schedule::kKeysFirst, true, System::kSigma},
        std::tuple{Schedule::kLayerByLayer, false, System::kSigma},
        std::tuple{Schedule::kLayerByLayer, true, System::kFuseFss}}) {
    INFO(schedule_name(s) << (once ? ", weights masked once" : ", weights masked every run")
                          << (system == System::kFuseFss ? ", fusefss" : ", sigma"));
    Dir dir;
    RunOptions o = tiny(s);
    o.weights_once = once;
    o.system = system;
    const DealResult d = deal_model_keys(o, 0, dealer_seed(o.seed), 42, dir.path);
    CHECK(fs::exists(dir.path / "p0.keys"));
    CHECK(fs::exists(dir.path / "p1.keys"));
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path)) ++entries;
    CHECK(entries == 2);  // no partial files left behind

    const test::TwoResults inline_run = test::run_both_parties(o);
    RunOptions f = o;
    f.dealer = models::Dealer::kFile;
    f.key_dir = dir.path;
    const test::TwoResults file_run = test::run_both_parties(f);
    test::check_bit_identical(file_run, 8 * 128);
    CHECK(file_run.r[0].output == inline_run.r[0].output);
    for (int p = 0; p < 2; ++p) {
      CHECK(file_run.r[p].key_bytes_per_run == inline_run.r[p].key_bytes_per_run);
      CHECK(file_run.r[p].model_input_key_bytes == inline_run.r[p].model_input_key_bytes);
      // The model input (the weight masks, once), then warm-up + 1 run.
      CHECK(d.key_bytes[p] ==
            inline_run.r[p].model_input_key_bytes + 2 * inline_run.r[p].key_bytes_per_run);
    }
  }
}

TEST_CASE("bad key files are refused by both parties, naming the problem and the fix",
          "[models][dealer]") {
  Dir dir;
  RunOptions o = tiny(Schedule::kLayerByLayer);
  o.warmup = 0;
  const fs::path good = dir.path / "good";
  (void)deal_model_keys(o, 0, dealer_seed(1), 1, good);
  RunOptions f = o;
  f.dealer = models::Dealer::kFile;
  auto fresh = [&](const std::string& name) {
    const fs::path d = dir.path / name;
    fs::create_directories(d);
    for (const char* n : {"p0.keys", "p1.keys"}) fs::copy_file(good / n, d / n);
    f.key_dir = d;
    return d;
  };

  SECTION("truncated") {
    const fs::path d = fresh("truncated");
    fs::resize_file(d / "p0.keys", fs::file_size(d / "p0.keys") / 2);
    const std::string why = failure_of(f);
    INFO(why);
    CHECK(why.find("truncated") != std::string::npos);
    CHECK(why.find("secinfer deal --model bert-tiny --seq 8") != std::string::npos);
  }
  SECTION("one flipped byte") {
    const fs::path d = fresh("flipped");
    std::fstream io(d / "p1.keys", std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(static_cast<std::streamoff>(fs::file_size(d / "p1.keys") / 2));
    const char c = static_cast<char>(io.get());
    io.seekp(static_cast<std::streamoff>(fs::file_size(d / "p1.keys") / 2));
    io.put(static_cast<char>(c ^ 0x10));
    io.close();
    const std::string why = failure_of(f);
    INFO(why);
    CHECK(why.find("party 1 refused its key file") != std::string::npos);  // party 0's view
  }
  SECTION("the other party's file") {
    const fs::path d = fresh("swapped");
    fs::copy_file(d / "p1.keys", d / "p0.keys", fs::copy_options::overwrite_existing);
    const std::string why = failure_of(f);
    INFO(why);
    CHECK(why.find("holds the keys of party 1") != std::string::npos);
  }
  SECTION("another setting") {
    f.seq = 4;
    f.key_dir = good;
    const std::string why = failure_of(f);
    INFO(why);
    CHECK(why.find("another configuration") != std::string::npos);
    CHECK(why.find("seq=8") != std::string::npos);
    CHECK(why.find("--seq 4") != std::string::npos);
  }
  SECTION("files of two deals") {
    const fs::path d = fresh("mixed");
    (void)deal_model_keys(o, 0, dealer_seed(2), 2, dir.path / "other");
    fs::copy_file(dir.path / "other" / "p1.keys", d / "p1.keys",
                  fs::copy_options::overwrite_existing);
    const std::string why = failure_of(f);
    INFO(why);
    CHECK(why.find("different deals") != std::string::npos);
  }
  SECTION("no key files") {
    f.key_dir = dir.path / "none";
    const std::string why = failure_of(f);
    INFO(why);
    CHECK(why.find("no key file") != std::string::npos);
  }
}

TEST_CASE("a deal that fails leaves no key file behind", "[models][dealer]") {
  Dir dir;
  RunOptions o = tiny(Schedule::kLayerByLayer);
  o.warmup = 0;
  fs::create_directories(dir.path / "p1.keys" / "in-the-way");  // p1.keys cannot take its name
  CHECK_THROWS(deal_model_keys(o, 0, dealer_seed(1), 1, dir.path));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(dir.path)) left.push_back(e.path().filename());
  CHECK(left == std::vector<std::string>{"p1.keys"});  // only the folder that was in the way
  CHECK_FALSE(fs::exists(dir.path / "p0.keys"));
}
