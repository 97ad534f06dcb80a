#include "models/transformer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <optional>
#include <stdexcept>

#include "fss/gates/sigma/softmax.h"
#include "models/fixed.h"
#include "models/tensor_utils.h"
#include "profiling/scope_names.h"

namespace secinfer::models {

using fss::engine::MatmulShape;
using fss::engine::TruncKind;

namespace {

// Weight tensor of `w` by name as an Ops weight; an absent (optional) tensor gives an empty one.
// A projection's matrix (a product's B operand) comes with its mask shares (Ops::weight_matrix).
enum class Use { kElementwise, kProduct };
Tensor load(Ops& ops, const TensorMap& w, const char* name, bool present,
            Use use = Use::kElementwise) {
  if (!present) return {};
  const auto it = w.find(name);
  if (it == w.end()) throw std::invalid_argument(std::string("model weights lack tensor ") + name);
  return use == Use::kProduct ? ops.weight_matrix(it->second.shape, it->second.data)
                              : ops.weight(it->second.shape, it->second.data);
}

bool is_pow2(std::size_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

// Rows of a tensor of `cols` columns, from its shape (a shape-only tensor has no data).
std::size_t rows_of(const Tensor& x, std::size_t cols) {
  std::size_t n = 1;
  for (const std::size_t d : x.shape) n *= d;
  return n / cols;
}

}  // namespace

Transformer::Transformer(const ModelConfig& c, std::size_t batch, std::size_t seq)
    : c_(c), batch_(batch), seq_(seq) {
  validate_config(c);
  validate_run(c, static_cast<long long>(seq), static_cast<long long>(batch));
}

Transformer::AttentionScale Transformer::attention_scale() const {
  const int f = c_.frac_bits;
  if (!c_.scale_attention) return {1, f};
  const std::size_t d = c_.head_dim;
  if (is_pow2(d) && std::countr_zero(d) % 2 == 0) return {1, f + std::countr_zero(d) / 2};
  // 1/sqrt(d) is not a power of two: multiply by round(2^f / sqrt(d)) (scale 3f), shift by 2f.
  const double m = std::nearbyint(std::ldexp(1.0, f) / std::sqrt(static_cast<double>(d)));
  return {static_cast<u64>(m), 2 * f};
}

Tensor Transformer::embed(Ops& ops, std::span<const u64> input) const {
  return ops.input(1, {rows(), c_.hidden}, input);
}

LayerParams Transformer::load_layer(Ops& ops, const TensorMap& w) const {
  const bool ln = c_.norm == NormKind::kLayerNorm;
  LayerParams p;
  p.qkv_w = load(ops, w, "attn.qkv.weight", true, Use::kProduct);
  p.qkv_b = load(ops, w, "attn.qkv.bias", c_.qkv_bias);
  p.out_w = load(ops, w, "attn.out.weight", true, Use::kProduct);
  p.out_b = load(ops, w, "attn.out.bias", c_.out_bias);
  p.norm1_g = load(ops, w, "norm1.weight", true);
  p.norm1_b = load(ops, w, "norm1.bias", ln);
  p.up_w = load(ops, w, "mlp.up.weight", true, Use::kProduct);
  p.up_b = load(ops, w, "mlp.up.bias", c_.mlp_bias);
  p.down_w = load(ops, w, "mlp.down.weight", true, Use::kProduct);
  p.down_b = load(ops, w, "mlp.down.bias", c_.mlp_bias);
  p.norm2_g = load(ops, w, "norm2.weight", true);
  p.norm2_b = load(ops, w, "norm2.bias", ln);
  return p;
}

HeadParams Transformer::load_head(Ops& ops, const TensorMap& w) const {
  HeadParams p;
  if (!c_.final_norm) return p;
  p.norm_g = load(ops, w, "final_norm.weight", true);
  p.norm_b = load(ops, w, "final_norm.bias", c_.norm == NormKind::kLayerNorm);
  return p;
}

TensorMap Transformer::shape_only_layer() const {
  TensorMap m;
  for (const auto& s : layer_specs(c_)) m[s.name] = WeightTensor{s.shape, s.frac_bits, {}};
  return m;
}

TensorMap Transformer::shape_only_head() const {
  TensorMap m;
  for (const auto& s : final_specs(c_)) m[s.name] = WeightTensor{s.shape, s.frac_bits, {}};
  return m;
}

Tensor Transformer::projection(Ops& ops, const Tensor& x, const Tensor& w, const Tensor& b,
                               std::size_t in, std::size_t out) const {
  Ops::Region r(ops, profiling::scopes::kLinear);
  MatmulShape s;
  s.m = rows_of(x, in);
  s.k = in;
  s.n = out;
  s.shared_b = true;
  Tensor y = ops.matmul(x, w, s);
  if (!b.shape.empty()) y = ops.add_bias(y, b);  // bias at scale 2f, before the truncation
  return y;
}

Tensor Transformer::linear(Ops& ops, const Tensor& x, const Tensor& w, const Tensor& b,
                           std::size_t in, std::size_t out) const {
  return ops.truncate(projection(ops, x, w, b, in, out), c_.frac_bits, TruncKind::kFloor);
}

Tensor Transformer::norm(Ops& ops, const Tensor& x, const Tensor& g, const Tensor& b) const {
  if (c_.norm == NormKind::kRmsNorm) return ops.rmsnorm(x, g, c_.hidden);
  return ops.layernorm(x, g, b, c_.hidden);
}

Transformer::AttentionInputs Transformer::attention_inputs(Ops& ops, const LayerParams& p,
                                                           const Tensor& x) const {
  const std::size_t h = c_.hidden, heads = c_.heads, d = c_.head_dim, S = seq_, B = batch_;
  const int f = c_.frac_bits;
  Tensor normed;
  if (c_.pre_ln) normed = norm(ops, x, p.norm1_g, p.norm1_b);
  const Tensor& in = c_.pre_ln ? normed : x;
  AttentionInputs a;
  {
    Tensor qkv = linear(ops, in, p.qkv_w, p.qkv_b, h, 3 * h);
    Ops::Region r(ops, profiling::scopes::kMisc);
    a.q = ops.transpose_heads(slice_cols(qkv, rows(), 3 * h, 0, h), B, S, heads, d, false);
    a.k = ops.transpose_heads(slice_cols(qkv, rows(), 3 * h, h, h), B, S, heads, d, false);
    a.v = ops.transpose_heads(slice_cols(qkv, rows(), 3 * h, 2 * h, h), B, S, heads, d, false);
  }
  if (c_.rotary) {
    // RoPE: a public linear map (scale f -> 2f), then one truncation for Q and K together.
    Tensor qk;
    {
      Ops::Region r(ops, profiling::scopes::kLinear, "rope");
      Tensor rq = rope_rotate(a.q, B * heads, S, d, f, ops.ring());
      Tensor rk = rope_rotate(a.k, B * heads, S, d, f, ops.ring());
      qk.shape = {2 * B * heads * S, d};
      qk.data = std::move(rq.data);
      qk.data.insert(qk.data.end(), rk.data.begin(), rk.data.end());
    }
    qk = ops.truncate(qk, f, TruncKind::kFloor);
    Ops::Region r(ops, profiling::scopes::kMisc);
    const std::size_t half = B * heads * S * d;
    a.q.data.assign(qk.data.begin(), qk.data.begin() + (qk.data.empty() ? 0 : half));
    a.k.data.assign(qk.data.begin() + (qk.data.empty() ? 0 : half), qk.data.end());
  }
  return a;
}

Tensor Transformer::attention_rows(Ops& ops, std::size_t l, const LayerParams& p,
                                   const AttentionInputs& in, std::size_t r0,
                                   std::size_t r1) const {
  const std::size_t h = c_.hidden, heads = c_.heads, d = c_.head_dim, S = seq_, B = batch_;
  const int f = c_.frac_bits;
  const bool whole = r0 == 0 && r1 == S;
  const std::size_t C = r1 - r0;
  // A decoder's chunk of queries sees the keys up to its last row; the whole sequence's causal
  // product keeps only its lower triangle (MatmulShape::causal), a chunk's is a rectangle whose
  // entries above the diagonal the gather below leaves out.
  const std::size_t keys = c_.causal ? r1 : S;
  Tensor scores;
  {
    Ops::Region r(ops, profiling::scopes::kLinear);
    MatmulShape s;
    s.batches = B * heads;
    s.m = C;
    s.k = d;
    s.n = keys;
    s.transpose_b = true;  // K stored S x d
    s.causal = c_.causal && whole;
    scores = ops.matmul(whole ? in.q : slice_rows(in.q, B * heads, S, d, r0, C),
                        keys == S ? in.k : slice_rows(in.k, B * heads, S, d, 0, keys), s);
  }
  scores = rescale_scores(ops, scores, B * heads * C, keys, c_.causal ? r0 : 0);
  if (c_.attention_type(l) == AttentionType::kLocal && S > c_.window) {
    // GPT-Neo local attention: query i sees keys j with i - window < j <= i. The causal softmax
    // masks j > i; keys older than the window get a large negative public offset.
    Ops::Region r(ops, profiling::scopes::kSoftmax, "mask");
    const Ring ring = ops.ring();
    std::vector<u64> offset(B * heads * C * keys, 0);
    const u64 neg = to_fixed(kMaskedScore, f, ring);
    for (std::size_t bh = 0; bh < B * heads; ++bh)
      for (std::size_t i = std::max(r0, c_.window); i < r1; ++i)
        for (std::size_t j = 0; j + c_.window <= i; ++j)
          offset[(bh * C + (i - r0)) * keys + j] = neg;
    scores = add_public(ops, scores, offset);
  }
  Tensor probs = ops.softmax(scores, keys, {.causal = c_.causal, .first_row = c_.causal ? r0 : 0});
  scores = {};
  Tensor ctx;
  {
    Ops::Region r(ops, profiling::scopes::kLinear);
    MatmulShape s;
    s.batches = B * heads;
    s.m = C;
    s.k = keys;
    s.n = d;
    ctx = ops.matmul(probs, keys == S ? in.v : slice_rows(in.v, B * heads, S, d, 0, keys), s);
  }
  probs = {};
  ctx = ops.truncate(ctx, f, TruncKind::kFloor);
  {
    Ops::Region r(ops, profiling::scopes::kMisc);
    ctx = ops.transpose_heads(ctx, B, C, heads, d, true);
  }
  return linear(ops, ctx, p.out_w, p.out_b, h, h);
}

Tensor Transformer::rescale_scores(Ops& ops, const Tensor& scores, std::size_t rows, std::size_t S,
                                   std::size_t first_row) const {
  const AttentionScale sc = attention_scale();
  // One TruncRescale scope around the local steps too (a lone truncate opens its own).
  std::optional<Ops::Region> r;
  if (c_.causal || sc.multiplier != 1) r.emplace(ops, profiling::scopes::kTruncRescale);
  // A causal product holds only its lower triangle (MatmulShape::causal), and the softmax reads no
  // more: truncate just those entries, as SIGMA does (its isLowerTriangular layout). Gathering and
  // scattering them is local (public positions).
  const auto lens = fss::sigma::causal_row_lengths(c_.causal ? rows : 0, S, first_row);
  Tensor t = c_.causal ? fss::sigma::gather_ragged(ops, scores, S, lens) : scores;
  if (sc.multiplier != 1) t = ops.mul_const(t, sc.multiplier);
  t = ops.truncate(t, sc.shift, TruncKind::kFloor);
  if (!c_.causal) return t;
  Tensor out = fss::sigma::scatter_ragged(ops, t, S, lens);
  out.shape = scores.shape;
  return out;
}

Tensor Transformer::mlp(Ops& ops, const LayerParams& p, const Tensor& x) const {
  const std::size_t h = c_.hidden, inter = c_.intermediate;
  const int f = c_.frac_bits;
  Tensor a;
  if (c_.gated_mlp) {
    Tensor up = linear(ops, x, p.up_w, p.up_b, h, 2 * inter);
    Tensor gate, val;
    {
      Ops::Region r(ops, profiling::scopes::kMisc);
      const std::size_t n = rows_of(x, h);
      gate = slice_cols(up, n, 2 * inter, 0, inter);
      val = slice_cols(up, n, 2 * inter, inter, inter);
    }
    up = {};
    gate = c_.activation == ActivationKind::kSilu ? ops.silu(gate) : ops.gelu(gate);
    a = ops.truncate(ops.mul(gate, val), f, TruncKind::kFloor);
  } else {
    // The activation truncates the projection itself (one fused gate where the suite has it).
    Tensor up = projection(ops, x, p.up_w, p.up_b, h, inter);
    a = c_.activation == ActivationKind::kSilu ? ops.trunc_silu(up, f) : ops.trunc_gelu(up, f);
  }
  return linear(ops, a, p.down_w, p.down_b, inter, h);
}

Tensor Transformer::layer(Ops& ops, std::size_t l, const LayerParams& p, const Tensor& x) const {
  return layer_rows(ops, l, p, x, attention_inputs(ops, p, x), 0, seq_);
}

Tensor Transformer::layer_rows(Ops& ops, std::size_t l, const LayerParams& p, const Tensor& x,
                               const AttentionInputs& in, std::size_t r0, std::size_t r1) const {
  if (l >= c_.layers)
    throw std::out_of_range("layer " + std::to_string(l) + " of a " + std::to_string(c_.layers) +
                            "-layer model");
  const bool whole = r0 == 0 && r1 == seq_;
  if (!whole && (r0 >= r1 || r1 > seq_ || batch_ != 1))
    throw std::invalid_argument("layer_rows: rows [" + std::to_string(r0) + ", " +
                                std::to_string(r1) + ") of a batch of " + std::to_string(batch_) +
                                " x seq " + std::to_string(seq_) +
                                ": a part of the rows needs one sequence and 0 <= r0 < r1 <= seq");
  const Tensor xs = whole ? x : slice_rows(x, 1, seq_, c_.hidden, r0, r1 - r0);
  if (c_.pre_ln) {
    // x + Attn(Norm1(x)), then h + MLP(Norm2(h)) (GPT-2, GPT-Neo, Llama).
    Tensor hid;
    {
      Tensor a = attention_rows(ops, l, p, in, r0, r1);
      Ops::Region r(ops, profiling::scopes::kMisc);
      hid = ops.add(xs, a);
    }
    Tensor m = mlp(ops, p, norm(ops, hid, p.norm2_g, p.norm2_b));
    Ops::Region r(ops, profiling::scopes::kMisc);
    return ops.add(hid, m);
  }
  // BERT (post-LN): h = Norm1(x + Attn(x)); out = Norm2(h + MLP(h)).
  Tensor sum;
  {
    Tensor a = attention_rows(ops, l, p, in, r0, r1);
    Ops::Region r(ops, profiling::scopes::kMisc);
    sum = ops.add(xs, a);
  }
  const Tensor hid = norm(ops, sum, p.norm1_g, p.norm1_b);
  sum = {};
  {
    Tensor m = mlp(ops, p, hid);
    Ops::Region r(ops, profiling::scopes::kMisc);
    sum = ops.add(hid, m);
  }
  return norm(ops, sum, p.norm2_g, p.norm2_b);
}

std::vector<u64> Transformer::head(Ops& ops, const HeadParams& p, const Tensor& x) const {
  if (c_.final_norm) return ops.reveal(norm(ops, x, p.norm_g, p.norm_b));
  return ops.reveal(x);
}

std::vector<u64> Transformer::forward(Ops& ops, const WeightSource* weights,
                                      std::span<const u64> input) const {
  Tensor h = embed(ops, input);
  for (std::size_t l = 0; l < c_.layers; ++l) {
    const LayerParams p = load_layer(ops, weights ? weights->layer(l) : shape_only_layer());
    h = layer(ops, l, p, h);
  }
  const HeadParams hp = load_head(ops, weights ? weights->final_norm() : shape_only_head());
  return head(ops, hp, h);
}

}  // namespace secinfer::models
