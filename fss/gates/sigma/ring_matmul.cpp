// Cache-blocked, multithreaded ring matrix product (contract in ring_matmul.h).
//
// Layout: B is packed into ceil(n / 16) panels of k x 16 u64 (zero padded), so the micro-kernel
// reads 16 consecutive columns of one B row with two 64-byte loads whatever B's orientation. A
// micro-kernel computes an R x 16 tile of C over the whole k with R x 16 accumulators in
// registers, broadcasting A[i][t] from R row streams. A thread takes a contiguous range of
// (batch, row tile) items and walks its panels in the outer loop, so one panel (k x 16 x 8 bytes:
// 96 KiB at k = 768) stays in L2 while the thread's rows stream past it.
#include "fss/gates/sigma/ring_matmul.h"

#include <immintrin.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "fss/gates/sigma/linear.h"
#include "fss/parallel.h"

namespace secinfer::fss::sigma {
namespace detail {
namespace {

constexpr std::size_t kNr = 16;       // columns per panel / tile
constexpr std::size_t kMrSimd = 8;    // rows per tile, AVX-512 kernels
constexpr std::size_t kMrScalar = 4;  // rows per tile, portable kernel

// ---- micro-kernels: out[r * kNr + j] = sum_t a[r * lda + t] * panel[t * kNr + j] (mod 2^64, or
// mod 2^52 for IFMA), for r < R.

template <int R>
void tile_scalar(const u64* a, std::size_t lda, const u64* panel, std::size_t k, u64* out) {
  for (std::size_t j0 = 0; j0 < kNr; j0 += 4) {
    u64 s[R][4] = {};
    for (std::size_t t = 0; t < k; ++t) {
      const u64* bt = panel + t * kNr + j0;
      const u64 b0 = bt[0], b1 = bt[1], b2 = bt[2], b3 = bt[3];
      for (int r = 0; r < R; ++r) {
        const u64 av = a[static_cast<std::size_t>(r) * lda + t];
        s[r][0] += av * b0;
        s[r][1] += av * b1;
        s[r][2] += av * b2;
        s[r][3] += av * b3;
      }
    }
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < 4; ++j) out[static_cast<std::size_t>(r) * kNr + j0 + j] = s[r][j];
  }
}

#define SECINFER_AVX512 __attribute__((target("avx512f,avx512dq")))
#define SECINFER_IFMA __attribute__((target("avx512f,avx512ifma")))

template <int R>
SECINFER_AVX512 void tile_avx512(const u64* a, std::size_t lda, const u64* panel, std::size_t k,
                                 u64* out) {
  __m512i lo[R], hi[R];
  for (int r = 0; r < R; ++r) lo[r] = hi[r] = _mm512_setzero_si512();
  for (std::size_t t = 0; t < k; ++t) {
    const __m512i b0 = _mm512_loadu_si512(panel + t * kNr);
    const __m512i b1 = _mm512_loadu_si512(panel + t * kNr + 8);
    for (int r = 0; r < R; ++r) {
      const __m512i av =
          _mm512_set1_epi64(static_cast<long long>(a[static_cast<std::size_t>(r) * lda + t]));
      lo[r] = _mm512_add_epi64(lo[r], _mm512_mullo_epi64(av, b0));
      hi[r] = _mm512_add_epi64(hi[r], _mm512_mullo_epi64(av, b1));
    }
  }
  for (int r = 0; r < R; ++r) {
    _mm512_storeu_si512(out + static_cast<std::size_t>(r) * kNr, lo[r]);
    _mm512_storeu_si512(out + static_cast<std::size_t>(r) * kNr + 8, hi[r]);
  }
}

template <int R>
SECINFER_IFMA void tile_ifma(const u64* a, std::size_t lda, const u64* panel, std::size_t k,
                             u64* out) {
  __m512i lo[R], hi[R];
  for (int r = 0; r < R; ++r) lo[r] = hi[r] = _mm512_setzero_si512();
  for (std::size_t t = 0; t < k; ++t) {
    const __m512i b0 = _mm512_loadu_si512(panel + t * kNr);
    const __m512i b1 = _mm512_loadu_si512(panel + t * kNr + 8);
    for (int r = 0; r < R; ++r) {
      const __m512i av =
          _mm512_set1_epi64(static_cast<long long>(a[static_cast<std::size_t>(r) * lda + t]));
      lo[r] = _mm512_madd52lo_epu64(lo[r], av, b0);
      hi[r] = _mm512_madd52lo_epu64(hi[r], av, b1);
    }
  }
  for (int r = 0; r < R; ++r) {
    _mm512_storeu_si512(out + static_cast<std::size_t>(r) * kNr, lo[r]);
    _mm512_storeu_si512(out + static_cast<std::size_t>(r) * kNr + 8, hi[r]);
  }
}

using TileFn = void (*)(const u64*, std::size_t, const u64*, std::size_t, u64*);

// tiles[r - 1] computes r rows.
struct KernelTable {
  std::size_t mr;
  TileFn tiles[kMrSimd];
};

const KernelTable& table(MatmulKernel k) {
  static const KernelTable scalar{kMrScalar,
                                  {&tile_scalar<1>, &tile_scalar<2>, &tile_scalar<3>,
                                   &tile_scalar<4>, nullptr, nullptr, nullptr, nullptr}};
  static const KernelTable avx512{
      kMrSimd,
      {&tile_avx512<1>, &tile_avx512<2>, &tile_avx512<3>, &tile_avx512<4>, &tile_avx512<5>,
       &tile_avx512<6>, &tile_avx512<7>, &tile_avx512<8>}};
  static const KernelTable ifma{kMrSimd,
                                {&tile_ifma<1>, &tile_ifma<2>, &tile_ifma<3>, &tile_ifma<4>,
                                 &tile_ifma<5>, &tile_ifma<6>, &tile_ifma<7>, &tile_ifma<8>}};
  switch (k) {
    case MatmulKernel::kAvx512:
      return avx512;
    case MatmulKernel::kIfma:
      return ifma;
    default:
      return scalar;
  }
}

bool cpu_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return ok;
}
bool cpu_ifma() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
  return ok;
}

// Packs B into panels: out[(jb * k + t) * kNr + jj] = B[t][jb * kNr + jj] (0 past column n).
void pack_b(const u64* b, std::size_t k, std::size_t n, bool transpose_b, u64* out) {
  const std::size_t panels = (n + kNr - 1) / kNr;
  for (std::size_t jb = 0; jb < panels; ++jb) {
    u64* p = out + jb * k * kNr;
    const std::size_t j0 = jb * kNr, w = std::min(kNr, n - j0);
    if (!transpose_b) {
      for (std::size_t t = 0; t < k; ++t) {
        const u64* src = b + t * n + j0;
        u64* dst = p + t * kNr;
        std::copy(src, src + w, dst);
        std::fill(dst + w, dst + kNr, 0);
      }
    } else {
      if (w < kNr) std::fill(p, p + k * kNr, 0);
      for (std::size_t jj = 0; jj < w; ++jj) {
        const u64* src = b + (j0 + jj) * k;
        for (std::size_t t = 0; t < k; ++t) p[t * kNr + jj] = src[t];
      }
    }
  }
}

}  // namespace

bool matmul_kernel_available(MatmulKernel k, int bits) {
  switch (k) {
    case MatmulKernel::kAuto:
    case MatmulKernel::kScalar:
      return true;
    case MatmulKernel::kAvx512:
      return cpu_avx512();
    case MatmulKernel::kIfma:
      return bits <= 52 && cpu_ifma();
  }
  return false;
}

MatmulKernel matmul_kernel_for(int bits) {
  if (matmul_kernel_available(MatmulKernel::kIfma, bits)) return MatmulKernel::kIfma;
  if (matmul_kernel_available(MatmulKernel::kAvx512, bits)) return MatmulKernel::kAvx512;
  return MatmulKernel::kScalar;
}

const char* matmul_kernel_name(MatmulKernel k) {
  switch (k) {
    case MatmulKernel::kAuto:
      return "auto";
    case MatmulKernel::kScalar:
      return "scalar";
    case MatmulKernel::kAvx512:
      return "avx512";
    case MatmulKernel::kIfma:
      return "ifma";
  }
  return "?";
}

void ring_matmul_batched(const RingMatmulArgs& g, std::span<const u64> a, std::span<const u64> b,
                         std::span<u64> c) {
  const std::size_t na = g.batches * g.m * g.k;
  const std::size_t nb = (g.shared_b ? 1 : g.batches) * g.k * g.n;
  const std::size_t nc = g.batches * g.m * g.n;
  if (a.size() != na || b.size() != nb || c.size() != nc) {
    throw std::invalid_argument("ring_matmul: spans of " + std::to_string(a.size()) + ", " +
                                std::to_string(b.size()) + ", " + std::to_string(c.size()) +
                                " elements do not match the shape (needs " + std::to_string(na) +
                                ", " + std::to_string(nb) + ", " + std::to_string(nc) + ")");
  }
  if (g.bits < 1 || g.bits > 64)
    throw std::invalid_argument("ring_matmul: bits " + std::to_string(g.bits) + " outside [1, 64]");
  if (g.causal && g.m != g.n)
    throw std::invalid_argument("ring_matmul: causal needs m == n (got m " + std::to_string(g.m) +
                                ", n " + std::to_string(g.n) + ")");
  if (nc == 0) return;
  const MatmulKernel kern = g.kernel == MatmulKernel::kAuto ? matmul_kernel_for(g.bits) : g.kernel;
  if (!matmul_kernel_available(kern, g.bits))
    throw std::invalid_argument(std::string("ring_matmul: kernel '") + matmul_kernel_name(kern) +
                                "' is not available for a " + std::to_string(g.bits) +
                                "-bit ring on this CPU");
  const u64 mask = ring_mask(g.bits);
  const std::size_t m = g.m, k = g.k, n = g.n;
  if (k == 0) {  // empty sums: C = 0 (or unchanged)
    if (g.accumulate) return;
    for (std::size_t bt = 0; bt < g.batches; ++bt)
      for (std::size_t i = 0; i < m; ++i)
        std::fill_n(c.data() + (bt * m + i) * n, g.causal ? i + 1 : n, 0);
    return;
  }
  const KernelTable& kt = table(kern);
  const std::size_t mr = kt.mr;
  const std::size_t panels = (n + kNr - 1) / kNr;
  const std::size_t panel_size = k * kNr;
  const std::size_t tiles_per_batch = (m + mr - 1) / mr;

  // A shared B is packed once for all threads; otherwise each thread packs the B of the batch it
  // works on.
  std::vector<u64> shared_pack;
  if (g.shared_b) {
    shared_pack.resize(panels * panel_size);
    pack_b(b.data(), k, n, g.transpose_b, shared_pack.data());
  }
  // Items: (batch, row tile). Grain: ~2^20 multiply-adds per thread at least (a thread start
  // costs tens of microseconds).
  const std::size_t items = g.batches * tiles_per_batch;
  const std::size_t macs_per_item = mr * k * n;
  const std::size_t grain = std::max<std::size_t>(1, (std::size_t{1} << 20) / macs_per_item);
  parallel_for(items, grain, g.threads, [&](std::size_t begin, std::size_t end) {
    std::vector<u64> own_pack;
    u64 tile[kMrSimd * kNr];
    std::size_t it = begin;
    while (it < end) {
      // One batch's share of the range: tiles [t0, t1) of batch bt.
      const std::size_t bt = it / tiles_per_batch;
      const std::size_t t0 = it % tiles_per_batch;
      const std::size_t t1 = std::min(tiles_per_batch, t0 + (end - it));
      it += t1 - t0;
      const u64* packed = shared_pack.data();
      if (!g.shared_b) {
        own_pack.resize(panels * panel_size);
        pack_b(b.data() + bt * k * n, k, n, g.transpose_b, own_pack.data());
        packed = own_pack.data();
      }
      const u64* ab = a.data() + bt * m * k;
      u64* cb = c.data() + bt * m * n;
      for (std::size_t jb = 0; jb < panels; ++jb) {
        const std::size_t j0 = jb * kNr, w = std::min(kNr, n - j0);
        const u64* panel = packed + jb * panel_size;
        for (std::size_t ti = t0; ti < t1; ++ti) {
          const std::size_t i0 = ti * mr, rows = std::min(mr, m - i0);
          if (g.causal && j0 > i0 + rows - 1) continue;  // tile above the diagonal
          kt.tiles[rows - 1](ab + i0 * k, k, panel, k, tile);
          for (std::size_t r = 0; r < rows; ++r) {
            const std::size_t i = i0 + r;
            const std::size_t wj = g.causal ? std::min(w, i + 1 > j0 ? i + 1 - j0 : 0) : w;
            u64* ci = cb + i * n + j0;
            const u64* ti_row = tile + r * kNr;
            if (g.accumulate) {
              for (std::size_t j = 0; j < wj; ++j) ci[j] = (ci[j] + ti_row[j]) & mask;
            } else {
              for (std::size_t j = 0; j < wj; ++j) ci[j] = ti_row[j] & mask;
            }
          }
        }
      }
    }
  });
}

}  // namespace detail

void ring_matmul(int bits, std::size_t m, std::size_t k, std::size_t n, std::span<const u64> a,
                 std::span<const u64> b, bool transpose_b, std::span<u64> c, bool accumulate,
                 bool causal, int threads) {
  detail::RingMatmulArgs g;
  g.bits = bits;
  g.m = m;
  g.k = k;
  g.n = n;
  g.transpose_b = transpose_b;
  g.accumulate = accumulate;
  g.causal = causal;
  g.threads = threads;
  detail::ring_matmul_batched(g, a, b, c);
}

}  // namespace secinfer::fss::sigma
