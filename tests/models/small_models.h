// Test helper: model shapes smaller than the registry's, for checks that need a feature the small
// registry models lack.
#pragma once

#include "models/config.h"
#include "models/registry.h"

namespace secinfer::models::test {

// A GPT-Neo-shaped model small enough for tests: layer 0 global, layer 1 local with a window of
// 8, so that a sequence of a few dozen tokens reaches past the window.
inline ModelConfig small_gpt_neo() {
  ModelConfig c = find_model("gpt-neo-125m");
  c.name = "gpt-neo-small-window";
  c.layers = 2;
  c.hidden = 128;
  c.heads = 2;
  c.head_dim = 64;
  c.intermediate = 256;
  c.attention_types.resize(2);
  c.window = 8;
  return c;
}

}  // namespace secinfer::models::test
