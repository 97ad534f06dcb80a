// Key streams (fss/engine/key_stream.h) and key serialisation (key_codec.h): round trips, exact
// sizes, and clear refusals of short, foreign or out-of-sync streams and of key files of another
// party, configuration or version.
#include "fss/engine/key_stream.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/engine/key_codec.h"

using namespace secinfer::fss;
using namespace secinfer::fss::engine;

namespace {
std::filesystem::path temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("secinfer_engine_test_" + name + "_" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(p);
  return p;
}
}  // namespace

TEST_CASE("memory key stream round-trips packed values and records", "[engine][keys]") {
  auto buf = std::make_shared<KeyBuffer>();
  KeyWriter w = KeyWriter::memory(buf);
  KeyReader r = KeyReader::memory(buf);
  std::mt19937_64 g(5);
  for (int bits : {1, 7, 37, 50, 64}) {
    std::vector<u64> v(1001);
    for (auto& x : v) x = g() & ring_mask(bits);
    w.begin_record(key_tag("TEST"), v.size());
    w.write_packed(v, bits);
    r.expect_record(key_tag("TEST"), v.size());
    std::vector<u64> back(v.size());
    r.read_packed(back, bits);
    REQUIRE(back == v);
    CHECK(r.bytes_read() == w.bytes_written());
  }
  CHECK(r.at_end());
  // The bytes written are exactly the packed sizes plus the record headers.
  KeyWriter d = KeyWriter::discard();
  std::vector<u64> v(10, 3);
  d.write_packed(v, 37);
  CHECK(d.bytes_written() == packed_bytes(10, 37));
}

TEST_CASE("short and out-of-sync streams are refused with a clear message", "[engine][keys]") {
  auto buf = std::make_shared<KeyBuffer>();
  KeyWriter w = KeyWriter::memory(buf);
  KeyReader r = KeyReader::memory(buf);
  w.begin_record(key_tag("MMUL"), 10);
  CHECK_THROWS_WITH(r.expect_record(key_tag("TRRD"), 10), Catch::Contains("out of sync") &&
                                                              Catch::Contains("MMUL") &&
                                                              Catch::Contains("TRRD"));
  w.begin_record(key_tag("TRRD"), 10);
  CHECK_THROWS_WITH(r.expect_record(key_tag("TRRD"), 11),
                    Catch::Contains("11") && Catch::Contains("10 elements"));
  std::vector<u64> out(4);
  CHECK_THROWS_WITH(r.read_packed(out, 50), Catch::Contains("key stream ended"));
}

TEST_CASE("key files: header checks", "[engine][keys]") {
  const auto dir = temp_dir("hdr");
  KeyFileHeader h;
  h.party = 0;
  h.config_hash = 1234;
  h.config_summary = "bert-tiny seq 128";
  const std::string path = (dir / "p0.keys").string();
  {
    KeyWriter w = KeyWriter::file(path, h);
    std::vector<u64> v = {1, 2, 3};
    w.begin_record(key_tag("INPT"), 3);
    w.write_packed(v, 37);
    CHECK(w.bytes_written() == kRecordHeaderBytes + packed_bytes(3, 37));
  }
  {
    KeyReader r = KeyReader::file(path, h);
    r.expect_record(key_tag("INPT"), 3);
    std::vector<u64> v(3);
    r.read_packed(v, 37);
    CHECK(v == std::vector<u64>{1, 2, 3});
    CHECK(r.at_end());
    std::vector<u64> more(1);
    CHECK_THROWS_WITH(r.read_packed(more, 37), Catch::Contains("ended"));
  }
  KeyFileHeader other = h;
  other.party = 1;
  CHECK_THROWS_WITH(KeyReader::file(path, other),
                    Catch::Contains("keys of party 0") && Catch::Contains("this is party 1"));
  other = h;
  other.config_hash = 99;
  other.config_summary = "bert-base seq 128";
  CHECK_THROWS_WITH(KeyReader::file(path, other), Catch::Contains("another configuration") &&
                                                      Catch::Contains("bert-tiny") &&
                                                      Catch::Contains("bert-base"));
  other = h;
  other.version = kKeyFormatVersion + 1;
  CHECK_THROWS_WITH(KeyReader::file(path, other), Catch::Contains("version"));
  {
    std::ofstream f(dir / "junk.keys", std::ios::binary);
    f << "definitely not a key file at all";
  }
  CHECK_THROWS_WITH(KeyReader::file((dir / "junk.keys").string(), h),
                    Catch::Contains("not a secinfer key file"));
  CHECK_THROWS_WITH(KeyReader::file((dir / "missing.keys").string(), h),
                    Catch::Contains("cannot open"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("DCF and DPF keys serialise to exactly ceil(bits / 8) bytes per key", "[engine][keys]") {
  SeededPrg rng(Block{3, 4});
  for (DcfShape shape : {DcfShape{12, 1, 1}, DcfShape{49, 1, 1}, DcfShape{20, 37, 3}}) {
    const std::size_t count = 37;
    std::vector<u64> alpha(count), beta(count * shape.payload_len);
    rng.fill(alpha, shape.in_bits);
    rng.fill(beta, shape.out_bits);
    auto [k0, k1] = dcf_gen(shape, alpha, beta, rng);
    auto buf = std::make_shared<KeyBuffer>();
    KeyWriter w = KeyWriter::memory(buf);
    write_dcf_keys(w, k1);
    CHECK(w.bytes_written() == 48 + count * ((dcf_key_bits(shape) + 7) / 8));
    KeyReader r = KeyReader::memory(buf);
    DcfKeys back = read_dcf_keys(r, shape, count, 1);
    CHECK(r.at_end());
    // Same keys evaluate to the same shares.
    std::vector<u64> x(count), y_orig(count * shape.payload_len), y_back(y_orig.size());
    rng.fill(x, shape.in_bits);
    dcf_eval(k1, x, y_orig);
    dcf_eval(back, x, y_back);
    CHECK(y_orig == y_back);
    CHECK(back.root == k1.root);
    CHECK(back.cw_seed == k1.cw_seed);
    CHECK(back.cw_v == k1.cw_v);
    CHECK(back.cw_final == k1.cw_final);
  }
  for (DpfShape shape : {DpfShape{8, 37}, DpfShape{16, 50}}) {
    const std::size_t count = 11;
    std::vector<u64> alpha(count), beta(count, 1);
    rng.fill(alpha, shape.in_bits);
    auto [k0, k1] = dpf_gen(shape, alpha, beta, rng);
    auto buf = std::make_shared<KeyBuffer>();
    KeyWriter w = KeyWriter::memory(buf);
    write_dpf_keys(w, k0);
    CHECK(w.bytes_written() == 48 + count * ((dpf_key_bits(shape) + 7) / 8));
    KeyReader r = KeyReader::memory(buf);
    DpfKeys back = read_dpf_keys(r, shape, count, 0);
    CHECK(back.root == k0.root);
    CHECK(back.cw_seed == k0.cw_seed);
    CHECK(back.cw_t == k0.cw_t);
    CHECK(back.cw_out == k0.cw_out);
  }
}
