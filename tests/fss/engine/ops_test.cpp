// The three Ops implementations run one program: ClearOps (values), DealerOps (masks, keygen) and
// PartyOps (masked values, eval) must give bit-identical revealed outputs, in inline and file key
// modes; scopes and key bytes per scope are attributed; input/reveal cost what they should.
#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "fss/engine/clear_ops.h"
#include "fss/engine/dealer_ops.h"
#include "fss/engine/engine_test_util.h"
#include "fss/engine/party_ops.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;
using namespace secinfer::fss::engine::test;

namespace {

// A suite without nonlinear gates: enough for the linear / comparison / truncation ops, and it
// keeps this test independent of the nonlinear gate files.
const GateSuite& bare_suite() {
  static const GateSuite s = [] {
    GateSuite g;
    g.name = "bare-test";
    return g;
  }();
  return s;
}

struct Program {
  std::size_t rows = 12, d = 16, h = 8;
  std::vector<u64> x, w, b;

  explicit Program(Ring ring) {
    const i64 lim = i64{1} << 11;  // |values| <= 0.5 at f = 12: keeps TrWithSlack and max in range
    x = test_values(ring, rows * d, 1, -lim, lim);
    w = test_values(ring, d * h, 2, -lim, lim);
    b = test_values(ring, h, 3, -lim, lim);
  }

  std::vector<u64> run(Ops& ops, int party) const {
    const bool owner_x = party == 1 || party < 0;
    const bool owner_w = party == 0 || party < 0;
    const int f = ops.frac_bits();
    Tensor X = ops.input(1, {rows, d}, owner_x ? std::span<const u64>(x) : std::span<const u64>());
    Tensor W = ops.weight({d, h}, owner_w ? std::span<const u64>(w) : std::span<const u64>());
    Tensor B = ops.weight({h}, owner_w ? std::span<const u64>(b) : std::span<const u64>());
    Tensor Y;
    {
      Ops::Region r(ops, "Linear");
      Y = ops.matmul(X, W, {1, rows, d, h, false, true, false});
      Y = ops.truncate(Y, f, TruncKind::kFloor);
      Y = ops.add_bias(Y, B);
    }
    Tensor Z = ops.relu(Y, 0);
    Tensor M;
    {
      Ops::Region r(ops, "Softmax");
      M = ops.max_last(Z, h, 0);
    }
    Tensor Q = ops.truncate(ops.mul_rowwise(Z, M, h), f, TruncKind::kWithSlack);
    Tensor S = ops.truncate(ops.square(Q), f, TruncKind::kFloor);
    Tensor T = ops.mul_const(ops.add_const(ops.sub(S, ops.broadcast_rows(M, h)), 5), 3);
    Tensor E = ops.truncate(ops.mul(T, Z), f, TruncKind::kWithSlack);
    Tensor A = ops.matmul(E, E, {1, rows, h, rows, true, false, true});
    A = ops.truncate(A, f, TruncKind::kFloor);
    Tensor H = ops.transpose_heads(ops.sum_last(A), 1, rows, 1, 1, false);
    std::vector<u64> out = ops.reveal(H);
    std::vector<u64> z = ops.reveal(Z);
    out.insert(out.end(), z.begin(), z.end());
    return out;
  }
};

std::vector<std::string> scope_paths(const nlohmann::json& log) {
  std::vector<std::string> p;
  for (const auto& run : log.at("runs"))
    for (const auto& s : run.at("scopes")) p.push_back(s.at("path").get<std::string>());
  return p;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("ClearOps == DealerOps + PartyOps, inline and file key modes", "[engine][ops]") {
  for (int bits : {37, 50}) {
    const Ring ring = make_ring(bits);
    const Program prog(ring);
    ClearOps clear(ring, 12, bare_suite());
    const std::vector<u64> want = prog.run(clear, -1);

    std::map<std::string, std::uint64_t> by_scope[2];
    std::uint64_t key_total[2] = {0, 0};
    auto body = [&](PartyContext& c) {
      DealerOps dops(c.dealer(), bare_suite(), c.id() < 0 ? 0 : c.id());
      c.offline([&] { prog.run(dops, c.id()); });
      if (c.dealer_pass()) return std::vector<u64>{};
      by_scope[c.id()] = dops.key_bytes_by_scope();
      key_total[c.id()] = c.dealer().key_bytes(c.id());
      PartyOps pops(c.party(), bare_suite());
      std::vector<u64> out;
      c.online([&] { out = prog.run(pops, c.id()); });
      return out;
    };
    TwoPartyOptions opt = options(bits, 99);
    auto inl = run_two_party<std::vector<u64>>(opt, body);
    REQUIRE(inl[0].value == want);
    REQUIRE(inl[1].value == want);

    // Scopes: top-level categories, nested sub-scopes inside Regions.
    const auto paths = scope_paths(inl[0].log);
    CHECK(has(paths, "Linear/matmul"));
    CHECK(has(paths, "Linear/trunc"));
    CHECK(has(paths, "Linear"));
    CHECK(has(paths, "Softmax/max"));
    CHECK(has(paths, "TruncRescale"));
    CHECK(has(paths, "Activation::ReLU"));
    CHECK(has(paths, "Misc"));

    // Key bytes per scope: DealerOps' own tally adds up to the party's key bytes, and agrees with
    // the profiler's offline scopes.
    for (int b = 0; b < 2; ++b) {
      std::uint64_t sum = 0;
      for (const auto& [path, bytes] : by_scope[b]) sum += bytes;
      CHECK(sum == key_total[b]);
      CHECK(comm_counts(inl[b].log).key_bytes == key_total[b]);
      for (const auto& s : inl[b].log.at("offline").at("scopes")) {
        const std::string path = s.at("path");
        const auto kb = s.at("key_bytes").get<std::uint64_t>();
        if (kb) CHECK(by_scope[b][path] == kb);
      }
    }

    // File mode: a dealer pass writes p0.keys / p1.keys, the parties read them: same outputs.
    const auto dir = std::filesystem::temp_directory_path() /
                     ("secinfer_engine_ops_" + std::to_string(std::random_device{}()));
    opt.key_mode = KeyMode::kFile;
    opt.key_dir = dir.string();
    auto file = run_two_party<std::vector<u64>>(opt, body);
    REQUIRE(file[0].value == want);
    REQUIRE(file[1].value == want);
    CHECK(std::filesystem::file_size(dir / "p0.keys") > key_total[0]);  // + header
    // A key file of the other party is refused.
    KeyFileHeader h;
    h.party = 0;
    h.config_hash = opt.config_hash;
    CHECK_THROWS_WITH(KeyReader::file((dir / "p1.keys").string(), h),
                      Catch::Contains("keys of party 1"));
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("input and reveal cost on the wire", "[engine][ops]") {
  // input: the owner sends ceil(N n / 8) + 8 bytes in one message; the receiver is charged one
  // round (its blocking receive). reveal: nothing (both keys hold the masks).
  const int bits = 50;
  const std::size_t N = 1000;
  const Ring ring = make_ring(bits);
  const auto x = test_values(ring, N, 7);
  auto res = run_two_party<std::vector<u64>>(options(bits, 5), [&](PartyContext& c) {
    DealerOps dops(c.dealer(), bare_suite(), c.id());
    c.offline([&] {
      Tensor t = dops.input(1, {N}, {});
      dops.reveal(t);
    });
    PartyOps pops(c.party(), bare_suite());
    std::vector<u64> out;
    c.online([&] {
      Tensor t = pops.input(1, {N}, c.id() == 1 ? std::span<const u64>(x) : std::span<const u64>());
      out = pops.reveal(t);
    });
    return out;
  });
  CHECK(res[0].value == x);
  CHECK(res[1].value == x);
  const auto c0 = comm_counts(res[0].log), c1 = comm_counts(res[1].log);
  CHECK(c1.bytes_sent == packed_bytes(N, bits) + 8);
  CHECK(c1.messages == 1);
  CHECK(c0.bytes_sent == 0);
  CHECK(c0.bytes_recv == packed_bytes(N, bits) + 8);
  CHECK(c0.rounds == 1);
  // Keys: party 1 (owner) holds its input masks; both hold the reveal masks.
  CHECK(c1.key_bytes == 2 * kRecordHeaderBytes + 2 * packed_bytes(N, bits));
  CHECK(c0.key_bytes == 2 * kRecordHeaderBytes + packed_bytes(N, bits));
}

TEST_CASE("missing suite gates and bad shapes give clear errors", "[engine][ops]") {
  ClearOps ops(make_ring(37), 12, bare_suite());
  Tensor a = Tensor::zeros({2, 3});
  CHECK_THROWS_WITH(ops.gelu(a), Catch::Contains("bare-test") && Catch::Contains("gelu"));
  CHECK_THROWS_WITH(ops.softmax(a, 3, {}), Catch::Contains("softmax"));
  CHECK_THROWS_AS(ops.add(a, Tensor::zeros({4})), std::invalid_argument);
  CHECK_THROWS_AS(ops.matmul(a, a, {1, 2, 3, 3, false, false, false}), std::invalid_argument);
  CHECK_THROWS_AS(ops.max_last(a, 4, 0), std::invalid_argument);
  std::vector<u64> v(5);
  CHECK_THROWS_WITH(ops.input(0, {2, 3}, v), Catch::Contains("5 values"));
}

namespace {

// Keyless unary gates over the identity function (y = x, the output mask the input's), to see how
// a gate meets a resident operand (fss/engine/tensor_values.h): `taking` takes it through
// Party::operand and hands its output to Party::result; `peeking` reads the stand-in span itself.
void identity_clear(const ClearCtx&, const GateArgs&, std::span<const u64> x, std::span<u64> y) {
  std::copy(x.begin(), x.end(), y.begin());
}
void identity_keygen(Dealer&, const GateArgs&, std::span<const u64> r, std::span<u64> r_out) {
  std::copy(r.begin(), r.end(), r_out.begin());
}
void taking_eval(Party& p, const GateArgs&, std::span<const u64> xhat, std::span<u64> yhat) {
  p.result(p.operand(xhat), yhat);
}
void peeking_eval(Party&, const GateArgs&, std::span<const u64> xhat, std::span<u64> yhat) {
  std::copy(xhat.begin(), xhat.end(), yhat.begin());
}
const UnaryGate kTaking{"taking",        "Misc",           "taking",
                        &identity_clear, &identity_keygen, &taking_eval};
const UnaryGate kPeeking{"peeking",       "Misc",           "peeking",
                         &identity_clear, &identity_keygen, &peeking_eval};

}  // namespace

TEST_CASE("resident operands: a gate takes them through the party, or the op fails",
          "[engine][ops][tensor]") {
  const Ring ring = make_ring(50);
  const std::vector<u64> x = test_values(ring, 64, 7, -(i64{1} << 20), i64{1} << 20);
  for (const bool peek : {false, true}) {
    INFO((peek ? "peeking" : "taking") << " gate");
    auto body = [&](PartyContext& c) {
      bool resident = false;
      const auto run = [&](Ops& ops, int id) {
        const Tensor in =
            ops.input(0, {64}, id == 0 ? std::span<const u64>(x) : std::span<const u64>());
        const Tensor t = ops.truncate(in, 3, TruncKind::kFloor);  // resident in PartyOps
        const Tensor y = ops.unary(kTaking, t, {});
        const Tensor z = ops.unary(peek ? kPeeking : kTaking, y, {});
        resident = z.data.resident();
        return ops.reveal(z);
      };
      DealerOps dops(c.dealer(), bare_suite(), c.id() < 0 ? 0 : c.id());
      c.offline([&] { run(dops, c.id()); });
      if (c.dealer_pass()) return std::vector<u64>{};
      PartyOps pops(c.party(), bare_suite());
      std::vector<u64> out;
      c.online([&] { out = run(pops, c.id()); });
      CHECK(resident);  // the output stayed in the party's Space
      return out;
    };
    ClearOps clear(ring, 12, bare_suite());
    const std::vector<u64> want =
        clear.reveal(clear.truncate(clear.input(0, {64}, x), 3, TruncKind::kFloor));
    if (!peek) {
      const auto res = run_two_party<std::vector<u64>>(options(50, 5), body);
      CHECK(res[0].value == want);
      CHECK(res[1].value == want);
    } else {
      CHECK_THROWS_WITH(run_two_party<std::vector<u64>>(options(50, 5), body),
                        Catch::Contains("stand-in span"));
    }
  }
}
