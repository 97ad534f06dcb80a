// Table contents of SIGMA's nonlinear gates (contracts in nl_tables.h).
#include "fss/gates/sigma/nl_tables.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace secinfer::fss::sigma {
namespace {

void check_table_bits(int bits, const char* what) {
  // DPF full-domain evaluation is done for every element: SIGMA's tables are 2^8 .. 2^16 entries.
  if (bits < 1 || bits > 20)
    throw std::invalid_argument(std::string(what) + ": table of 2^" + std::to_string(bits) +
                                " entries is outside 2^1 .. 2^20");
}

void check_frac(int frac, const char* what) {
  if (frac < 0 || frac > 40)
    throw std::invalid_argument(std::string(what) + ": fractional bits " + std::to_string(frac) +
                                " outside [0, 40]");
}

// SIGMA converts with a C cast T(double): truncation toward zero. All our entries are >= 0.
u64 to_entry(double v) {
  return v <= 0.0 ? 0 : static_cast<u64>(v);
}

}  // namespace

std::vector<u64> relu_sub_gelu_table(int bits, int out_frac) {
  check_table_bits(bits, "relu_sub_gelu_table");
  check_frac(out_frac, "relu_sub_gelu_table");
  std::vector<u64> t(std::size_t{1} << bits);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double x = static_cast<double>(i) / 64.0;
    const double g = x * 0.5 * (1.0 + std::erf(x / std::sqrt(2.0)));
    t[i] = to_entry((std::max(0.0, x) - g) * std::ldexp(1.0, out_frac));
  }
  return t;
}

std::vector<u64> relu_sub_silu_table(int bits, int out_frac) {
  check_table_bits(bits, "relu_sub_silu_table");
  check_frac(out_frac, "relu_sub_silu_table");
  std::vector<u64> t(std::size_t{1} << bits);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const double x = static_cast<double>(i) / 64.0;
    const double s = x / (1.0 + std::exp(-x));
    t[i] = to_entry((std::max(0.0, x) - s) * std::ldexp(1.0, out_frac));
  }
  return t;
}

std::vector<u64> nexp_table(int bits, int in_frac, int out_frac) {
  check_table_bits(bits, "nexp_table");
  check_frac(in_frac, "nexp_table");
  check_frac(out_frac, "nexp_table");
  std::vector<u64> t(std::size_t{1} << bits);
  for (std::size_t i = 0; i < t.size(); ++i)
    t[i] = to_entry(std::exp(-static_cast<double>(i) / std::ldexp(1.0, in_frac)) *
                    std::ldexp(1.0, out_frac));
  return t;
}

std::vector<u64> inverse_table(int bits, int in_frac, int out_frac) {
  check_table_bits(bits, "inverse_table");
  check_frac(in_frac + out_frac, "inverse_table");
  std::vector<u64> t(std::size_t{1} << bits);
  const double num = std::ldexp(1.0, in_frac + out_frac);
  t[0] = to_entry(num / static_cast<double>(t.size()));
  for (std::size_t i = 1; i < t.size(); ++i) t[i] = to_entry(num / static_cast<double>(i));
  return t;
}

std::vector<u64> rsqrt_table(u64 extradiv, int frac_bits) {
  if (extradiv == 0) throw std::invalid_argument("rsqrt_table: extradiv (row length) must be > 0");
  check_frac(2 * frac_bits, "rsqrt_table");
  std::vector<u64> t(std::size_t{1} << 13);
  for (std::size_t i = 0; i < t.size(); ++i) {
    const int k = static_cast<int>(i % 64);        // exponent, low 6 bits
    const double m = static_cast<double>(i >> 6);  // mantissa, high 7 bits
    const double val = (m + 128.0) * std::ldexp(1.0, k - 7);
    t[i] =
        to_entry(std::ldexp(1.0, 2 * frac_bits) / std::sqrt(val / static_cast<double>(extradiv)));
  }
  return t;
}

}  // namespace secinfer::fss::sigma
