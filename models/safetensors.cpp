#include "models/safetensors.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace secinfer::models {

// The data section is little-endian; it is read into memory as is.
static_assert(std::endian::native == std::endian::little,
              "safetensors reader: big-endian hosts are not supported");

namespace {

std::size_t dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2")
    return 1;
  return 0;
}

std::uint64_t numel(const std::vector<std::size_t>& shape) {
  std::uint64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

}  // namespace

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  const std::uint32_t exp = (h >> 10) & 0x1Fu, man = h & 0x3FFu;
  if (exp == 0) {  // zero or subnormal: man * 2^-24, exact in float
    const float v = std::ldexp(static_cast<float>(man), -24);
    return sign ? -v : v;
  }
  std::uint32_t bits;
  if (exp == 0x1F)
    bits = sign | 0x7F800000u | (man << 13);  // inf / nan
  else
    bits = sign | ((exp + 112u) << 23) | (man << 13);  // rebias 15 -> 127
  return std::bit_cast<float>(bits);
}

std::uint16_t float_to_half(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
  const float a = std::fabs(f);
  if (std::isnan(f)) return static_cast<std::uint16_t>(sign | 0x7E00u);
  if (a >= 65520.0f) return static_cast<std::uint16_t>(sign | 0x7C00u);  // rounds to inf
  if (a < 6.103515625e-05f) {  // below the smallest normal 2^-14: subnormal, units of 2^-24
    const auto m = static_cast<std::uint16_t>(std::nearbyint(std::ldexp(a, 24)));
    return static_cast<std::uint16_t>(sign | m);  // m == 1024 carries into the exponent: correct
  }
  const std::uint32_t ax = x & 0x7FFFFFFFu;
  // Round to nearest even on the 13 dropped mantissa bits; a carry rolls into the exponent.
  const std::uint32_t rounded = ax + 0xFFFu + ((ax >> 13) & 1u);
  return static_cast<std::uint16_t>(sign | ((rounded >> 13) - (112u << 10)));
}

float bf16_to_float(std::uint16_t b) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16);
}

std::uint16_t float_to_bf16(float f) {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  if (std::isnan(f)) return static_cast<std::uint16_t>((x >> 16) | 0x40u);
  return static_cast<std::uint16_t>((x + 0x7FFFu + ((x >> 16) & 1u)) >> 16);
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : path_(path) {
  const std::string p = "checkpoint " + path.string() + ": ";
  in_.open(path, std::ios::binary);
  if (!in_) throw std::runtime_error(p + "cannot be opened: check the path and its permissions");
  std::error_code ec;
  const std::uint64_t file_size = std::filesystem::file_size(path, ec);
  std::uint64_t header_len = 0;
  if (ec || file_size < 8 || !in_.read(reinterpret_cast<char*>(&header_len), 8))
    throw std::runtime_error(p +
                             "shorter than a safetensors header (8 bytes): the file is "
                             "truncated or not a checkpoint; download it again");
  if (header_len > file_size - 8)
    throw std::runtime_error(p + "header length " + std::to_string(header_len) + " exceeds the " +
                             std::to_string(file_size) +
                             "-byte file: the file is truncated or not a safetensors file; "
                             "download it again");
  std::string header(header_len, '\0');
  in_.read(header.data(), static_cast<std::streamsize>(header_len));
  data_start_ = 8 + header_len;
  const std::uint64_t data_size = file_size - data_start_;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(header);
  } catch (const std::exception& e) {
    throw std::runtime_error(p + "header is not valid JSON (" + e.what() +
                             "): the file is damaged or not a safetensors file");
  }
  if (!j.is_object())
    throw std::runtime_error(p + "header is not a JSON object: not a safetensors file");
  for (const auto& [name, t] : j.items()) {
    if (name == "__metadata__") continue;
    Entry e;
    try {
      e.dtype = t.at("dtype").get<std::string>();
      e.shape = t.at("shape").get<std::vector<std::size_t>>();
      const auto off = t.at("data_offsets").get<std::vector<std::uint64_t>>();
      if (off.size() != 2) throw std::runtime_error("data_offsets needs [begin, end]");
      e.begin = off[0];
      e.end = off[1];
    } catch (const std::exception& ex) {
      throw std::runtime_error(p + "tensor " + name + ": malformed entry (" + ex.what() +
                               "): the file is damaged");
    }
    const std::size_t size = dtype_size(e.dtype);
    if (size == 0)
      throw std::runtime_error(p + "tensor " + name + " has unknown dtype \"" + e.dtype + "\"");
    if (e.end < e.begin || e.end - e.begin != numel(e.shape) * size)
      throw std::runtime_error(p + "tensor " + name + ": offsets [" + std::to_string(e.begin) +
                               ", " + std::to_string(e.end) + ") do not hold its shape of " +
                               std::to_string(numel(e.shape)) + " " + e.dtype +
                               " values: the file is damaged");
    if (e.end > data_size)
      throw std::runtime_error(p + "tensor " + name + " ends at data byte " +
                               std::to_string(e.end) + " but the data section has only " +
                               std::to_string(data_size) +
                               " bytes: the file is truncated; download it again");
    entries_.emplace(name, std::move(e));
  }
}

const SafetensorsFile::Entry& SafetensorsFile::at(const std::string& name) const {
  const auto it = entries_.find(name);
  if (it == entries_.end())
    throw std::runtime_error("checkpoint " + path_.string() + ": no tensor " + name);
  return it->second;
}

std::vector<float> SafetensorsFile::read_float(const std::string& name) const {
  const Entry& e = at(name);
  const std::size_t n = static_cast<std::size_t>(numel(e.shape));
  std::vector<char> raw(static_cast<std::size_t>(e.end - e.begin));
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_start_ + e.begin));
  in_.read(raw.data(), static_cast<std::streamsize>(raw.size()));
  if (!in_)
    throw std::runtime_error("checkpoint " + path_.string() + ": reading tensor " + name +
                             " failed (the file changed or was truncated since it was opened)");
  std::vector<float> out(n);
  if (e.dtype == "F32") {
    std::memcpy(out.data(), raw.data(), n * 4);
  } else if (e.dtype == "F16" || e.dtype == "BF16") {
    const bool half = e.dtype == "F16";
    for (std::size_t i = 0; i < n; ++i) {
      std::uint16_t v;
      std::memcpy(&v, raw.data() + 2 * i, 2);
      out[i] = half ? half_to_float(v) : bf16_to_float(v);
    }
  } else if (e.dtype == "F64") {
    for (std::size_t i = 0; i < n; ++i) {
      double v;
      std::memcpy(&v, raw.data() + 8 * i, 8);
      out[i] = static_cast<float>(v);
    }
  } else {
    throw std::runtime_error("checkpoint " + path_.string() + ": tensor " + name + " has dtype " +
                             e.dtype +
                             "; weights must be F32, F16 or BF16 (convert the checkpoint)");
  }
  return out;
}

bool SafetensorsFile::looks_like(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::uint64_t len = 0;
  char brace = 0;
  if (!in.read(reinterpret_cast<char*>(&len), 8) || !in.read(&brace, 1)) return false;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return !ec && brace == '{' && len <= size - 8;
}

void write_safetensors(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, SafetensorsTensor>>& tensors,
                       const std::string& dtype) {
  if (dtype != "F32" && dtype != "F16" && dtype != "BF16")
    throw std::runtime_error("write_safetensors: dtype " + dtype + " (use F32, F16 or BF16)");
  const std::size_t size = dtype_size(dtype);
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", "pt"}};
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    if (numel(t.shape) != t.values.size())
      throw std::runtime_error("write_safetensors: tensor " + name + " has " +
                               std::to_string(t.values.size()) + " values for its shape");
    const std::uint64_t bytes = t.values.size() * size;
    header[name] = {
        {"dtype", dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  while ((8 + text.size()) % 8 != 0) text += ' ';  // the reference writer pads to 8 bytes
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("cannot write checkpoint " + path.string());
  const std::uint64_t len = text.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& [name, t] : tensors) {
    if (dtype == "F32") {
      out.write(reinterpret_cast<const char*>(t.values.data()),
                static_cast<std::streamsize>(t.values.size() * 4));
      continue;
    }
    std::vector<std::uint16_t> v(t.values.size());
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = dtype == "F16" ? float_to_half(t.values[i]) : float_to_bf16(t.values[i]);
    out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * 2));
  }
  if (!out) throw std::runtime_error("writing checkpoint " + path.string() + " failed");
}

}  // namespace secinfer::models
