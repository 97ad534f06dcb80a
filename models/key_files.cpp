#include "models/key_files.h"

#include <array>
#include <cstring>
#include <fstream>
#include <vector>

#include "fss/key_io.h"
#include "models/registry.h"

namespace secinfer::models {

namespace {

using fss::engine::KeyError;

constexpr char kTrailerMagic[8] = {'S', 'I', 'K', 'E', 'Y', 'E', 'N', 'D'};

void put_le(std::uint8_t* p, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get_le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t(p[i]) << (8 * i);
  return v;
}

const char* schedule_text(const RunOptions& o) {
  return schedule_name(o.schedule.value_or(Schedule::kLayerByLayer));
}

// CRC-32C of the first `n` bytes of `in` (from its start).
std::uint32_t crc_of_prefix(std::ifstream& in, std::uint64_t n) {
  in.clear();
  in.seekg(0);
  std::vector<std::uint8_t> buf(std::size_t{1} << 20);
  std::uint32_t crc = 0;
  while (n > 0) {
    const std::size_t k = static_cast<std::size_t>(std::min<std::uint64_t>(n, buf.size()));
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(k));
    if (in.gcount() != static_cast<std::streamsize>(k)) throw KeyError("short read");
    crc = fss::crc32c(std::span<const std::uint8_t>(buf.data(), k), crc);
    n -= k;
  }
  return crc;
}

}  // namespace

nlohmann::json key_stream_config(const RunOptions& o, std::size_t vocab) {
  const ModelConfig& c = find_model(o.model);
  nlohmann::json j;
  j["model"] = c.name;
  j["seq"] = o.seq;
  j["batch"] = o.batch;
  j["system"] = to_string(o.system);
  // sigma has nothing to pad, no interval lookup and no fused truncation + activation: none of
  // them changes its keys.
  const bool fusefss = o.system == System::kFuseFss;
  j["padding"] = fusefss ? padding_name(o.padding) : "n/a";
  j["lookup"] = fusefss ? to_string(o.lookup) : "n/a";
  j["fusefss_act"] = fusefss ? to_string(o.fuse_act) : "n/a";
  j["fusefss_trunc"] = fusefss ? to_string(o.fuse_trunc) : "n/a";
  // sigma's table lookups change its keys; fusefss has none.
  j["sigma_lut"] = fusefss ? "n/a" : to_string(o.sigma_lut);
  j["sigma_shares"] = fusefss ? "n/a" : to_string(o.sigma_shares);
  j["runs"] = o.runs;
  j["warmup"] = o.warmup;
  j["schedule"] = schedule_text(o);
  j["weights_once"] = weights_once_for(o, c);
  j["input"] =
      vocab == 0 ? std::string("embeddings") : "tokens, vocabulary " + std::to_string(vocab);
  j["ring_bits"] = c.ring_bits;
  j["frac_bits"] = c.frac_bits;
  j["protocol_version"] = o.protocol_version;
  j["key_format_version"] = fss::engine::kKeyFormatVersion;
  return j;
}

std::uint64_t key_stream_hash(const RunOptions& o, std::size_t vocab) {
  const std::string text = key_stream_config(o, vocab).dump();  // keys sorted: canonical
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 1099511628211ull;
  }
  return h;
}

std::string key_stream_summary(const RunOptions& o, std::size_t vocab) {
  const nlohmann::json j = key_stream_config(o, vocab);
  std::string s;
  for (const char* k : {"model", "seq", "batch", "system", "padding", "lookup", "fusefss_act",
                        "fusefss_trunc", "sigma_lut", "sigma_shares", "runs", "warmup", "schedule",
                        "input", "ring_bits", "protocol_version"}) {
    const auto& v = j[k];
    if (!s.empty()) s += ' ';
    s += k;
    s += '=';
    s += v.is_string() ? v.get<std::string>() : v.dump();
  }
  return s;
}

fss::engine::KeyFileHeader key_file_header(const RunOptions& o, int party, std::size_t vocab) {
  fss::engine::KeyFileHeader h;
  h.version = fss::engine::kKeyFormatVersion;
  h.party = party;
  h.config_hash = key_stream_hash(o, vocab);
  h.config_summary = key_stream_summary(o, vocab);
  return h;
}

std::filesystem::path key_file_path(const std::filesystem::path& dir, int party) {
  std::string name = "p";
  name += std::to_string(party);
  name += ".keys";
  return dir / name;
}

std::string deal_command(const RunOptions& o, std::size_t vocab) {
  std::string s = "secinfer deal --model " + find_model(o.model).name + " --seq " +
                  std::to_string(o.seq) + " --batch " + std::to_string(o.batch) + " --system " +
                  to_string(o.system);
  if (o.system == System::kFuseFss) {
    s += " --padding " + padding_name(o.padding) + " --lookup " + to_string(o.lookup) +
         " --fusefss-act " + to_string(o.fuse_act) + " --fusefss-trunc " + to_string(o.fuse_trunc);
  } else {
    s += " --sigma-lut " + to_string(o.sigma_lut) + " --sigma-shares " + to_string(o.sigma_shares);
  }
  s += " --runs " + std::to_string(o.runs) + " --warmup " + std::to_string(o.warmup) +
       " --schedule " + schedule_text(o);
  if (vocab != 0) s += " --vocab " + std::to_string(vocab);
  s += " --key-dir " + o.key_dir.string();
  return s;
}

void append_key_trailer(const std::filesystem::path& path, std::uint64_t deal_id,
                        std::uint64_t stream_bytes) {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) throw KeyError("cannot read back the key file " + path.string() + ": " + ec.message());
  std::uint32_t crc = 0;
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw KeyError("cannot read back the key file " + path.string());
    crc = crc_of_prefix(in, size);
  }
  std::array<std::uint8_t, kKeyTrailerBytes> t{};
  std::memcpy(t.data(), kTrailerMagic, 8);
  put_le(t.data() + 8, deal_id, 8);
  put_le(t.data() + 16, stream_bytes, 8);
  crc = fss::crc32c(std::span<const std::uint8_t>(t.data(), 28), crc);
  put_le(t.data() + 28, crc, 4);
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.size()));
  out.flush();
  if (!out) throw KeyError("cannot finish the key file " + path.string() + " (disk full?)");
}

KeyFileTrailer check_key_file(const RunOptions& o, int party, std::size_t vocab) {
  const std::filesystem::path path = key_file_path(o.key_dir, party);
  const std::string fix =
      ": re-run `" + deal_command(o, vocab) + "` and give each party its own file of that one deal";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw KeyError("no key file " + path.string() + " for party " + std::to_string(party) +
                   " (--dealer file reads <key-dir>/p<party>.keys)" + fix);
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) throw KeyError("cannot read the key file " + path.string() + fix);
  std::array<std::uint8_t, kKeyTrailerBytes> t{};
  if (size >= kKeyTrailerBytes) {
    in.seekg(static_cast<std::streamoff>(size - kKeyTrailerBytes));
    in.read(reinterpret_cast<char*>(t.data()), static_cast<std::streamsize>(t.size()));
  }
  if (size < kKeyTrailerBytes || std::memcmp(t.data(), kTrailerMagic, 8) != 0)
    throw KeyError("key file " + path.string() + " (" + std::to_string(size) +
                   " bytes) has no end marker: it is truncated (a copy cut short), or the deal "
                   "that wrote it did not finish" +
                   fix);
  const std::uint32_t stored = static_cast<std::uint32_t>(get_le(t.data() + 28, 4));
  const std::uint32_t actual = crc_of_prefix(in, size - 4);
  if (stored != actual)
    throw KeyError("key file " + path.string() +
                   " is corrupted: its checksum does not match its contents (CRC-32C stored " +
                   std::to_string(stored) + ", computed " + std::to_string(actual) +
                   "; a damaged disk or copy)" + fix);
  KeyFileTrailer tr;
  tr.deal_id = get_le(t.data() + 8, 8);
  tr.stream_bytes = get_le(t.data() + 16, 8);
  return tr;
}

fss::engine::KeyReader open_key_file(const RunOptions& o, int party, std::size_t vocab) {
  const std::filesystem::path path = key_file_path(o.key_dir, party);
  try {
    return fss::engine::KeyReader::file(path.string(), key_file_header(o, party, vocab));
  } catch (const KeyError& e) {
    throw KeyError(std::string(e.what()) + "; for the keys of this run, re-run `" +
                   deal_command(o, vocab) + "`");
  }
}

void agree_on_key_files(net::Channel& ch, int me, const std::string& problem,
                        std::uint64_t deal_id) {
  std::uint8_t out[16] = {}, in[16] = {};
  put_le(out, problem.empty() ? 1 : 0, 8);
  put_le(out + 8, deal_id, 8);
  ch.exchange(out, in);
  if (!problem.empty()) throw KeyError(problem);
  if (get_le(in, 8) != 1)
    throw KeyError("party " + std::to_string(1 - me) +
                   " refused its key file (its messages and log say why): nothing was run");
  const std::uint64_t theirs = get_le(in + 8, 8);
  if (theirs != deal_id) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%016llx and %016llx",
                  static_cast<unsigned long long>(me == 0 ? deal_id : theirs),
                  static_cast<unsigned long long>(me == 0 ? theirs : deal_id));
    throw KeyError(std::string("the parties' key files come from different deals (deal ids ") +
                   buf +
                   " of p0.keys and p1.keys): give both parties the two files of one `secinfer "
                   "deal` run");
  }
}

}  // namespace secinfer::models
