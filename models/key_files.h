// Key files of the separate dealer (docs/design/separate-dealer.md): `secinfer deal` writes one
// file per party (deal_model_keys, runner.h), a party run with --dealer file reads its own.
//
//   <key dir>/p0.keys, <key dir>/p1.keys:
//     header   KeyWriter::file's (fss/engine/key_stream.h): magic, key format version, party,
//              config hash (key_stream_hash), config summary (key_stream_summary)
//     stream   the party's keys of every run (warm-up runs first), in the order it reads them
//     trailer  kKeyTrailerBytes: magic "SIKEYEND", u64 deal id, u64 stream bytes, u32 0,
//              u32 CRC-32C of every byte of the file before this field
//
// A party checks its file whole before reading a key (check_key_file: end marker, checksum), then
// its header (open_key_file: party, configuration, format version); both parties then exchange
// their verdicts and deal ids (agree_on_key_files), so a refused file or two files of different
// deals stop both parties with the reason.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "fss/engine/key_stream.h"
#include "models/runner.h"
#include "net/channel.h"

namespace secinfer::models {

inline constexpr std::size_t kKeyTrailerBytes = 32;

struct KeyFileTrailer {
  std::uint64_t deal_id = 0;       // the same in both parties' files of one deal
  std::uint64_t stream_bytes = 0;  // key bytes between the header and the trailer
};

// Everything that shapes a model run's key stream (model, seq, batch, system, padding, lookup,
// fusefss_act, fusefss_trunc, sigma_lut, sigma_shares, runs, warm-up runs, schedule, whether the
// weights are masked once (weights_once_for), input kind, ring and fractional bits, the CLI's
// protocol version, the key format version), never the seed.
// `vocab`: the token vocabulary of a token-input run, 0 for embeddings.
nlohmann::json key_stream_config(const RunOptions& o, std::size_t vocab);
// FNV-1a 64 of key_stream_config's canonical dump.
std::uint64_t key_stream_hash(const RunOptions& o, std::size_t vocab);
// One line naming those settings (quoted by KeyReader::file when the hashes differ).
std::string key_stream_summary(const RunOptions& o, std::size_t vocab);
fss::engine::KeyFileHeader key_file_header(const RunOptions& o, int party, std::size_t vocab);
// <dir>/p<party>.keys
std::filesystem::path key_file_path(const std::filesystem::path& dir, int party);
// The `secinfer deal` command that writes the key files this run needs (quoted in refusals).
std::string deal_command(const RunOptions& o, std::size_t vocab);

// Appends the trailer to a key file whose header and stream are complete (and closed).
void append_key_trailer(const std::filesystem::path& path, std::uint64_t deal_id,
                        std::uint64_t stream_bytes);
// Reads and checks the trailer and the checksum of party `party`'s file under o.key_dir; throws
// fss::engine::KeyError naming the file, the problem and the fix (missing, truncated or
// incomplete, corrupted).
KeyFileTrailer check_key_file(const RunOptions& o, int party, std::size_t vocab);
// Opens that file for reading after checking its header (KeyReader::file); KeyError with the fix.
fss::engine::KeyReader open_key_file(const RunOptions& o, int party, std::size_t vocab);
// Both parties' verdicts on their key files (`problem` empty: mine is good) and deal ids: 16 bytes
// each way, outside the runs. Throws KeyError with my problem, the peer's refusal, or different
// deals; returns only when both files are good and of one deal.
void agree_on_key_files(net::Channel& ch, int me, const std::string& problem,
                        std::uint64_t deal_id);

}  // namespace secinfer::models
