#include "fss/engine/two_party_runner.h"

#include <exception>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "net/channel.h"
#include "profiling/recorder.h"

namespace secinfer::fss::engine {

struct TwoPartyAccess {
  static PartyContext make(int id, Dealer* d, Party* p, profiling::Recorder* rec) {
    PartyContext c;
    c.id_ = id;
    c.dealer_ = d;
    c.party_ = p;
    c.recorder_ = rec;
    return c;
  }
  static profiling::Recorder* recorder(PartyContext& c) {
    return static_cast<profiling::Recorder*>(c.recorder_);
  }
};

Party& PartyContext::party() {
  if (!party_) throw std::logic_error("PartyContext::party() called in the dealer pass");
  return *party_;
}

void PartyContext::offline(const std::function<void()>& f) {
  profiling::Recorder* rec = TwoPartyAccess::recorder(*this);
  if (rec) rec->begin_offline();
  f();
  if (dealer_ != nullptr) dealer_->finish_keys();
  if (rec) rec->end_offline();
}

void PartyContext::online(const std::function<void()>& f) {
  if (dealer_pass()) return;
  profiling::Recorder* rec = TwoPartyAccess::recorder(*this);
  if (rec) rec->begin_run(false);
  f();
  if (rec) rec->end_run();
}

namespace {

std::string key_path(const TwoPartyOptions& opt, int party) {
  std::string name = party == 0 ? "p0.keys" : "p1.keys";
  return (std::filesystem::path(opt.key_dir) / name).string();
}

KeyFileHeader header(const TwoPartyOptions& opt, int party) {
  KeyFileHeader h;
  h.party = party;
  h.config_hash = opt.config_hash;
  h.config_summary = opt.config_summary;
  return h;
}

void run_party(int id, const TwoPartyOptions& opt, net::Listener* listener, std::uint16_t port,
               const std::function<void(PartyContext&)>& body, PartyRun& out) {
  profiling::Recorder rec(nlohmann::json{{"runner", "two_party"}}, id);
  auto active = rec.activate();
  auto buffer = std::make_shared<KeyBuffer>();
  const bool inl = opt.key_mode == KeyMode::kInline;
  KeyWriter own = inl ? KeyWriter::memory(buffer) : KeyWriter::discard();
  KeyWriter other = KeyWriter::discard();
  Dealer dealer(opt.ring, opt.frac_bits, opt.dealer_seed, id == 0 ? own : other,
                id == 0 ? other : own);
  KeyReader reader =
      inl ? KeyReader::memory(buffer) : KeyReader::file(key_path(opt, id), header(opt, id));
  net::Hello hello;
  hello.party = id;
  hello.config_hash = opt.config_hash;
  hello.config_summary = opt.config_summary;
  net::Timeouts t;
  t.connect = std::chrono::milliseconds(20000);
  t.io = std::chrono::milliseconds(60000);
  net::Channel ch =
      id == 0 ? listener->accept(hello, t) : net::Channel::connect({"127.0.0.1", port}, hello, t);
  Party party(id, opt.ring, opt.frac_bits, ch, reader, opt.threads);
  dealer.set_gate_options(opt.gate_options);
  party.set_gate_options(opt.gate_options);
  if (opt.gate_cache) dealer.set_gate_cache(opt.gate_cache);
  party.set_gate_cache(dealer.shared_gate_cache());  // the online phase reuses the dealer's fits
  PartyContext ctx = TwoPartyAccess::make(id, &dealer, &party, &rec);
  body(ctx);
  out.log = rec.to_json();
}

}  // namespace

std::array<PartyRun, 2> run_two_party_raw(const TwoPartyOptions& opt,
                                          const std::function<void(PartyContext&)>& body) {
  if (opt.key_mode == KeyMode::kFile) {
    if (opt.key_dir.empty()) {
      throw std::invalid_argument("run_two_party: key_mode file needs key_dir");
    }
    std::filesystem::create_directories(opt.key_dir);
    KeyWriter w0 = KeyWriter::file(key_path(opt, 0), header(opt, 0));
    KeyWriter w1 = KeyWriter::file(key_path(opt, 1), header(opt, 1));
    Dealer dealer(opt.ring, opt.frac_bits, opt.dealer_seed, w0, w1);
    dealer.set_gate_options(opt.gate_options);
    if (opt.gate_cache) dealer.set_gate_cache(opt.gate_cache);
    PartyContext ctx = TwoPartyAccess::make(-1, &dealer, nullptr, nullptr);
    body(ctx);
    w0.flush();
    w1.flush();
  }
  net::Listener listener(0, "127.0.0.1");
  const std::uint16_t port = listener.port();
  std::array<PartyRun, 2> runs;
  std::exception_ptr err[2];
  std::thread t1([&] {
    try {
      run_party(1, opt, nullptr, port, body, runs[1]);
    } catch (...) {
      err[1] = std::current_exception();
    }
  });
  try {
    run_party(0, opt, &listener, port, body, runs[0]);
  } catch (...) {
    err[0] = std::current_exception();
  }
  t1.join();
  if (err[0]) std::rethrow_exception(err[0]);
  if (err[1]) std::rethrow_exception(err[1]);
  return runs;
}

CommCounts comm_counts(const nlohmann::json& log) {
  CommCounts c;
  for (const auto& run : log.at("runs")) {
    const auto& t = run.at("totals");
    c.bytes_sent += t.at("bytes_sent").get<std::uint64_t>();
    c.bytes_recv += t.at("bytes_recv").get<std::uint64_t>();
    c.messages += t.at("messages").get<std::uint64_t>();
    c.rounds += t.at("rounds").get<std::uint64_t>();
  }
  if (log.contains("offline") && log["offline"].contains("phases")) {
    for (const auto& ph : log["offline"]["phases"])
      c.key_bytes += ph.at("key_bytes").get<std::uint64_t>();
  }
  return c;
}

}  // namespace secinfer::fss::engine
