// RandomWeights keeps the layers it generated while the model fits its cache bound: a second
// request returns the same tensors as the first and as a fresh source of the same seed, and
// layers differ from each other.
#include <catch2/catch.hpp>

#include "models/registry.h"
#include "models/weights.h"

using namespace secinfer::models;

TEST_CASE("random weights are generated once per layer and stay equal", "[models][weights]") {
  const ModelConfig& c = find_model("bert-tiny");
  const RandomWeights w(c, 5), fresh(c, 5);
  for (std::size_t l = 0; l < c.layers; ++l) {
    const TensorMap first = w.layer(l), again = w.layer(l), other = fresh.layer(l);
    REQUIRE(first.size() == other.size());
    for (const auto& [name, t] : first) {
      CHECK(again.at(name).data == t.data);
      CHECK(other.at(name).data == t.data);
      CHECK(other.at(name).shape == t.shape);
    }
  }
  CHECK(w.layer(0).begin()->second.data != w.layer(1).begin()->second.data);
}
