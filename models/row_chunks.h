// A layer in row chunks of one sequence, so that the keys held at once are a chunk's (docs/design/
// row-chunks.md). When even one sequence's keys for a layer do not fit the memory budget, the
// layer-by-layer schedule takes the layer as units, each unit's keys dealt and consumed in turn:
// unit 0 the attention's inputs for every row (Transformer::attention_inputs: Q, K, V), then unit
// 1 + c the output rows of chunk c (Transformer::layer_rows: its queries' attention, the output
// projection, the norms and the MLP). The dealer (DealerOps, on masks) and the party (PartyOps, on
// masked values) each run one over the same units in the same order, so their call sequences
// agree; the output is the whole layer's, bit for bit.
//
//   RowChunkedLayer dl(t, l, 128), pl(t, l, 128);
//   for (std::size_t u = 0; u < dl.units(); ++u) {
//     dl.run(dops, u, dealt, hd);  // offline: this unit's keys
//     pl.run(pops, u, loaded, hp); // online: this unit
//   }
//   hd = dl.output(); hp = pl.output();
#pragma once

#include <cstddef>
#include <vector>

#include "models/transformer.h"

namespace secinfer::models {

// The smallest chunk a run tries (one row: the key memory of a layer is then its attention inputs'
// and one query row's).
inline constexpr std::size_t kMinChunkRows = 1;

class RowChunkedLayer {
 public:
  // Chunks of `chunk_rows` rows (the last one may be shorter); 0, or at least the sequence: one
  // unit, the whole layer (Transformer::layer). Chunks need batch 1 (std::invalid_argument).
  RowChunkedLayer(const Transformer& t, std::size_t layer, std::size_t chunk_rows);

  // 1 (the whole layer), or 1 + the number of chunks.
  std::size_t units() const { return units_; }
  // Unit u, in order from 0, on `ops`, with the layer's weights and its input x (every row).
  void run(Ops& ops, std::size_t u, const LayerParams& p, const Tensor& x);
  // The layer's output after its last unit (std::logic_error before).
  Tensor output();

  // Units of a layer with chunks of `chunk_rows` rows of a sequence of `seq`.
  static std::size_t units_for(std::size_t seq, std::size_t chunk_rows);

 private:
  const Transformer& t_;
  std::size_t layer_, chunk_rows_, units_, next_ = 0;
  Transformer::AttentionInputs in_;
  std::vector<Tensor> parts_;
};

}  // namespace secinfer::models
