// A layer in row chunks (models/row_chunks.h) gives the whole layer's output bit for bit: in the
// clear for every model family (bidirectional, causal, GPT-Neo's local window, RoPE with a gated
// MLP) and chunk sizes that do and do not divide the sequence; securely (dealer and parties over
// loopback) for a causal model with a local window, whose chunks use SoftmaxMask::first_row.
#include "models/row_chunks.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/party_ops.h"
#include "fss/engine/two_party_runner.h"
#include "fss/gates/fusefss/suite.h"
#include "fss/gates/sigma/suite.h"
#include "models/memory.h"
#include "models/registry.h"
#include "models/runner.h"
#include "models/weights.h"
#include "tests/models/small_models.h"

using namespace secinfer;
using namespace secinfer::models;
using fss::engine::Ops;
using test::small_gpt_neo;

namespace {

// The whole pass with every layer in chunks of `chunk_rows` rows.
std::vector<u64> chunked_forward(Ops& ops, const Transformer& t, const WeightSource* w,
                                 std::span<const u64> input, std::size_t chunk_rows) {
  const ModelConfig& c = t.config();
  Tensor h = t.embed(ops, input);
  for (std::size_t l = 0; l < c.layers; ++l) {
    const LayerParams p = t.load_layer(ops, w ? w->layer(l) : t.shape_only_layer());
    RowChunkedLayer layer(t, l, chunk_rows);
    for (std::size_t u = 0; u < layer.units(); ++u) layer.run(ops, u, p, h);
    h = layer.output();
  }
  return t.head(ops, t.load_head(ops, w ? w->final_norm() : t.shape_only_head()), h);
}

}  // namespace

TEST_CASE("a layer in row chunks equals the whole layer in the clear", "[models][chunks]") {
  const std::size_t seq = 20;
  std::vector<ModelConfig> models = {find_model("bert-tiny"), find_model("gpt2-2l"),
                                     find_model("llama-tiny"), small_gpt_neo()};
  for (const ModelConfig& c : models) {
    const Transformer t(c, 1, seq);
    const RandomWeights w(c, 41);
    const auto input = make_input(c, 1, seq, 41);
    fss::engine::ClearOps clear(fss::Ring{c.ring_bits}, c.frac_bits, fss::sigma::suite());
    const std::vector<u64> whole = t.forward(clear, &w, input);
    for (const std::size_t rows : {1, 3, 7, 10, 19}) {
      INFO(c.name << ", chunks of " << rows << " rows");
      CHECK(RowChunkedLayer::units_for(seq, rows) == 1 + (seq + rows - 1) / rows);
      CHECK(chunked_forward(clear, t, &w, input, rows) == whole);
    }
  }
}

TEST_CASE("row chunks: one unit at or above the sequence, batch 1 only, units in order",
          "[models][chunks]") {
  const ModelConfig& c = find_model("bert-tiny");
  CHECK(RowChunkedLayer::units_for(16, 0) == 1);
  CHECK(RowChunkedLayer::units_for(16, 16) == 1);
  CHECK(RowChunkedLayer::units_for(16, 40) == 1);
  CHECK(RowChunkedLayer::units_for(16, 5) == 5);
  const Transformer two(c, 2, 16);
  CHECK_NOTHROW(RowChunkedLayer(two, 0, 0));
  CHECK_THROWS_WITH(RowChunkedLayer(two, 0, 4), Catch::Contains("one sequence at a time"));
  const Transformer one(c, 1, 16);
  RowChunkedLayer layer(one, 0, 4);
  fss::engine::ClearOps clear(fss::Ring{c.ring_bits}, c.frac_bits, fss::sigma::suite());
  const RandomWeights w(c, 3);
  const LayerParams p = one.load_layer(clear, w.layer(0));
  const Tensor x = one.embed(clear, make_input(c, 1, 16, 3));
  CHECK_THROWS_WITH(layer.run(clear, 1, p, x), Catch::Contains("out of order"));
  layer.run(clear, 0, p, x);
  CHECK_THROWS_WITH(layer.output(), Catch::Contains("after 1 of 5 units"));
}

TEST_CASE("a causal model with a local window in row chunks is bit-identical securely",
          "[models][chunks][secure]") {
  const ModelConfig c = small_gpt_neo();
  const std::size_t seq = 20, rows = 6;  // chunks 0-5, 6-11, 12-17, 18-19: the window inside
  const Transformer t(c, 1, seq);
  const RandomWeights w(c, 43);
  const auto input = make_input(c, 1, seq, 43);
  for (const fss::engine::GateSuite* suite : {&fss::sigma::suite(), &fss::fusefss::suite()}) {
    INFO(suite->name);
    fss::engine::ClearOps clear(fss::Ring{c.ring_bits}, c.frac_bits, *suite);
    const std::vector<u64> expected = t.forward(clear, &w, input);
    fss::engine::TwoPartyOptions opt;
    opt.ring = fss::Ring{c.ring_bits};
    opt.frac_bits = c.frac_bits;
    opt.dealer_seed = dealer_seed(43);
    auto res =
        fss::engine::run_two_party<std::vector<u64>>(opt, [&](fss::engine::PartyContext& ctx) {
          fss::engine::DealerOps dops(ctx.dealer(), *suite, ctx.id());
          ctx.offline([&] { chunked_forward(dops, t, nullptr, {}, rows); });
          std::vector<u64> out;
          ctx.online([&] {
            fss::engine::PartyOps pops(ctx.party(), *suite);
            out = chunked_forward(
                pops, t, ctx.id() == 0 ? &w : nullptr,
                ctx.id() == 1 ? std::span<const u64>(input) : std::span<const u64>(), rows);
          });
          return out;
        });
    CHECK(res[0].value == expected);
    CHECK(res[1].value == expected);
  }
}

TEST_CASE("row chunks bound the keys held at once", "[models][chunks][memory]") {
  const ModelConfig& c = find_model("gpt2-2l");
  const auto& suite = fss::fusefss::suite();
  const MemoryEstimate whole = estimate_memory(c, 1, 128, suite, 0);
  const MemoryEstimate chunked = estimate_memory(c, 1, 128, suite, 0, {.chunk_rows = 16});
  CHECK(whole.chunk_rows == 0);
  CHECK(chunked.chunk_rows == 16);
  CHECK(chunked.peak_key_bytes < whole.peak_key_bytes / 2);
  CHECK(chunked.needed_bytes < whole.needed_bytes);
  // Each chunk's products carry their own correlation of the keys' and values' masks: a run's
  // keys grow a little.
  CHECK(chunked.key_bytes_per_run >= whole.key_bytes_per_run);
  CHECK(chunked.describe().find("layers in chunks of 16 rows") != std::string::npos);
  CHECK(chunked.to_json()["chunk_rows"] == 16);
}
