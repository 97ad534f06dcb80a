#include "profiling/stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace secinfer::profiling {
namespace {

// Type 7 quantile of an already sorted, non-empty sample (see stats.h).
double sorted_quantile(const std::vector<double>& x, double q) {
  const double h = static_cast<double>(x.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  if (lo + 1 >= x.size()) return x.back();
  return x[lo] + (h - static_cast<double>(lo)) * (x[lo + 1] - x[lo]);
}

std::vector<double> sorted_copy(std::span<const double> values, const char* what) {
  if (values.empty()) {
    throw std::invalid_argument(std::string("profiling::") + what +
                                ": empty sample (no runs to summarise)");
  }
  std::vector<double> x(values.begin(), values.end());
  std::sort(x.begin(), x.end());
  return x;
}

}  // namespace

double quantile(std::span<const double> values, double q) {
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument("profiling::quantile: q must be in [0, 1], got " +
                                std::to_string(q));
  }
  return sorted_quantile(sorted_copy(values, "quantile"), q);
}

double median(std::span<const double> values) {
  return sorted_quantile(sorted_copy(values, "median"), 0.5);
}

Summary summarize(std::span<const double> values) {
  const std::vector<double> x = sorted_copy(values, "summarize");
  return {sorted_quantile(x, 0.5), sorted_quantile(x, 0.25), sorted_quantile(x, 0.75), x.front(),
          x.back()};
}

}  // namespace secinfer::profiling
