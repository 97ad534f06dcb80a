// Token-id input: the client's (party 1's) token ids embedded as the model does, token[id] +
// position[pos] (+ token_type[0] for BERT), then BERT's embedding LayerNorm, with the tables kept
// by the model owner (party 0). docs/design/real-checkpoints.md says why.
//
//   std::vector<std::int64_t> ids = read_token_ids("prompt.json");   // [101, 7592, ...]
//   ids = fit_tokens(ids, seq);                                      // padded with 0, or refused
//   EmbedParams p = load_embedding(ops, c, batch, seq, vocab, &tables);   // offline: masked
//   Tensor h = embed_tokens(ops, c, batch, seq, vocab, p, one_hot(ids, batch, vocab));
//
// The lookup is a secure matmul of party 1's one-hot rows (rows x vocab, integers at scale 0) with
// party 0's token table (vocab x hidden at scale f): the product is at scale f with no
// truncation and exact (one term per row), so the secure embedding equals the table row bit for
// bit. Position (+ token type) rows are public positions of party 0's table, added as one masked
// weight tensor (local add). Cost: one secure matmul (rows x vocab) by (vocab x hidden); for
// bert-base at seq 128 as many multiply-adds as the linear layers of about three of its layers.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "fss/engine/ops.h"
#include "models/config.h"
#include "models/weights.h"

namespace secinfer::models {

using fss::engine::Ops;
using fss::engine::Tensor;

// Token ids from a file: a JSON array of non-negative integers ("[101, 7592, 102]", as a
// tokenizer's input_ids), or one integer per line (blank lines ignored). Throws
// std::runtime_error naming the file, the line or element, and the fix.
std::vector<std::int64_t> read_token_ids(const std::filesystem::path& path);

// The ids fitted to --seq: more than `seq` are refused (std::invalid_argument: pass --seq N or
// shorten the input); fewer are padded with id 0 at the end (BERT's [PAD]; a causal model's
// earlier positions do not see it, a bidirectional one attends to it, as without an attention
// mask). Empty input is refused.
std::vector<std::int64_t> fit_tokens(std::vector<std::int64_t> ids, std::size_t seq);

// batch x seq rows (the same sequence in every batch row), one-hot over `vocab` at scale 0.
// Throws std::invalid_argument for an id >= vocab.
std::vector<u64> one_hot(std::span<const std::int64_t> ids, std::size_t batch, std::size_t vocab);

// The embedding's weights as Ops tensors: token table, the position rows 0..seq-1 (plus
// token_type row 0) tiled over the batch, BERT's embedding LayerNorm. `tables` null: shapes only
// (the parties that do not own them).
struct EmbedParams {
  Tensor token, position, norm_g, norm_b;  // position empty for RoPE, norm_* empty but for BERT
};
EmbedParams load_embedding(Ops& ops, const ModelConfig& c, std::size_t batch, std::size_t seq,
                           std::size_t vocab, const EmbeddingTables* tables);

// Step 0 with token ids: rows x hidden at scale f. `one_hot_rows` may be empty where this party
// is not the client.
Tensor embed_tokens(Ops& ops, const ModelConfig& c, std::size_t batch, std::size_t seq,
                    std::size_t vocab, const EmbedParams& p, std::span<const u64> one_hot_rows);

}  // namespace secinfer::models
