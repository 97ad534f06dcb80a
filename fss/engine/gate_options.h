// Protocol choices of a run's gates that are not part of a gate's arguments. The dealer and both
// parties must hold the same ones (they change the keys and the messages); the run records them
// in its configuration (models/run_config.h), and key files carry them in their config hash.
#pragma once

namespace secinfer::fss::engine {

struct GateOptions {
  // The sigma suite's lookup tables (fss/gates/sigma/lut.h): SIGMA's own protocol (a 1-bit
  // early-terminated DPF, the sign and value opened, a sign select; the default, as SIGMA), or
  // the n-bit-output DPF lookup in one round ("improved sigma", reported as such).
  enum class Lut { kSigma, kNbit };
  Lut lut = Lut::kSigma;
};

}  // namespace secinfer::fss::engine
