// A batch of one party's additive key shares (ring elements of `bits` bits), the key material that
// an accelerator can hold from the offline phase like a DCF key batch: a masked matmul's
// weight-mask shares, one per weight element, are the largest non-DCF part of a layer's keys.
//
// In the key stream a batch is exactly the bytes that engine::Dealer::share writes (fss::pack_bits
// of the values), so a stream reads the same whether the dealer queued it as an object (inline
// mode, engine::KeyWriter::write_keys) or as bytes (a key file).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "fss/ring.h"

namespace secinfer::fss {

class ResidentKeys;  // fss/accelerator.h

struct ShareBatch {
  int bits = 64;
  std::size_t count = 0;
  std::vector<u64> values;  // [count]; released when an accelerator holds the batch
  // Read by the party's host code (Party::read_shares): an in-memory key stream hands the values
  // over as they are instead of packing and unpacking them, and never moves them to an
  // accelerator (engine::keep_batches_on).
  bool host = false;
  // Of those, the ones a gate reads as a vector (Dealer::share_vec, Party::read_shares_vec): moved
  // to the accelerator offline where the party's vectors live there (its vec_space()).
  bool vector = false;
  // The batch's copy in an accelerator's memory, if one made it (Accelerator::make_resident).
  std::shared_ptr<const ResidentKeys> resident{};
};

// ceil(count * bits / 8): the packed size in the key stream.
std::size_t serialized_size(const ShareBatch& s);
// The packed bytes (out.size() == serialized_size(s)); throws std::logic_error for a resident batch
// (no host values) and std::invalid_argument for a malformed one.
void serialize_keys(const ShareBatch& s, std::span<std::uint8_t> out);
std::vector<std::uint8_t> serialize_keys(const ShareBatch& s);

}  // namespace secinfer::fss
