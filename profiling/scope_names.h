// The breakdown's scope vocabulary (docs/design/product-spec.md "Scopes and the breakdown"): the
// top-level categories of a model run and the named steps of the FSS gates. Code opens its scopes
// with these names, never with literals, so that the runner, the reports, the scripts and the
// tests agree on one spelling.
#pragma once

namespace secinfer::profiling::scopes {

// Top-level categories.
inline constexpr const char* kLinear = "Linear";              // matmuls with their bias
inline constexpr const char* kTruncRescale = "TruncRescale";  // truncations after products
inline constexpr const char* kSoftmax = "Softmax";
inline constexpr const char* kLayerNorm = "LayerNorm";  // LayerNorm and RMSNorm
inline constexpr const char* kGelu = "Activation::GELU";
inline constexpr const char* kSilu = "Activation::SiLU";
inline constexpr const char* kRelu = "Activation::ReLU";
inline constexpr const char* kMisc = "Misc";  // inputs, reveals, reshapes, residual adds
// Time outside any scope of a run (the merge's name for it).
inline constexpr const char* kUnattributed = "Unattributed";

// Offline phase.
inline constexpr const char* kWeightInput = "WeightInput";  // masking the weights
inline constexpr const char* kKeyFile = "KeyFile";          // reading a dealer's key file

// Steps inside a gate.
inline constexpr const char* kKeyTransfer = "KeyTransfer";  // keys uploaded at evaluation
inline constexpr const char* kPackedCompare = "FSS::PackedCompare";
inline constexpr const char* kIntervalLookup = "FSS::IntervalLookup";
inline constexpr const char* kFusedLookup = "FSS::FusedLookup";  // the three above, one GPU pass
inline constexpr const char* kHorner = "Horner";
inline constexpr const char* kPostProcess = "PostProcess";

}  // namespace secinfer::profiling::scopes
