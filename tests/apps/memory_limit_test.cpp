// Host memory exhausted, forced with a small limit: `secinfer netbench` asked for buffers larger
// than its address-space limit (RLIMIT_AS, inherited by the party processes) ends with the
// out-of-memory exit status, says what to make smaller, and leaves failed ("oom") logs of both
// parties and of the merge; nothing claims "status ok".
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "apps/exit_codes.h"
#include "process_util.h"

namespace secinfer::apps {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// While it lives, processes this test starts get an address-space limit of `bytes`; set only
// around the start of the child, so that the test process itself is not held to it.
class AddressSpaceLimit {
 public:
  explicit AddressSpaceLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_AS, &old_);
    struct rlimit small = old_;
    small.rlim_cur = bytes;
    ::setrlimit(RLIMIT_AS, &small);
  }
  ~AddressSpaceLimit() { ::setrlimit(RLIMIT_AS, &old_); }
  AddressSpaceLimit(const AddressSpaceLimit&) = delete;
  AddressSpaceLimit& operator=(const AddressSpaceLimit&) = delete;

 private:
  struct rlimit old_ {};
};

}  // namespace

TEST_CASE("host memory exhausted: exit status out of memory, failed logs, a hint",
          "[apps][cli][faults][oom]") {
  REQUIRE(fs::exists(testing::secinfer_binary()));
  testing::TempDir dir;
  const fs::path out = dir.path() / "oom";
  std::optional<testing::Process> p;
  {
    const AddressSpaceLimit limit(rlim_t{1536} << 20);  // 1.5 GiB: starts, cannot take 4 GB buffers
    p.emplace(std::vector<std::string>{"netbench", "--bytes", "4000000000", "--rounds", "1",
                                       "--out", out.string()},
              dir.path(), "netbench-oom");
  }
  const int code = p->wait(std::chrono::seconds(120));
  INFO(p->err());
  CHECK(code == kExitOom);
  CHECK_THAT(p->err(), Catch::Contains("out of memory") && Catch::Contains("smaller --bytes"));
  CHECK_THAT(p->out() + p->err(), !Catch::Contains("status ok"));
  for (const char* f : {"p0.json", "p1.json", "breakdown_merged.json"}) {
    INFO(f);
    REQUIRE(fs::exists(out / f));
    CHECK(json::parse(testing::read_file(out / f))["status"] == "oom");
  }
}

}  // namespace secinfer::apps
