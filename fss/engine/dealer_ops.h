// Ops of the offline phase: a tensor holds the MASKS r of its elements; every gate op calls the
// gate's *_keygen face on the dealer, which draws the output masks and writes the keys. Run the
// model once on DealerOps, then the same call sequence on PartyOps consumes the keys in order.
//
// Key bytes per scope: every key byte written for this party (Dealer::out(party)) is charged to
// the innermost open offline profiling scope (KeyWriter, profiling::charge_key_bytes) and also
// tallied here by this Ops' scope path (key_bytes_by_scope), which needs no recorder.
#pragma once

#include <map>
#include <string>

#include "fss/engine/dealer.h"
#include "fss/engine/ops_base.h"

namespace secinfer::fss::engine {

class DealerOps final : public OpsBase {
 public:
  // `party`: whose key bytes to tally (0 or 1; the dealer writes both parties' keys).
  DealerOps(Dealer& dealer, const GateSuite& gates, int party = 0);

  Dealer& dealer() { return *d_; }

  Tensor input(int owner, std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight(std::vector<std::size_t> shape, std::span<const u64> values) override;
  Tensor weight_matrix(std::vector<std::size_t> shape, std::span<const u64> values) override;
  // Writes the masks so that reveal_eval can unmask; returns zeros (the dealer learns nothing).
  std::vector<u64> reveal(const Tensor& x) override;
  Tensor add_const(const Tensor& a, u64 c) override;
  Tensor matmul(const Tensor& a, const Tensor& b, const MatmulShape& s) override;
  Tensor mul(const Tensor& a, const Tensor& b) override;
  Tensor mul_rowwise(const Tensor& a, const Tensor& b, std::size_t cols) override;
  Tensor square(const Tensor& a) override;
  Tensor truncate(const Tensor& a, int shift, TruncKind kind) override;
  Tensor relu(const Tensor& a, int bits) override;
  Tensor max_last(const Tensor& a, std::size_t cols, int bits) override;
  Tensor unary(const UnaryGate& g, const Tensor& a, const GateArgs& args) override;

  // Key bytes of `party` by scope path ("" = outside any scope), since construction.
  const std::map<std::string, std::uint64_t>& key_bytes_by_scope();

 protected:
  void on_scope_change() override;

 private:
  Dealer* d_;
  int party_;
  std::uint64_t last_bytes_ = 0;
  std::string last_path_;
  std::map<std::string, std::uint64_t> by_scope_;
};

}  // namespace secinfer::fss::engine
