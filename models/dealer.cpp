// The separate dealer of runner.h (deal_model_keys): the dealer side of every run of a model run
// (runner_impl.h deal_run, the code the inline dealer runs) into both parties' key files.
#include "fss/engine/dealer.h"

#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

#include "fss/engine/dealer_ops.h"
#include "fss/engine/key_stream.h"
#include "models/key_files.h"
#include "models/registry.h"
#include "models/runner.h"
#include "models/runner_impl.h"
#include "models/transformer.h"

namespace secinfer::models {

DealResult deal_model_keys(const RunOptions& o, std::size_t vocab, fss::Block seed,
                           std::uint64_t deal_id, const std::filesystem::path& dir) {
  using fss::engine::Dealer;
  using fss::engine::DealerOps;
  using fss::engine::KeyWriter;
  const ModelConfig& c = find_model(o.model);
  validate_run(c, o.seq, o.batch);
  if (o.runs < 1)
    throw std::invalid_argument("--runs " + std::to_string(o.runs) + ": pass 1 or more");
  if (o.warmup < 0)
    throw std::invalid_argument("--warmup " + std::to_string(o.warmup) + ": pass 0 or more");
  const auto& suite = suite_for(o.system, o.padding, o.lookup, o.fuse_act, o.fuse_trunc);
  const std::size_t batch = static_cast<std::size_t>(o.batch);
  const std::size_t seq = static_cast<std::size_t>(o.seq);
  const Schedule schedule = o.schedule.value_or(Schedule::kLayerByLayer);

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    throw std::runtime_error("cannot create the key folder " + dir.string() + ": " + ec.message() +
                             ": choose another with --key-dir DIR");
  DealResult r;
  r.deal_id = deal_id;
  std::filesystem::path tmp[2];
  for (int p = 0; p < 2; ++p) {
    r.files[p] = key_file_path(dir, p);
    // Never a name a party reads: renamed to p<party>.keys once both files are complete.
    std::string name = ".";  // (+=: GCC 12 gives a false -Wrestrict on "literal" + std::string)
    name += r.files[p].filename().string();
    name += ".partial-";
    name += std::to_string(::getpid());
    tmp[p] = dir / name;
  }
  const auto t0 = std::chrono::steady_clock::now();
  int renamed = 0;  // files of this deal already under their final names
  try {
    {
      KeyWriter w0 = KeyWriter::file(tmp[0].string(), key_file_header(o, 0, vocab));
      KeyWriter w1 = KeyWriter::file(tmp[1].string(), key_file_header(o, 1, vocab));
      Dealer dealer(fss::Ring{c.ring_bits}, c.frac_bits, seed, w0, w1);
      if (o.threads > 0) dealer.set_threads(o.threads);
      dealer.set_gate_options(gate_options_for(o));
      DealerOps dops(dealer, suite, 0);
      const Transformer t(c, batch, seq);
      // The model input first (weights_masked_once): every step's weight masks, then the runs.
      std::optional<std::vector<detail::StepWeights>> kept;
      if (weights_once_for(o, c)) kept = detail::deal_model_weights(dops, t, c, batch, seq, vocab);
      for (int run = 0; run < o.warmup + o.runs; ++run)
        detail::deal_run(dops, t, c, batch, seq, vocab, schedule, kept ? &*kept : nullptr);
      w0.flush();
      w1.flush();
      r.key_bytes[0] = w0.bytes_written();
      r.key_bytes[1] = w1.bytes_written();
    }  // both files closed
    for (int p = 0; p < 2; ++p) append_key_trailer(tmp[p], deal_id, r.key_bytes[p]);
    for (int p = 0; p < 2; ++p) {
      std::filesystem::rename(tmp[p], r.files[p]);
      renamed = p + 1;
    }
  } catch (...) {
    for (const auto& f : tmp) std::filesystem::remove(f, ec);
    // p1.keys could not take its name: p0.keys of this deal must not stay alone either.
    for (int p = 0; p < renamed; ++p) std::filesystem::remove(r.files[p], ec);
    throw;
  }
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace secinfer::models
