// `secinfer deal` and --dealer file end to end (docs/design/separate-dealer.md): a separate
// dealer process writes both key files; two party processes (`secinfer local --dealer file`) give
// the inline dealer's outputs and online bytes; bad key files are refused with the reason and the
// fix, a non-zero exit and nothing but failed logs in --out; the inline dealer says what it is.
#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "apps/exit_codes.h"
#include "process_util.h"

namespace secinfer::apps {
namespace {

using nlohmann::json;
using testing::Process;
using testing::TempDir;
namespace fs = std::filesystem;

json read_json(const fs::path& p) {
  return json::parse(testing::read_file(p));
}

const std::vector<std::string> kSetting = {"--model", "bert-tiny", "--seq", "16",       "--system",
                                           "sigma",   "--runs",    "1",     "--warmup", "0"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

int deal(const fs::path& key_dir, const fs::path& dir, const std::string& name,
         std::vector<std::string> extra = {}) {
  Process p(with(with({"deal"}, kSetting), with({"--key-dir", key_dir.string()}, extra)), dir,
            name);
  const int code = p.wait(std::chrono::seconds(120));
  INFO(p.err() << p.out());
  CHECK(code == 0);
  return code;
}

// `secinfer local` of kSetting (+ extra) into out; returns the process for its status and output.
int local(const fs::path& out, const fs::path& dir, const std::string& name,
          const std::vector<std::string>& extra, std::string* err = nullptr) {
  Process p(with(with({"local"}, kSetting), with({"--threads", "1", "--out", out.string()}, extra)),
            dir, name);
  const int code = p.wait(std::chrono::seconds(180));
  if (err) *err = p.err();
  return code;
}

std::vector<std::uint64_t> run_bytes(const json& log) {
  std::vector<std::uint64_t> v;
  for (const auto& r : log["runs"]) {
    v.push_back(r["totals"]["bytes_sent"].get<std::uint64_t>());
    v.push_back(r["totals"]["rounds"].get<std::uint64_t>());
  }
  return v;
}

TEST_CASE("secinfer deal + --dealer file: the inline dealer's outputs and online bytes",
          "[apps][e2e][dealer]") {
  REQUIRE(fs::exists(testing::secinfer_binary()));
  TempDir dir;
  const fs::path keys = dir.path() / "keys";
  {
    Process d(with(with({"deal"}, kSetting), {"--seed", "7", "--key-dir", keys.string()}),
              dir.path(), "deal");
    REQUIRE(d.wait(std::chrono::seconds(120)) == 0);
    CHECK(d.out().find("--seed 7") != std::string::npos);  // the seed policy is on record
  }
  CHECK(fs::exists(keys / "p0.keys"));
  CHECK(fs::exists(keys / "p1.keys"));
  const json info = read_json(keys / "deal.json");
  CHECK(info["seed"] == 7);
  CHECK(info["config"]["seq"] == 16);
  for (const auto& e : fs::directory_iterator(keys))  // nothing half-written left behind
    CHECK(e.path().filename().string().find("partial") == std::string::npos);

  std::string err;
  const fs::path out_file = dir.path() / "file", out_inline = dir.path() / "inline";
  REQUIRE(local(out_file, dir.path(), "file",
                {"--dealer", "file", "--key-dir", keys.string(), "--seed", "7"}, &err) == 0);
  INFO(err);
  REQUIRE(local(out_inline, dir.path(), "inline", {"--seed", "7"}, &err) == 0);
  const json mf = read_json(out_file / "breakdown_merged.json");
  const json mi = read_json(out_inline / "breakdown_merged.json");
  CHECK(mf["accuracy"]["vs_clear"]["differing"] == 0);
  CHECK(mf["accuracy"]["vs_clear"] == mi["accuracy"]["vs_clear"]);
  CHECK(mf["accuracy"]["vs_float"] == mi["accuracy"]["vs_float"]);  // the same outputs
  for (const char* p : {"p0.json", "p1.json"}) {
    const json lf = read_json(out_file / p), li = read_json(out_inline / p);
    CHECK(run_bytes(lf) == run_bytes(li));
    CHECK(lf["environment"]["dealer_note"].get<std::string>().find("secinfer deal") !=
          std::string::npos);
    CHECK(li["environment"]["dealer_note"].get<std::string>().find("not a private run") !=
          std::string::npos);
  }
  CHECK(err.find("not a private run") != std::string::npos);  // the inline run's info line

  SECTION("without --seed the dealer seed comes from the OS CSPRNG") {
    const fs::path k2 = dir.path() / "keys2";
    Process d(with(with({"deal"}, kSetting), {"--key-dir", k2.string()}), dir.path(), "deal2");
    REQUIRE(d.wait(std::chrono::seconds(120)) == 0);
    CHECK(d.out().find("OS CSPRNG") != std::string::npos);
    const json i2 = read_json(k2 / "deal.json");
    CHECK_FALSE(i2.contains("seed"));
    CHECK(i2["deal_id"] != info["deal_id"]);
    CHECK(testing::read_file(k2 / "p0.keys") != testing::read_file(keys / "p0.keys"));
  }
}

TEST_CASE("bad key files: refused with the reason and the fix, nothing but failed logs",
          "[apps][e2e][dealer]") {
  REQUIRE(fs::exists(testing::secinfer_binary()));
  TempDir dir;
  const fs::path good = dir.path() / "good";
  REQUIRE(deal(good, dir.path(), "deal") == 0);
  auto copy_of = [&](const std::string& name) {
    const fs::path d = dir.path() / name;
    fs::create_directories(d);
    for (const char* n : {"p0.keys", "p1.keys"}) fs::copy_file(good / n, d / n);
    return d;
  };
  auto check_refused = [&](const fs::path& keys, const std::string& name,
                           const std::vector<std::string>& why) {
    const fs::path out = dir.path() / ("out-" + name);
    std::string err;
    const int code =
        local(out, dir.path(), name, {"--dealer", "file", "--key-dir", keys.string()}, &err);
    INFO(name << ": " << err);
    CHECK(code != 0);
    for (const auto& w : why) CHECK(err.find(w) != std::string::npos);
    CHECK(err.find("re-run `secinfer deal --model bert-tiny --seq 16") != std::string::npos);
    // Nothing but failed logs (and their failed merge).
    for (const auto& e : fs::directory_iterator(out)) {
      INFO(e.path());
      const std::string name = e.path().filename().string();
      const bool expected =
          name.rfind("breakdown_merged", 0) == 0 || name == "p0.json" || name == "p1.json";
      CHECK(expected);
      if (e.path().extension() == ".json") {
        const json j = read_json(e.path());
        CHECK(j["status"] == "failed");
        CHECK_FALSE(j.contains("accuracy"));
      }
    }
    CHECK(read_json(out / "p0.json")["status"] == "failed");
  };

  SECTION("truncated") {
    const fs::path d = copy_of("truncated");
    fs::resize_file(d / "p0.keys", fs::file_size(d / "p0.keys") - 100);
    check_refused(d, "truncated", {"p0.keys", "truncated"});
  }
  SECTION("one flipped byte") {
    const fs::path d = copy_of("flipped");
    const auto at = static_cast<std::streamoff>(fs::file_size(d / "p1.keys") / 3);
    std::fstream io(d / "p1.keys", std::ios::in | std::ios::out | std::ios::binary);
    io.seekg(at);
    const char c = static_cast<char>(io.get());
    io.seekp(at);
    io.put(static_cast<char>(c ^ 0x01));
    io.close();
    check_refused(d, "flipped", {"p1.keys", "corrupted", "checksum"});
  }
  SECTION("the other party's file") {
    const fs::path d = copy_of("swapped");
    fs::copy_file(d / "p0.keys", d / "p1.keys", fs::copy_options::overwrite_existing);
    check_refused(d, "swapped", {"holds the keys of party 0", "this is party 1"});
  }
  SECTION("a file of another setting (other seq)") {
    const fs::path other = dir.path() / "seq8";
    Process d({"deal", "--model", "bert-tiny", "--seq", "8", "--system", "sigma", "--runs", "1",
               "--warmup", "0", "--key-dir", other.string()},
              dir.path(), "deal8");
    REQUIRE(d.wait(std::chrono::seconds(120)) == 0);
    check_refused(other, "seq8", {"another configuration", "seq=8", "seq=16"});
  }
}

}  // namespace
}  // namespace secinfer::apps
