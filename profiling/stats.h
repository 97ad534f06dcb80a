// Order statistics of a sample (runs of one setting).
//
// Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7, the default of
// numpy.percentile and R): for sorted x[0..n-1] and q in [0, 1], h = (n - 1) q and
// Q(q) = x[floor(h)] + (h - floor(h)) (x[floor(h) + 1] - x[floor(h)]). So the median of an even
// count is the mean of the two middle values; min = Q(0), max = Q(1).
#pragma once

#include <span>

namespace secinfer::profiling {

struct Summary {
  double median = 0;
  double p25 = 0;
  double p75 = 0;
  double min = 0;
  double max = 0;
};

// q in [0, 1]. Throws std::invalid_argument on an empty sample or q outside [0, 1].
double quantile(std::span<const double> values, double q);
double median(std::span<const double> values);
// All five at once (one sort). Throws std::invalid_argument on an empty sample.
Summary summarize(std::span<const double> values);

}  // namespace secinfer::profiling
