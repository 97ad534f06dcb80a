#include "fss/share_batch.h"

#include <stdexcept>
#include <string>

namespace secinfer::fss {

std::size_t serialized_size(const ShareBatch& s) {
  if (s.bits < 1 || s.bits > 64)
    throw std::invalid_argument("ShareBatch: bit width " + std::to_string(s.bits) +
                                " is outside [1, 64]");
  return packed_bytes(s.count, s.bits);
}

void serialize_keys(const ShareBatch& s, std::span<std::uint8_t> out) {
  if (s.resident)
    throw std::logic_error(
        "serialize_keys: this share batch was moved to an accelerator's memory (make_resident) "
        "and has no host values to write; a resident batch is handed over as an object only");
  if (s.values.size() != s.count)
    throw std::invalid_argument("ShareBatch: " + std::to_string(s.values.size()) +
                                " values for a count of " + std::to_string(s.count));
  if (out.size() != serialized_size(s))
    throw std::invalid_argument("serialize_keys: output holds " + std::to_string(out.size()) +
                                " bytes, the shares need " + std::to_string(serialized_size(s)));
  pack_bits(s.values, s.bits, out);
}

std::vector<std::uint8_t> serialize_keys(const ShareBatch& s) {
  std::vector<std::uint8_t> out(serialized_size(s));
  serialize_keys(s, out);
  return out;
}

}  // namespace secinfer::fss
