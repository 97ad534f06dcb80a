// Merge of the two party logs into breakdown_merged.json (schema "secinfer.breakdown/1"), and its
// human-readable / CSV renderings. The rules and every added field are
// documented in profiling/README.md.
//
//   auto merged = profiling::merge_party_logs(profiling::read_json_file("p0.json"),
//                                             profiling::read_json_file("p1.json"));
//   std::cout << profiling::format_breakdown_table(merged);
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace secinfer::profiling {

// Logs that cannot be merged: the message says what differs and what to do.
class MergeError : public std::runtime_error {
 public:
  using runtime_error::runtime_error;
};

// Merges P0's and P1's party logs ("secinfer.party/1"). The two may be passed in either order
// (they are told apart by their "party" field). Throws MergeError if a log is not a party log, both
// are from the same party, or (for logs with status ok) the configs, run counts, scope trees or
// sent/received byte counts disagree. If either log has status failed / oom, the result has that
// status (oom wins over failed only when no party failed), both reasons, and no statistics.
nlohmann::json merge_party_logs(const nlohmann::json& p0, const nlohmann::json& p1);

// Reads and parses a JSON file; throws MergeError naming the file if it is missing, unreadable,
// empty or not valid JSON (e.g. truncated).
nlohmann::json read_json_file(const std::filesystem::path& file);

// Readable table: one line per scope in tree order (sub-scopes indented) with median exclusive ms,
// share of total %, median inclusive ms, bytes, messages, rounds and comm wait; the unattributed
// remainder line; the total line. For a failed merge: the status and reason.
std::string format_breakdown_table(const nlohmann::json& merged);

// CSV, one row per scope plus a TOTAL row; header in the first line.
std::string format_breakdown_csv(const nlohmann::json& merged);

}  // namespace secinfer::profiling
