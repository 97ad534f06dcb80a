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

  // How the dealer stores additive shares in the keys (Dealer::share, Party::read_shares):
  // packed to their bit width, or in SIGMA's containers (docs/design/sigma-fidelity.md D5: GPU-MPC
  // writes a share in the word of its gate's type, u64 for ring elements, u16 / u8 for values of
  // at most 16 / 8 bits, and packs 1- and 2-bit values). The values are the same either way.
  enum class Shares { kPacked, kWords };
  Shares shares = Shares::kPacked;

  // The bits a share of `bits` bits takes in the keys.
  constexpr int share_storage_bits(int bits) const {
    if (shares == Shares::kPacked || bits <= 2) return bits;
    return bits <= 8 ? 8 : bits <= 16 ? 16 : 64;
  }
};

}  // namespace secinfer::fss::engine
