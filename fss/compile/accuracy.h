// The accuracy report of both suites' nonlinear gates (docs/accuracy.md): max error in ULPs of
// the output scale per function, over every representable input of the function's domain, for
// the fusefss compiled gates (verify.h suf_error: exhaustive up to 2^24 inputs per piece, a
// rigorous bound beyond) and for the sigma suite's cleartext gates (fss/gates/sigma, the same
// algorithm the secure sigma gates compute; verify.h blackbox_error: exhaustive where SIGMA's
// tables and clips act, log-spaced samples beyond), plus the compiler's parameters per function.
//
//   std::string md = accuracy_report();                  // the whole Markdown page
//   auto rows = accuracy_rows(accuracy_settings()[0]);   // one setting, for tests
//
// Made by scripts/accuracy.sh (runs the hidden Catch2 test "[.accuracy]" of test_gates, which
// writes the page to the path in SECINFER_ACCURACY_OUT).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fss/compile/functions.h"
#include "fss/compile/verify.h"

namespace secinfer::fss::compile {

// One model setting: ring width, scale, softmax row length (inverse), LayerNorm row length (rsqrt).
struct AccuracySetting {
  std::string label;  // "bert-base / gpt2 (n = 50, seq 128, hidden 768)"
  int n = 50;
  int frac_bits = 12;
  std::size_t seq = 128;
  std::size_t hidden = 768;
};
std::vector<AccuracySetting> accuracy_settings();

struct AccuracyRow {
  FunctionId id = FunctionId::kGelu;
  std::string domain;               // the domain measured, in words
  std::string params;               // describe(gate)
  std::size_t key_bits = 0;         // estimated_key_bits(gate), padding on (per-cut lookup)
  std::size_t key_bits_shared = 0;  // shared-mask lookup (0: the gate needs the per-cut one)
  ErrorReport fused;                // fusefss over the function's domain
  ErrorReport sigma;                // sigma suite over the same domain
  ErrorReport sigma_valid;          // sigma suite over the input range it documents as valid
  std::string sigma_valid_range;
};

// `exhaustive_limit`: suf_error's per-piece limit (2^24 for the report; tests use less).
std::vector<AccuracyRow> accuracy_rows(const AccuracySetting& s,
                                       std::uint64_t exhaustive_limit = std::uint64_t{1} << 24,
                                       std::uint64_t sigma_exhaustive_max = std::uint64_t{1} << 24);

std::string accuracy_report();

}  // namespace secinfer::fss::compile
