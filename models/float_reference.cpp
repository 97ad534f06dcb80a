#include "models/float_reference.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numbers>

#include "fss/parallel.h"

namespace secinfer::models {

namespace {

using Mat = std::vector<double>;

struct FloatLayer {
  const ModelConfig& c;
  std::size_t B, S;
  int threads = 0;  // fss::parallel_for's count (0 = all hardware threads)

  std::size_t rows() const { return B * S; }

  // fn(begin, end) over [0, n) on the threads. Every row is computed by the same operations in
  // the same order whichever thread takes it, so the output does not depend on the thread count.
  void for_rows(std::size_t n, const std::function<void(std::size_t, std::size_t)>& fn) const {
    fss::parallel_for(n, 1, threads, fn);
  }

  static Mat decode(const TensorMap& w, const char* name, Ring r) {
    const auto it = w.find(name);
    if (it == w.end()) return {};
    return decode_all(it->second.data, it->second.frac_bits, r);
  }

  // y = x W + b, x rows x in, W in x out.
  Mat linear(const Mat& x, const Mat& w, const Mat& b, std::size_t in, std::size_t out) const {
    Mat y(rows() * out, 0.0);
    for_rows(rows(), [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) {
        double* yr = &y[i * out];
        for (std::size_t k = 0; k < in; ++k) {
          const double xv = x[i * in + k];
          const double* wr = &w[k * out];
          for (std::size_t j = 0; j < out; ++j) yr[j] += xv * wr[j];
        }
        if (!b.empty())
          for (std::size_t j = 0; j < out; ++j) yr[j] += b[j];
      }
    });
    return y;
  }

  Mat norm(const Mat& x, const Mat& g, const Mat& b) const {
    const std::size_t h = c.hidden;
    Mat y(x.size());
    for_rows(rows(), [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i) {
        const double* xr = &x[i * h];
        double mean = 0.0, sq = 0.0;
        if (c.norm == NormKind::kLayerNorm) {
          for (std::size_t j = 0; j < h; ++j) mean += xr[j];
          mean /= static_cast<double>(h);
        }
        for (std::size_t j = 0; j < h; ++j) sq += (xr[j] - mean) * (xr[j] - mean);
        const double inv = 1.0 / std::sqrt(sq / static_cast<double>(h) + c.norm_eps);
        for (std::size_t j = 0; j < h; ++j)
          y[i * h + j] = (xr[j] - mean) * inv * g[j] + (b.empty() ? 0.0 : b[j]);
      }
    });
    return y;
  }

  void rope(Mat& t, std::size_t heads) const {  // t: [B, S, heads*d] (rows x hidden layout)
    const std::size_t d = c.head_dim, half = d / 2;
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t s = 0; s < S; ++s)
        for (std::size_t hd = 0; hd < heads; ++hd) {
          double* v = &t[((b * S + s) * heads + hd) * d];
          for (std::size_t i = 0; i < half; ++i) {
            const double ang =
                static_cast<double>(s) *
                std::pow(10000.0, -2.0 * static_cast<double>(i) / static_cast<double>(d));
            const double x1 = v[i], x2 = v[i + half];
            v[i] = x1 * std::cos(ang) - x2 * std::sin(ang);
            v[i + half] = x2 * std::cos(ang) + x1 * std::sin(ang);
          }
        }
  }

  Mat attention(std::size_t l, const TensorMap& w, const Mat& x, Ring r) const {
    const std::size_t h = c.hidden, heads = c.heads, d = c.head_dim;
    const Mat qkv =
        linear(x, decode(w, "attn.qkv.weight", r), decode(w, "attn.qkv.bias", r), h, 3 * h);
    Mat q(rows() * h), k(rows() * h), v(rows() * h);
    for (std::size_t i = 0; i < rows(); ++i)
      for (std::size_t j = 0; j < h; ++j) {
        q[i * h + j] = qkv[i * 3 * h + j];
        k[i * h + j] = qkv[i * 3 * h + h + j];
        v[i * h + j] = qkv[i * 3 * h + 2 * h + j];
      }
    if (c.rotary) {
      rope(q, heads);
      rope(k, heads);
    }
    const double scale = c.scale_attention ? 1.0 / std::sqrt(static_cast<double>(d)) : 1.0;
    const bool local = c.attention_type(l) == AttentionType::kLocal;
    Mat ctx(rows() * h, 0.0);
    // One query row (b, hd, i) at a time; each writes only its own slice of ctx.
    for_rows(B * heads * S, [&](std::size_t lo, std::size_t hi) {
      std::vector<double> p(S);
      for (std::size_t row = lo; row < hi; ++row) {
        const std::size_t b = row / (heads * S), hd = row / S % heads, i = row % S;
        {
          const double* qi = &q[(b * S + i) * h + hd * d];
          double mx = -std::numeric_limits<double>::infinity();
          for (std::size_t j = 0; j < S; ++j) {
            const bool masked = (c.causal && j > i) || (local && j + c.window <= i);
            if (masked) {
              p[j] = -std::numeric_limits<double>::infinity();
              continue;
            }
            const double* kj = &k[(b * S + j) * h + hd * d];
            double s = 0.0;
            for (std::size_t t = 0; t < d; ++t) s += qi[t] * kj[t];
            p[j] = s * scale;
            mx = std::max(mx, p[j]);
          }
          double sum = 0.0;
          for (std::size_t j = 0; j < S; ++j) {
            p[j] = std::isinf(p[j]) ? 0.0 : std::exp(p[j] - mx);
            sum += p[j];
          }
          double* out = &ctx[(b * S + i) * h + hd * d];
          for (std::size_t j = 0; j < S; ++j) {
            if (p[j] == 0.0) continue;
            const double pj = p[j] / sum;
            const double* vj = &v[(b * S + j) * h + hd * d];
            for (std::size_t t = 0; t < d; ++t) out[t] += pj * vj[t];
          }
        }
      }
    });
    return linear(ctx, decode(w, "attn.out.weight", r), decode(w, "attn.out.bias", r), h, h);
  }

  Mat mlp(const TensorMap& w, const Mat& x, Ring r) const {
    const std::size_t h = c.hidden, inter = c.intermediate;
    auto act = [&](double v) {
      return c.activation == ActivationKind::kSilu ? silu_exact(v) : gelu_exact(v);
    };
    const std::size_t up_cols = c.gated_mlp ? 2 * inter : inter;
    const Mat up =
        linear(x, decode(w, "mlp.up.weight", r), decode(w, "mlp.up.bias", r), h, up_cols);
    Mat a(rows() * inter);
    for_rows(rows(), [&](std::size_t lo, std::size_t hi) {
      for (std::size_t i = lo; i < hi; ++i)
        for (std::size_t j = 0; j < inter; ++j)
          a[i * inter + j] = c.gated_mlp ? act(up[i * up_cols + j]) * up[i * up_cols + inter + j]
                                         : act(up[i * up_cols + j]);
    });
    return linear(a, decode(w, "mlp.down.weight", r), decode(w, "mlp.down.bias", r), inter, h);
  }

  static Mat add(const Mat& a, const Mat& b) {
    Mat y(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) y[i] = a[i] + b[i];
    return y;
  }

  Mat layer(std::size_t l, const TensorMap& w, const Mat& x, Ring r) const {
    const Mat n1g = decode(w, "norm1.weight", r), n1b = decode(w, "norm1.bias", r);
    const Mat n2g = decode(w, "norm2.weight", r), n2b = decode(w, "norm2.bias", r);
    if (c.pre_ln) {
      const Mat hid = add(x, attention(l, w, norm(x, n1g, n1b), r));
      return add(hid, mlp(w, norm(hid, n2g, n2b), r));
    }
    const Mat hid = norm(add(x, attention(l, w, x, r)), n1g, n1b);
    return norm(add(hid, mlp(w, hid, r)), n2g, n2b);
  }
};

}  // namespace

double gelu_exact(double x) {
  return 0.5 * x * (1.0 + std::erf(x / std::numbers::sqrt2));
}
double silu_exact(double x) {
  return x / (1.0 + std::exp(-x));
}

std::vector<double> float_forward(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                  const WeightSource& weights, std::span<const u64> input,
                                  int threads) {
  return float_forward_embedded(c, batch, seq, weights,
                                decode_all(input, c.frac_bits, Ring{c.ring_bits}), threads);
}

std::vector<double> float_embed(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                const EmbeddingTables& tables, std::span<const std::int64_t> ids) {
  const Ring r{c.ring_bits};
  const std::size_t h = c.hidden;
  auto at = [&](const WeightTensor& t, std::size_t row, std::size_t j) {
    return from_fixed(t.data[row * h + j], t.frac_bits, r);
  };
  Mat x(batch * seq * h);
  for (std::size_t b = 0; b < batch; ++b)
    for (std::size_t s = 0; s < seq; ++s)
      for (std::size_t j = 0; j < h; ++j) {
        double v = at(tables.token, static_cast<std::size_t>(ids[s]), j);
        if (!tables.position.data.empty()) v += at(tables.position, s, j);
        if (!tables.token_type.data.empty()) v += at(tables.token_type, 0, j);
        x[(b * seq + s) * h + j] = v;
      }
  if (c.family != Family::kBert) return x;
  const FloatLayer fl{c, batch, seq};
  return fl.norm(x, decode_all(tables.norm_weight.data, tables.norm_weight.frac_bits, r),
                 decode_all(tables.norm_bias.data, tables.norm_bias.frac_bits, r));
}

LogitAccuracy compare_logits(const ModelConfig& c, std::span<const u64> secure,
                             std::span<const double> reference, const WeightTensor& head,
                             int threads) {
  const Ring r{c.ring_bits};
  const std::size_t h = c.hidden, vocab = head.shape.at(0);
  if (secure.size() != reference.size() || secure.size() % h != 0)
    throw std::invalid_argument("compare_logits: outputs of " + std::to_string(secure.size()) +
                                " and " + std::to_string(reference.size()) + " elements");
  const Mat w = decode_all(head.data, head.frac_bits, r);
  LogitAccuracy a;
  a.positions = secure.size() / h;
  // Positions in groups: each group's logit differences (group x vocab) in parallel, then added
  // to the statistics in position order, as one thread would.
  constexpr std::size_t kGroup = 64;
  std::vector<double> diff(kGroup * vocab);
  std::vector<std::uint8_t> agree(kGroup);
  for (std::size_t g0 = 0; g0 < a.positions; g0 += kGroup) {
    const std::size_t n = std::min(kGroup, a.positions - g0);
    fss::parallel_for(n, 1, threads, [&](std::size_t lo, std::size_t hi) {
      std::vector<double> hs(h);
      for (std::size_t k = lo; k < hi; ++k) {
        const std::size_t i = g0 + k;
        for (std::size_t j = 0; j < h; ++j) hs[j] = from_fixed(secure[i * h + j], c.frac_bits, r);
        const double* hr = &reference[i * h];
        std::size_t best_s = 0, best_r = 0;
        double max_s = -std::numeric_limits<double>::infinity(), max_r = max_s;
        for (std::size_t v = 0; v < vocab; ++v) {
          const double* wv = &w[v * h];
          double ls = 0.0, lr = 0.0;
          for (std::size_t j = 0; j < h; ++j) {
            ls += hs[j] * wv[j];
            lr += hr[j] * wv[j];
          }
          if (ls > max_s) {
            max_s = ls;
            best_s = v;
          }
          if (lr > max_r) {
            max_r = lr;
            best_r = v;
          }
          diff[k * vocab + v] = ls - lr;
        }
        agree[k] = best_s == best_r;
      }
    });
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t v = 0; v < vocab; ++v)
        detail::add_diff(a.vs_float, (g0 + k) * vocab + v, diff[k * vocab + v], c.frac_bits);
      a.top1_agree += agree[k];
    }
  }
  if (a.vs_float.count) a.vs_float.mean_abs /= static_cast<double>(a.vs_float.count);
  return a;
}

std::vector<double> float_forward_embedded(const ModelConfig& c, std::size_t batch, std::size_t seq,
                                           const WeightSource& weights, std::vector<double> x,
                                           int threads) {
  validate_run(c, static_cast<long long>(seq), static_cast<long long>(batch));
  const Ring r{c.ring_bits};
  const FloatLayer fl{c, batch, seq, threads};
  Mat h = std::move(x);
  for (std::size_t l = 0; l < c.layers; ++l) h = fl.layer(l, weights.layer(l), h, r);
  if (c.final_norm) {
    const TensorMap w = weights.final_norm();
    h = fl.norm(h, FloatLayer::decode(w, "final_norm.weight", r),
                FloatLayer::decode(w, "final_norm.bias", r));
  }
  return h;
}

}  // namespace secinfer::models
