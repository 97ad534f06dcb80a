// The typed settings of a run: each string-valued flag of the command line (--system, --lookup,
// --fusefss-act, --sigma-lut, --dealer, --schedule, --backend, --workload, --padding) as an enum,
// with the one table of its names. The CLI (apps/cli.cpp) parses the flags into these enums once;
// everything below it compares enums, and the logs, file names and JSON outputs print the names
// through to_string().
//
//   models::System s = models::parse_enum<models::System>("sigma");  // throws on a bad name
//   std::optional<models::Lookup> l = models::from_string<models::Lookup>("per-cut");
//   std::string name = to_string(s);                                   // "sigma"
//   models::enum_names<models::System>("|")                            // "sigma|fusefss"
#pragma once

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "fss/engine/gate_options.h"
#include "models/memory.h"  // Schedule

namespace secinfer::models {

// --system: the protocol suite.
enum class System { kSigma, kFuseFss };
// --lookup: the fusefss interval lookup (one DCF key per element, or one per cut per element).
enum class Lookup { kSharedMask, kPerCut };
// --fusefss-act: fusefss's GELU/SiLU after a truncation: the fused truncation + activation gate on
// SIGMA's table (fused, default) or the truncation then the whole-ring high-precision gate
// (precise, the accuracy mode); fused-flag: the fused gate with its table's carry as an XOR flag
// (one exchange fewer, twice the table; docs/design/fused-trunc-act.md); fused-leaf128: the fused
// gate with its lookup's DPF on SIGMA's 128-bit leaves instead of 512-bit ones (the same outputs,
// smaller keys, about twice the lookup's AES; "Wider leaves").
enum class FuseAct { kFused, kPrecise, kFusedFlag, kFusedLeaf128 };
// --fusefss-trunc: fusefss's rescaling truncations (TrFloor after products): from ring-payload
// DCFs (dcf, default: 1 exchange, about 1.8x the keys; the same function,
// fss/gates/fusefss/dcf_trunc.h) or SIGMA's own steps (sigma: 4 exchanges); dcf-max: the DCF
// truncations and the softmax max's ReLU from a ring-payload DCF as well (1 exchange a level of
// the max tree instead of 2, fss/gates/fusefss/dcf_relu.h); sigma2: dcf with TrFloor from SIGMA's
// comparison keys in 2 exchanges (fss/gates/fusefss/trunc_floor2.h: fewer AES where exchanges are
// cheap, as with both parties' kernels sharing one GPU). The default is the one that is fastest
// on the GPU (docs/perf.md, session 11).
enum class FuseTrunc { kSigma, kDcf, kDcfMax, kSigma2 };
// --sigma-lut: the sigma suite's table lookups, SIGMA's own (1-bit early-terminated DPF, sign and
// value opened) or the ring-valued DPF lookup in one round ("improved sigma").
enum class SigmaLut { kSigma, kNbit };
// --sigma-shares: how sigma's keys store additive shares, in SIGMA's words (u64 for ring
// elements, u16 / u8 for narrow values; the default, as SIGMA) or packed to their bit width
// ("improved sigma"; fusefss always packs them).
enum class SigmaShares { kWords, kPacked };
// --dealer: inline (a dealer inside each party process) or file (`secinfer deal`'s key files).
enum class Dealer { kInline, kFile };
// --backend: where a party evaluates its FSS keys.
enum class Backend { kCpu, kCuda };
// --workload: what a party run does.
enum class Workload { kModel, kNetbench, kMicrobench };
// --padding: mask-independent gate shapes (on) or the INSECURE ablation (off). Stored as a bool
// (true = on) in the options; this enum is the flag's parsed value.
enum class Padding { kOn, kOff };
// Where a party's gates keep their party-local vectors under --backend cuda (fss/vec/vec.h): on
// the host, the GPU running only the FSS evaluations and matmuls, or on the device.
enum class GateVectors { kHost, kDevice };

// How a party's host threads wait for its GPU under --backend cuda (CUDA's device flags,
// cudaSetDeviceFlags): auto (CUDA's heuristic: spin while the process has fewer contexts than the
// host has cores), spin, yield, or block on a synchronisation primitive. Never what is computed.
enum class GpuWait { kAuto, kSpin, kYield, kBlock };

// The names of each enum: the one place they are spelled. `flag` names the command-line flag in
// error messages.
template <class E>
struct EnumNames;

template <>
struct EnumNames<System> {
  static constexpr std::string_view flag = "--system";
  static constexpr std::array<std::pair<System, std::string_view>, 2> values{
      {{System::kSigma, "sigma"}, {System::kFuseFss, "fusefss"}}};
};
template <>
struct EnumNames<Lookup> {
  static constexpr std::string_view flag = "--lookup";
  static constexpr std::array<std::pair<Lookup, std::string_view>, 2> values{
      {{Lookup::kSharedMask, "shared-mask"}, {Lookup::kPerCut, "per-cut"}}};
};
template <>
struct EnumNames<FuseAct> {
  static constexpr std::string_view flag = "--fusefss-act";
  static constexpr std::array<std::pair<FuseAct, std::string_view>, 4> values{
      {{FuseAct::kFused, "fused"},
       {FuseAct::kPrecise, "precise"},
       {FuseAct::kFusedFlag, "fused-flag"},
       {FuseAct::kFusedLeaf128, "fused-leaf128"}}};
};
template <>
struct EnumNames<FuseTrunc> {
  static constexpr std::string_view flag = "--fusefss-trunc";
  static constexpr std::array<std::pair<FuseTrunc, std::string_view>, 4> values{
      {{FuseTrunc::kSigma, "sigma"},
       {FuseTrunc::kDcf, "dcf"},
       {FuseTrunc::kDcfMax, "dcf-max"},
       {FuseTrunc::kSigma2, "sigma2"}}};
};
template <>
struct EnumNames<SigmaLut> {
  static constexpr std::string_view flag = "--sigma-lut";
  static constexpr std::array<std::pair<SigmaLut, std::string_view>, 2> values{
      {{SigmaLut::kSigma, "sigma"}, {SigmaLut::kNbit, "nbit"}}};
};
template <>
struct EnumNames<SigmaShares> {
  static constexpr std::string_view flag = "--sigma-shares";
  static constexpr std::array<std::pair<SigmaShares, std::string_view>, 2> values{
      {{SigmaShares::kWords, "words"}, {SigmaShares::kPacked, "packed"}}};
};
template <>
struct EnumNames<Dealer> {
  static constexpr std::string_view flag = "--dealer";
  static constexpr std::array<std::pair<Dealer, std::string_view>, 2> values{
      {{Dealer::kInline, "inline"}, {Dealer::kFile, "file"}}};
};
template <>
struct EnumNames<Schedule> {
  static constexpr std::string_view flag = "--schedule";
  static constexpr std::array<std::pair<Schedule, std::string_view>, 2> values{
      {{Schedule::kLayerByLayer, "layer-by-layer"}, {Schedule::kKeysFirst, "keys-first"}}};
};
template <>
struct EnumNames<Backend> {
  static constexpr std::string_view flag = "--backend";
  static constexpr std::array<std::pair<Backend, std::string_view>, 2> values{
      {{Backend::kCpu, "cpu"}, {Backend::kCuda, "cuda"}}};
};
template <>
struct EnumNames<Workload> {
  static constexpr std::string_view flag = "--workload";
  static constexpr std::array<std::pair<Workload, std::string_view>, 3> values{
      {{Workload::kModel, "model"},
       {Workload::kNetbench, "netbench"},
       {Workload::kMicrobench, "microbench"}}};
};
template <>
struct EnumNames<Padding> {
  static constexpr std::string_view flag = "--padding";
  static constexpr std::array<std::pair<Padding, std::string_view>, 2> values{
      {{Padding::kOn, "on"}, {Padding::kOff, "off"}}};
};

template <>
struct EnumNames<GateVectors> {
  static constexpr std::string_view flag = "--gate-vectors";
  static constexpr std::array<std::pair<GateVectors, std::string_view>, 2> values{
      {{GateVectors::kHost, "host"}, {GateVectors::kDevice, "device"}}};
};

template <>
struct EnumNames<GpuWait> {
  static constexpr std::string_view flag = "--gpu-wait";
  static constexpr std::array<std::pair<GpuWait, std::string_view>, 4> values{
      {{GpuWait::kAuto, "auto"},
       {GpuWait::kSpin, "spin"},
       {GpuWait::kYield, "yield"},
       {GpuWait::kBlock, "block"}}};
};

template <class E>
concept NamedEnum = requires {
  EnumNames<E>::values;
};

// The gates' protocol choices that --system, --sigma-lut and --sigma-shares make (the dealer and
// both parties take the same). `o`: any options with those three fields.
template <class Options>
fss::engine::GateOptions gate_options_for(const Options& o) {
  using G = fss::engine::GateOptions;
  G g;
  g.lut = o.sigma_lut == SigmaLut::kNbit ? G::Lut::kNbit : G::Lut::kSigma;
  g.shares = o.system == System::kSigma && o.sigma_shares == SigmaShares::kWords
                 ? G::Shares::kWords
                 : G::Shares::kPacked;
  return g;
}

// The flag's spelling of `e` (found by argument-dependent lookup: to_string(o.system)).
template <NamedEnum E>
std::string to_string(E e) {
  for (const auto& [v, name] : EnumNames<E>::values)
    if (v == e) return std::string(name);
  return "?";  // unreachable for a valid enumerator
}

// The enumerator named `text` (exact, case-sensitive), or nullopt.
template <NamedEnum E>
std::optional<E> from_string(std::string_view text) {
  for (const auto& [v, name] : EnumNames<E>::values)
    if (name == text) return v;
  return std::nullopt;
}

// Every name of E joined by `sep`, in the table's order: "sigma|fusefss".
template <NamedEnum E>
std::string enum_names(std::string_view sep) {
  std::string s;
  for (const auto& [v, name] : EnumNames<E>::values) {
    if (!s.empty()) s += sep;
    s += name;
  }
  return s;
}

// from_string, throwing std::invalid_argument("unknown --system \"x\": choose sigma or fusefss").
template <NamedEnum E>
E parse_enum(std::string_view text) {
  if (const auto v = from_string<E>(text)) return *v;
  const auto& values = EnumNames<E>::values;
  std::string choices;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) choices += i + 1 == values.size() ? " or " : ", ";
    choices += values[i].second;
  }
  throw std::invalid_argument("unknown " + std::string(EnumNames<E>::flag) + " \"" +
                              std::string(text) + "\": choose " + choices);
}

// JSON: an enum is written as its name (never as its number), so j["system"] = o.system records
// "sigma" as the logs always have.
template <NamedEnum E>
void to_json(nlohmann::json& j, E e) {
  j = to_string(e);
}
template <NamedEnum E>
void from_json(const nlohmann::json& j, E& e) {
  e = parse_enum<E>(j.get<std::string>());
}

// "on" / "off": the recorded spelling of a padding setting.
inline std::string padding_name(bool padding) {
  return to_string(padding ? Padding::kOn : Padding::kOff);
}

}  // namespace secinfer::models
