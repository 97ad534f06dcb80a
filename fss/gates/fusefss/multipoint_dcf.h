// Evaluating each DCF key at several points, sharing the tree walk over common prefixes: the
// points of one element of the shared-mask lookup (compile/instance.h) are x^ - p for the gate's
// cut offsets p, most of them within a few thousand of x^ or of x^ + 2^(n-1), so their paths
// through the n-level tree coincide for the top levels. The walk descends the union of the
// points' paths (a trie) breadth first, once per trie node: output identical to fss::dcf_eval
// (docs/design/fss-core.md "DCF" Eval) at every point, for fewer AES calls.
//
//   dcf_eval_multipoint(keys, P, points, out, party.batch_options());  // P per key, key-major
#pragma once

#include <cstddef>
#include <span>

#include "fss/dcf.h"

namespace secinfer::fss::fusefss {

// out[(k * P + j) * L + e] = this party's share of f_k(points[k * P + j])_e, for every key k of
// `keys` (points.size() == keys.count * P, out.size() == points.size() * L). Points need not be
// sorted or distinct, but each must be < 2^n. Throws std::invalid_argument on mismatched sizes.
// opt: threads and AES path of the CPU walk; with opt.accel set, the keys are checked
// (fss::dcf_check_keys) and the evaluation runs there (same outputs: fss/accelerator.h).
void dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                         std::span<const u64> points, std::span<u64> out, const BatchOptions& opt);
// The CPU walk on `threads` threads (BatchOptions{AesImpl::kAuto, threads}).
void dcf_eval_multipoint(const DcfKeys& keys, std::size_t points_per_key,
                         std::span<const u64> points, std::span<u64> out, int threads);

}  // namespace secinfer::fss::fusefss
