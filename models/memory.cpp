#include "models/memory.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <tuple>

#include "fss/engine/dealer.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "fss/gates/sigma/softmax.h"
#include "models/row_chunks.h"
#include "models/trace_ops.h"
#include "models/transformer.h"
#include "models/weights.h"

namespace secinfer::models {

namespace {

using fss::engine::Dealer;
using fss::engine::DealerOps;
using fss::engine::KeyWriter;
using Kind = TracedOp::Kind;

constexpr std::size_t kCalibElements = 512;
// The in-memory key FIFO (fss/engine/key_stream.h KeyBuffer) is a std::vector: its capacity can
// reach twice the bytes it holds.
constexpr std::uint64_t kKeyBufferGrowth = 2;
// Temporaries inside composite gates, as multiples of their output (softmax: differences, exps,
// products; norms: centred values, products).
constexpr std::uint64_t kSoftmaxTemporaries = 6;
constexpr std::uint64_t kNormTemporaries = 4;
constexpr std::uint64_t kBaselineBytes = std::uint64_t{128} << 20;  // program, tables, buffers

std::uint64_t packed(std::uint64_t count, int bits) {
  return (count * bits + 7) / 8;
}

// Key bytes of gate calls, measured on small instances of the real gates (discarded keys).
class KeyCalibrator {
 public:
  KeyCalibrator(fss::Ring ring, int frac_bits, const fss::engine::GateSuite& gates, int party,
                fss::engine::GateOptions gate_options)
      : ring_(ring), f_(frac_bits), gates_(gates), party_(party), gate_options_(gate_options) {}

  std::uint64_t bytes(const TracedOp& op) {
    const int n = ring_.bits;
    switch (op.kind) {
      case Kind::kLocal:
        return 0;
      case Kind::kInput:
        return fss::engine::kRecordHeaderBytes + (op.owner == party_ ? packed(op.elements, n) : 0);
      case Kind::kWeightShares:  // linear.h weight_shares_keygen: [r_W], n bits each
        return fss::engine::kRecordHeaderBytes + packed(op.elements, n);
      case Kind::kReveal:
        return fss::engine::kRecordHeaderBytes + packed(op.elements, n);
      case Kind::kMatmul: {
        // linear.h: shares of r_A (M K per batch), r_B (K N, once if shared; none where B is a
        // weight whose shares came with it), r_A r_B + r_C (M N per batch; the lower triangle
        // only when causal), n bits each.
        const auto& s = op.mm;
        const std::uint64_t out =
            s.causal ? s.batches * s.m * (s.m + 1) / 2 : s.batches * s.m * s.n;
        const std::uint64_t b_shares =
            op.b_shares_dealt ? 0 : packed((s.shared_b ? 1 : s.batches) * s.k * s.n, n);
        return fss::engine::kRecordHeaderBytes + packed(s.batches * s.m * s.k, n) + b_shares +
               packed(out, n);
      }
      case Kind::kSoftmax: {
        // Calibrated without the causal mask; a causal softmax keys only the lower triangle.
        const double per_elem = per_element(op, 2 * op.cols);
        const std::size_t rows = op.cols ? op.elements / op.cols : 0;
        std::size_t elems = op.elements;
        if (op.mask.causal) {
          const auto lens = fss::sigma::causal_row_lengths(rows, op.cols, op.mask.first_row);
          elems = std::accumulate(lens.begin(), lens.end(), std::size_t{0});
        }
        return static_cast<std::uint64_t>(per_elem * static_cast<double>(elems));
      }
      case Kind::kLayerNorm:
      case Kind::kRmsNorm:
      case Kind::kMax:
      case Kind::kMulRowwise:
        return static_cast<std::uint64_t>(
            per_element(op, 2 * op.cols) *
            static_cast<double>(op.kind == Kind::kMax ? op.in_elements : op.elements));
      default:
        return static_cast<std::uint64_t>(per_element(op, kCalibElements) *
                                          static_cast<double>(op.elements));
    }
  }

 private:
  using CacheKey = std::tuple<int, const void*, std::size_t, int, int, bool>;

  double per_element(const TracedOp& op, std::size_t count) {
    const CacheKey key{static_cast<int>(op.kind),  op.gate,       op.cols, op.shift,
                       static_cast<int>(op.trunc), op.mask.causal};
    const auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    KeyWriter w0 = KeyWriter::discard(), w1 = KeyWriter::discard();
    w0.set_charge(false);
    w1.set_charge(false);
    Dealer d(ring_, f_, fss::Block{0x6d656d6f7279ull, 1}, w0, w1);
    d.set_gate_options(gate_options_);
    DealerOps ops(d, gates_, party_);
    Tensor a = Tensor::zeros(
        {count / std::max<std::size_t>(op.cols, 1), std::max<std::size_t>(op.cols, 1)});
    const std::uint64_t before = d.key_bytes(party_);
    switch (op.kind) {
      case Kind::kMul:
        ops.mul(a, a);
        break;
      case Kind::kSquare:
        ops.square(a);
        break;
      case Kind::kMulRowwise:
        ops.mul_rowwise(a, Tensor::zeros({a.shape[0]}), op.cols);
        break;
      case Kind::kTruncate:
        ops.truncate(a, op.shift, op.trunc);
        break;
      case Kind::kRelu:
        ops.relu(a, op.bits);
        break;
      case Kind::kMax:
        ops.max_last(a, op.cols, op.bits);
        break;
      case Kind::kUnary:
        ops.unary(*op.gate, a, op.args);
        break;
      case Kind::kSoftmax:
        ops.softmax(a, op.cols, {});
        break;
      case Kind::kLayerNorm: {
        const Tensor g = Tensor::zeros({op.cols});
        ops.layernorm(a, g, g, op.cols);
        break;
      }
      case Kind::kRmsNorm:
        ops.rmsnorm(a, Tensor::zeros({op.cols}), op.cols);
        break;
      default:
        break;
    }
    const double v =
        static_cast<double>(d.key_bytes(party_) - before) / static_cast<double>(a.size());
    cache_[key] = v;
    return v;
  }

  fss::Ring ring_;
  int f_;
  const fss::engine::GateSuite& gates_;
  int party_;
  fss::engine::GateOptions gate_options_;
  std::map<CacheKey, double> cache_;
};

double gib(std::uint64_t b) {
  return static_cast<double>(b) / (1024.0 * 1024.0 * 1024.0);
}

}  // namespace

const char* schedule_name(Schedule s) {
  return s == Schedule::kLayerByLayer ? "layer-by-layer" : "keys-first";
}

std::string format_bytes(std::uint64_t b) {
  char buf[64];
  if (b >= (std::uint64_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", gib(b));
  else
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(b) / (1024.0 * 1024.0));
  return buf;
}

std::string MemoryEstimate::describe() const {
  return "needs " + format_bytes(needed_bytes) + " (keys " + format_bytes(peak_key_bytes) +
         " held at once, " + format_bytes(key_bytes_per_run) + " per run; activations " +
         format_bytes(peak_activation_bytes) + "; weights " + format_bytes(peak_weight_bytes) +
         "; schedule " + schedule_name(schedule) +
         (chunk_rows ? ", layers in chunks of " + std::to_string(chunk_rows) + " rows" : "") + ")";
}

nlohmann::json MemoryEstimate::to_json() const {
  nlohmann::json steps_j = nlohmann::json::array();
  for (const auto& s : steps)
    steps_j.push_back({{"step", s.name},
                       {"key_bytes", s.key_bytes},
                       {"activation_bytes", s.activation_bytes},
                       {"weight_bytes", s.weight_bytes}});
  return {{"party", party},
          {"schedule", schedule_name(schedule)},
          {"chunk_rows", chunk_rows},
          {"key_bytes_per_run", key_bytes_per_run},
          {"peak_key_bytes", peak_key_bytes},
          {"unit_key_bytes", unit_key_bytes},
          {"peak_activation_bytes", peak_activation_bytes},
          {"peak_weight_bytes", peak_weight_bytes},
          {"needed_bytes", needed_bytes},
          {"steps", steps_j}};
}

bool weights_masked_once(const ModelConfig& c) {
  return static_cast<std::uint64_t>(layer_weight_count(c)) * c.layers <= kWeightsOnceMaxElements;
}

MemoryEstimate estimate_memory(const ModelConfig& c, std::size_t batch, std::size_t seq,
                               const fss::engine::GateSuite& gates, int party,
                               const EstimateOptions& options) {
  const Schedule schedule = options.schedule;
  const std::size_t chunk_rows = options.chunk_rows;
  const Transformer t(c, batch, seq);
  TraceOps trace(fss::Ring{c.ring_bits}, c.frac_bits, gates);
  // The same steps a runner takes, each as its units (a layer in row chunks: RowChunkedLayer's);
  // the trace's step index is the unit's.
  std::vector<std::size_t> unit_step;
  auto begin_unit = [&](std::size_t step) {
    trace.set_step(unit_step.size());
    unit_step.push_back(step);
  };
  begin_unit(0);
  Tensor h = t.embed(trace, {});
  for (std::size_t l = 0; l < c.layers; ++l) {
    begin_unit(l + 1);
    const LayerParams p = t.load_layer(trace, t.shape_only_layer());
    RowChunkedLayer layer(t, l, chunk_rows);
    for (std::size_t u = 0; u < layer.units(); ++u) {
      if (u > 0) begin_unit(l + 1);
      layer.run(trace, u, p, h);
    }
    h = layer.output();
  }
  begin_unit(c.layers + 1);
  t.head(trace, t.load_head(trace, t.shape_only_head()), h);

  MemoryEstimate m;
  m.party = party;
  m.schedule = schedule;
  m.chunk_rows = RowChunkedLayer::units_for(seq, chunk_rows) > 1 ? chunk_rows : 0;
  m.steps.resize(c.layers + 2);
  m.steps.front().name = "embed";
  for (std::size_t l = 0; l < c.layers; ++l) m.steps[l + 1].name = "layer " + std::to_string(l);
  m.steps.back().name = "head";
  KeyCalibrator cal(fss::Ring{c.ring_bits}, c.frac_bits, gates, party, options.gate_options);
  std::vector<std::uint64_t> unit_keys(unit_step.size()), unit_act(unit_step.size());
  for (const TracedOp& op : trace.ops()) {
    const std::size_t step = unit_step[op.step];
    StepMemory& s = m.steps[step];
    unit_keys[op.step] += cal.bytes(op);
    std::uint64_t act = op.elements * 8;
    if (op.kind == Kind::kSoftmax) act *= kSoftmaxTemporaries;
    if (op.kind == Kind::kLayerNorm || op.kind == Kind::kRmsNorm) act *= kNormTemporaries;
    if (op.kind == Kind::kInput && step > 0 && step <= c.layers) {
      // A weight: party 0 holds its values and the masked tensor, party 1 the masked tensor.
      s.weight_bytes += op.elements * 8 * (party == 0 ? 2 : 1);
    } else if (op.kind == Kind::kWeightShares) {
      s.weight_bytes += op.elements * 8;  // the party's share of the weight's mask, kept
    } else {
      unit_act[op.step] += act;
    }
  }
  // A step's keys are its units'; its activations, those of its first unit (a chunked layer's Q,
  // K and V, alive through its chunks) and of its largest other unit.
  std::vector<std::uint64_t> step_later_act(m.steps.size());
  std::vector<bool> step_seen(m.steps.size());
  for (std::size_t u = 0; u < unit_step.size(); ++u) {
    StepMemory& s = m.steps[unit_step[u]];
    s.key_bytes += unit_keys[u];
    m.peak_key_bytes = std::max(m.peak_key_bytes, unit_keys[u]);
    if (!step_seen[unit_step[u]])
      s.activation_bytes += unit_act[u];
    else
      step_later_act[unit_step[u]] = std::max(step_later_act[unit_step[u]], unit_act[u]);
    step_seen[unit_step[u]] = true;
  }
  std::uint64_t all_weights = 0;
  for (std::size_t i = 0; i < m.steps.size(); ++i) {
    StepMemory& s = m.steps[i];
    s.activation_bytes += step_later_act[i];
    m.key_bytes_per_run += s.key_bytes;
    // The dealer's masks mirror the party's tensors in this process (inline dealer).
    m.peak_activation_bytes = std::max(m.peak_activation_bytes, 2 * s.activation_bytes);
    m.peak_weight_bytes = std::max(m.peak_weight_bytes, s.weight_bytes);
    all_weights += s.weight_bytes;
  }
  if (schedule == Schedule::kKeysFirst) m.peak_key_bytes = m.key_bytes_per_run;
  // Every layer's masked weights held at once: loaded offline (keys first), or the model input
  // kept for every run, with the inline dealer's masks beside them (8 bytes a weight).
  if (options.weights_once.value_or(weights_masked_once(c)))
    m.peak_weight_bytes =
        all_weights + 8 * static_cast<std::uint64_t>(layer_weight_count(c)) * c.layers;
  else if (schedule == Schedule::kKeysFirst)
    m.peak_weight_bytes = all_weights;
  m.unit_key_bytes = m.peak_key_bytes;
  m.peak_key_bytes *= kKeyBufferGrowth;
  m.needed_bytes =
      m.peak_key_bytes + m.peak_activation_bytes + m.peak_weight_bytes + kBaselineBytes;
  return m;
}

std::uint64_t available_memory_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("MemAvailable:", 0) == 0) {
      std::istringstream ss(line.substr(13));
      std::uint64_t kb = 0;
      ss >> kb;
      return kb * 1024;
    }
  }
  return 0;
}

}  // namespace secinfer::models
