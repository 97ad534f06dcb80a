// Accuracy of both suites (fss/compile/accuracy.h): fusefss's max error is no worse than the sigma
// suite's for every function, over the function's domain and over sigma's valid range, in every
// model setting. The hidden test "[.accuracy]" writes the full report (docs/accuracy.md, via
// scripts/accuracy.sh); this one runs with smaller exhaustive limits to stay fast.
#include "fss/compile/accuracy.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace secinfer::fss::compile {

TEST_CASE("fusefss is no worse than sigma for every function", "[fusefss][accuracy]") {
  for (const AccuracySetting& s : accuracy_settings()) {
    for (const AccuracyRow& r : accuracy_rows(s, std::uint64_t{1} << 16, std::uint64_t{1} << 20)) {
      INFO(s.label << " " << function_name(r.id) << " " << r.params << ": fusefss "
                   << static_cast<double>(r.fused.max_ulp) << ", sigma "
                   << static_cast<double>(r.sigma.max_ulp) << ", sigma valid "
                   << static_cast<double>(r.sigma_valid.max_ulp));
      CHECK(r.fused.range_ok);
      CHECK(r.fused.max_ulp <= r.sigma.max_ulp);
      CHECK(r.fused.max_ulp <= r.sigma_valid.max_ulp);
    }
  }
}

TEST_CASE("write the accuracy report", "[.accuracy]") {
  const std::string md = accuracy_report();
  if (const char* out = std::getenv("SECINFER_ACCURACY_OUT")) {
    std::ofstream f(out);
    REQUIRE(f.good());
    f << md;
  } else {
    std::cout << md;
  }
}

}  // namespace secinfer::fss::compile
