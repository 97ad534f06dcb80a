// Hugging Face safetensors files, read directly (no Python at run time), and written by tests.
//
//   SafetensorsFile f("model.safetensors");        // header validated when opened
//   if (f.has("wte.weight")) std::vector<float> v = f.read_float("wte.weight");
//   write_safetensors("tiny.safetensors", {{"wte.weight", {{64, 128}, values}}}, "F16");
//
// The format (github.com/huggingface/safetensors, "Format"):
//
//     bytes 0..7    N, unsigned 64-bit little-endian
//     bytes 8..     N bytes of JSON: {"__metadata__": {...} (optional),
//                   "<name>": {"dtype": "F32", "shape": [768, 2304], "data_offsets": [b, e]}, ...}
//     then          the data section; a tensor's bytes are [8 + N + b, 8 + N + e), little-endian,
//                   row-major
//
// Opening checks: the header length fits the file, the header is a JSON object, every entry has a
// dtype, a shape and offsets with e - b = (elements) x (dtype size), and every tensor lies inside
// the file (a truncated download is refused when opened, naming the first tensor past the end).
// Entries of any dtype are listed; read_float converts F32, F16 and BF16 (and F64) and throws for
// others (integer buffers such as BERT's position_ids are never read). Errors are
// std::runtime_error naming the file, the tensor and the fix.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace secinfer::models {

class SafetensorsFile {
 public:
  struct Entry {
    std::string dtype;  // "F32", "F16", "BF16", "I64", ...
    std::vector<std::size_t> shape;
    std::uint64_t begin = 0, end = 0;  // offsets in the data section
  };

  explicit SafetensorsFile(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const std::map<std::string, Entry>& tensors() const { return entries_; }
  bool has(const std::string& name) const { return entries_.count(name) != 0; }
  const Entry& at(const std::string& name) const;

  // The tensor's values as float (F32 as is; F16, BF16 widened exactly; F64 rounded). Throws
  // std::runtime_error for another dtype or a read failure.
  std::vector<float> read_float(const std::string& name) const;

  // True when the file starts like a safetensors file (a header length that fits the file,
  // followed by '{'); false for anything else, including unreadable files.
  static bool looks_like(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
  std::map<std::string, Entry> entries_;
  std::uint64_t data_start_ = 0;
  mutable std::ifstream in_;
};

// A tensor to write: shape and row-major values.
struct SafetensorsTensor {
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

// Writes `tensors` (in this order) as `dtype` "F32", "F16" (round to nearest even) or "BF16"
// (round to nearest even). Throws std::runtime_error when the file cannot be written or a
// tensor's values do not match its shape.
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, SafetensorsTensor>>& tensors,
                       const std::string& dtype = "F32");

// IEEE half and bfloat16 conversions (exposed for tests).
float half_to_float(std::uint16_t h);
std::uint16_t float_to_half(float f);
float bf16_to_float(std::uint16_t b);
std::uint16_t float_to_bf16(float f);

}  // namespace secinfer::models
