#include "models/embedding.h"

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "profiling/scope_names.h"

namespace secinfer::models {

using fss::engine::MatmulShape;

std::vector<std::int64_t> read_token_ids(const std::filesystem::path& path) {
  const std::string p = "token file " + path.string() + ": ";
  std::ifstream in(path);
  if (!in) throw std::runtime_error(p + "cannot be opened: check the path and its permissions");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::size_t first = 0;
  while (first < text.size() && std::isspace(static_cast<unsigned char>(text[first]))) ++first;
  std::vector<std::int64_t> ids;
  if (first < text.size() && text[first] == '[') {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const std::exception& e) {
      throw std::runtime_error(p + "not valid JSON (" + e.what() +
                               "): write a JSON array of token ids, e.g. [101, 7592, 102]");
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (!j[i].is_number_integer() || j[i].get<std::int64_t>() < 0)
        throw std::runtime_error(p + "element " + std::to_string(i) + " (" + j[i].dump() +
                                 ") is not a non-negative integer token id");
      ids.push_back(j[i].get<std::int64_t>());
    }
  } else {
    std::istringstream lines(text);
    std::string line;
    for (std::size_t n = 1; std::getline(lines, line); ++n) {
      const auto b = line.find_first_not_of(" \t\r");
      if (b == std::string::npos) continue;
      const auto e = line.find_last_not_of(" \t\r");
      const std::string tok = line.substr(b, e - b + 1);
      std::size_t used = 0;
      long long v = -1;
      try {
        v = std::stoll(tok, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != tok.size() || v < 0)
        throw std::runtime_error(p + "line " + std::to_string(n) + " (\"" + tok +
                                 "\") is not a non-negative integer: write one token id a line "
                                 "or a JSON array");
      ids.push_back(v);
    }
  }
  if (ids.empty())
    throw std::runtime_error(p +
                             "holds no token ids: tokenise the text first (docs/design/"
                             "real-checkpoints.md)");
  return ids;
}

std::vector<std::int64_t> fit_tokens(std::vector<std::int64_t> ids, std::size_t seq) {
  if (ids.empty()) throw std::invalid_argument("--input: no token ids");
  if (ids.size() > seq)
    throw std::invalid_argument("--input holds " + std::to_string(ids.size()) +
                                " tokens but --seq is " + std::to_string(seq) + ": pass --seq " +
                                std::to_string(ids.size()) + " or shorten the input");
  ids.resize(seq, 0);
  return ids;
}

std::vector<u64> one_hot(std::span<const std::int64_t> ids, std::size_t batch, std::size_t vocab) {
  std::vector<u64> out(batch * ids.size() * vocab, 0);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < 0 || static_cast<std::size_t>(ids[i]) >= vocab)
      throw std::invalid_argument("token id " + std::to_string(ids[i]) + " at position " +
                                  std::to_string(i) + " is outside the vocabulary of " +
                                  std::to_string(vocab) +
                                  ": tokenise with the checkpoint's own tokenizer");
    for (std::size_t b = 0; b < batch; ++b)
      out[(b * ids.size() + i) * vocab + static_cast<std::size_t>(ids[i])] = 1;
  }
  return out;
}

EmbedParams load_embedding(Ops& ops, const ModelConfig& c, std::size_t batch, std::size_t seq,
                           std::size_t vocab, const EmbeddingTables* tables) {
  const std::size_t h = c.hidden, rows = batch * seq;
  const Ring r = ops.ring();
  EmbedParams p;
  p.token = ops.weight_matrix(
      {vocab, h}, tables ? std::span<const u64>(tables->token.data) : std::span<const u64>{});
  if (c.family != Family::kLlama) {  // absolute positions (Llama: RoPE inside attention)
    std::vector<u64> pos;
    if (tables) {
      pos.resize(rows * h);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t s = 0; s < seq; ++s)
          for (std::size_t j = 0; j < h; ++j) {
            u64 v = tables->position.data[s * h + j];
            if (!tables->token_type.data.empty()) v = r.add(v, tables->token_type.data[j]);
            pos[(b * seq + s) * h + j] = v;
          }
    }
    p.position = ops.weight({rows, h}, pos);
  }
  if (c.family == Family::kBert) {
    p.norm_g = ops.weight(
        {h}, tables ? std::span<const u64>(tables->norm_weight.data) : std::span<const u64>{});
    p.norm_b = ops.weight(
        {h}, tables ? std::span<const u64>(tables->norm_bias.data) : std::span<const u64>{});
  }
  return p;
}

Tensor embed_tokens(Ops& ops, const ModelConfig& c, std::size_t batch, std::size_t seq,
                    std::size_t vocab, const EmbedParams& p, std::span<const u64> one_hot_rows) {
  const std::size_t rows = batch * seq, h = c.hidden;
  const Tensor x = ops.input(1, {rows, vocab}, one_hot_rows);
  Tensor e;
  {
    // One-hot (scale 0) times the table (scale f): scale f, exact, no truncation.
    Ops::Region region(ops, profiling::scopes::kLinear);
    MatmulShape s;
    s.m = rows;
    s.k = vocab;
    s.n = h;
    s.shared_b = true;
    e = ops.matmul(x, p.token, s);
  }
  if (!p.position.shape.empty()) {
    Ops::Region region(ops, profiling::scopes::kMisc);
    e = ops.add(e, p.position);
  }
  if (c.family == Family::kBert) e = ops.layernorm(e, p.norm_g, p.norm_b, h);
  return e;
}

}  // namespace secinfer::models
