// SIGMA's linear layers on masked wires (Gupta et al., PoPETs 2024, section 4 "Linear layers";
// EzPC GPU-MPC fss/gpu_matmul.cu, gpu_mul.cu): Beaver-style products in the masked form. With
// Xhat = X + r_X, What = W + r_W and the dealer's additive shares [r_X], [r_W], [r_X r_W + r_Z]:
//   share_b(Zhat) = [b == 0] Xhat What - Xhat [r_W]_b - [r_X]_b What + [r_X r_W + r_Z]_b
// sums to X W + r_Z; one opening (1 round, n bits per party per output element). Results are at
// scale 2f: the caller truncates (TrFloor after linear layers).
// Keys, n bits per element each: matmul M K + K N + M N per batch (K N once for a shared B);
// mul 3 per element; mul_rowwise 2 per element + 1 per row; square 2 per element.
#pragma once

#include <cstddef>
#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/gate.h"
#include "fss/engine/ops.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

using engine::ClearCtx;
using engine::Dealer;
using engine::MatmulShape;
using engine::Party;

// C = A B per MatmulShape (ops.h). a: batches*m*k, b: (shared_b ? 1 : batches) * k*n (n*k when
// transpose_b), c: batches*m*n. Causal: C[i][j] for j > i is 0 in all faces and neither keyed nor
// opened (mask 0, xhat 0): online bytes count only the lower triangle.
void matmul_clear(const ClearCtx& ctx, const MatmulShape& s, std::span<const u64> a,
                  std::span<const u64> b, std::span<u64> c);
// b_shares_dealt: B is a weight whose mask shares [r_B] were dealt with it (weight_shares_keygen,
// Ops::weight_matrix), so this product's key leaves them out. r_b_held: the dealer's
// accelerator's copy of r_b (a weight mask held from the model input, DealerOps::weight), or
// null: the product r_A r_B (and the split of [r_B], where this key carries it) then read it in
// place.
void matmul_keygen(Dealer& d, const MatmulShape& s, std::span<const u64> r_a,
                   std::span<const u64> r_b, std::span<u64> r_c, bool b_shares_dealt = false,
                   const ResidentKeys* r_b_held = nullptr);
// bhat_held: the copy of bhat that the party's accelerator holds (Tensor::held), or null. The B
// side's mask shares [r_B] travel as one ShareBatch (held by the accelerator from the offline
// phase when the keys live there), so with both held only A-sized inputs go up per product.
// rb_dealt: those shares where they came with the weight (weight_shares_eval), else null: read
// from this product's key.
void matmul_eval(Party& p, const MatmulShape& s, std::span<const u64> ahat,
                 std::span<const u64> bhat, std::span<u64> chat,
                 const ResidentKeys* bhat_held = nullptr, const ShareBatch* rb_dealt = nullptr);

// A weight matrix's mask shares [r_W], dealt once with the masked weight (the model input) rather
// than in every product that reads it: r_W is fixed for as long as the masked weight W + r_W is,
// so fixed shares of it reveal nothing more than fresh ones (each party's share is uniform and
// independent of r_W; a product's [r_A] and correlation stay fresh in every run). SIGMA's keys
// carry [r_W] in every inference's matmul key (docs/design/sigma-fidelity.md D17).
void weight_shares_keygen(Dealer& d, std::span<const u64> r_w,
                          const ResidentKeys* r_w_held = nullptr);
ShareBatch weight_shares_eval(Party& p, std::size_t count);

// Elementwise z = x * y.
void mul_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<const u64> y,
               std::span<u64> z);
void mul_keygen(Dealer& d, std::span<const u64> r_x, std::span<const u64> r_y, std::span<u64> r_z);
void mul_eval(Party& p, std::span<const u64> xhat, std::span<const u64> yhat, std::span<u64> zhat);
// The same over the vector vocabulary: inputs and the returned opened product in p.space().
vec::Vec mul_eval(Party& p, const vec::Vec& xhat, const vec::Vec& yhat);

// Row-wise z[i][j] = x[i][j] * y[i] (x rows x cols, y rows).
void mul_rowwise_clear(const ClearCtx& ctx, std::size_t cols, std::span<const u64> x,
                       std::span<const u64> y, std::span<u64> z);
void mul_rowwise_keygen(Dealer& d, std::size_t cols, std::span<const u64> r_x,
                        std::span<const u64> r_y, std::span<u64> r_z);
void mul_rowwise_eval(Party& p, std::size_t cols, std::span<const u64> xhat,
                      std::span<const u64> yhat, std::span<u64> zhat);

// Elementwise z = x^2: share_b = [b == 0] xhat^2 - 2 xhat [r]_b + [r^2 + r_z]_b.
void square_clear(const ClearCtx& ctx, std::span<const u64> x, std::span<u64> z);
void square_keygen(Dealer& d, std::span<const u64> r_x, std::span<u64> r_z);
void square_eval(Party& p, std::span<const u64> xhat, std::span<u64> zhat);

// Plain ring matmul kernel (u64 wraparound, i-k-j loop, rows split over `threads`), reduced mod
// 2^bits: c (+)= A B with A m x k, B k x n (or n x k when transpose_b). causal: only c[i][j] with
// j <= i is computed (the rest is left untouched). Exposed for reuse.
void ring_matmul(int bits, std::size_t m, std::size_t k, std::size_t n, std::span<const u64> a,
                 std::span<const u64> b, bool transpose_b, std::span<u64> c, bool accumulate,
                 bool causal = false, int threads = 1);

}  // namespace secinfer::fss::sigma
