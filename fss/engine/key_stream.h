// Byte streams of FSS keys between the dealer (offline) and one party (online).
//
//   auto buf = std::make_shared<KeyBuffer>();            // inline mode: dealer and party share it
//   KeyWriter w = KeyWriter::memory(buf);  KeyReader r = KeyReader::memory(buf);
//   KeyWriter w = KeyWriter::file("p0.keys", header);    // file mode (dealer process)
//   KeyReader r = KeyReader::file("p0.keys", header);    // refuses another party/config/version
//
// Keys are serialised exactly: the bytes written ARE the reported key size. Ring elements are
// bit-packed to their bit width (fss::pack_bits). Every gate call starts its key with a 12-byte
// record header {tag, count} so that a party that reads a key for the wrong gate or size (dealer
// and party ran different call sequences, or a foreign stream) fails with a clear message instead
// of silently reading garbage; these 12 bytes are part of the reported key size.
#pragma once

#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fss/accelerator.h"
#include "fss/block.h"
#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/dpf_et.h"
#include "fss/ring.h"
#include "fss/share_batch.h"

namespace secinfer::fss::engine {

// Any problem with a key stream: short, foreign, out of sync, wrong party / config / version.
class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Key file format version; bump on any change of a gate's key layout.
// 2: the sigma suite's lookups default to SIGMA's early-terminated 1-bit DPF (fss/dpf_et.h).
// 3: the sigma suite's comparisons and truncations use SIGMA's DCF (fss/sigma_dcf.h); fusefss's
//    fused truncation + activation gates.
// 4: the sigma suite's softmax max in SIGMA's reduced ring (docs/design/sigma-softmax-max.md).
// 5: a model run's stream opens with the model input's weight masks, dealt once for every run
//    (models/memory.h weights_masked_once).
// 6: a weight matrix's mask shares come with the weight, once, not in every product's key
//    (sigma linear.h weight_shares_keygen).
// 7: fusefss's fused truncation + activation lookups on 512-bit DPF leaves (fss/dpf_et.h;
//    --fusefss-act fused-leaf128 keeps SIGMA's 128-bit ones), and its output's two multiples of
//    2^m dealt in n - m bits.
// 8: the ring-payload DCF (fss/dcf.h: fusefss's truncations, ReLU, interval lookups) on the
//    half-tree (docs/design/fss-core.md "DCF").
inline constexpr std::uint32_t kKeyFormatVersion = 8;

// Header of a key file (file mode): magic "SIKEYS\0\n", then version (u32), party (u32),
// config_hash (u64), and the config summary (u32 length + bytes, quoted in mismatch messages).
struct KeyFileHeader {
  std::uint32_t version = kKeyFormatVersion;
  int party = 0;
  std::uint64_t config_hash = 0;
  std::string config_summary;
};

// Four-character gate tag for record headers, e.g. key_tag("TRFL").
constexpr std::uint32_t key_tag(const char (&s)[5]) {
  return std::uint32_t(std::uint8_t(s[0])) | std::uint32_t(std::uint8_t(s[1])) << 8 |
         std::uint32_t(std::uint8_t(s[2])) << 16 | std::uint32_t(std::uint8_t(s[3])) << 24;
}
std::string tag_name(std::uint32_t tag);
inline constexpr std::size_t kRecordHeaderBytes = 12;  // u32 tag + u64 count

// One DCF, DPF or early-terminated DPF key batch or a batch of shares, handed over as an object
// in inline mode.
using KeyBatch = std::variant<DcfKeys, DpfKeys, ShareBatch, DpfEtKeys, SigmaDcfKeys>;

// A FIFO of key bytes in memory (inline mode). The dealer appends, the party consumes; consumed
// bytes are released, so a layer-by-layer schedule (keygen one layer, evaluate it) keeps key memory
// bounded by one layer.
//
// DCF / DPF batches may also be queued as objects (append_object): in inline mode the dealer and
// the party share the process, so the party takes the dealer's key object back (take_dcf /
// take_dpf) instead of serialising and parsing it, which was a quarter of the CPU time of a
// secure run. Such a batch counts as its exact serialised size in available() and in the writer's
// byte count, and a reader that reads bytes where it sits gets exactly those bytes (it is
// serialised on demand), so the stream reads the same either way.
class KeyBuffer {
 public:
  void append(std::span<const std::uint8_t> bytes);
  // Appends `n` bytes the caller fills at once (before any other call on this buffer): lets a
  // writer serialise in place instead of through a temporary (KeyWriter::write_with).
  std::span<std::uint8_t> append_uninit(std::size_t n);
  // Copies the next out.size() bytes; throws KeyError if fewer are buffered.
  void consume(std::span<std::uint8_t> out);
  // Consumes the next n bytes and returns a view of them, valid until the next append; throws
  // KeyError if fewer are buffered.
  std::span<const std::uint8_t> consume_view(std::size_t n);
  std::size_t available() const { return data_.size() - head_ + object_bytes_; }

  // Queues a key batch object whose serialised size is `bytes` (serialized_size(keys)).
  void append_object(KeyBatch keys, std::size_t bytes);
  // Called on every batch object as it is queued, i.e. by the dealer in the offline phase: a party
  // process with an accelerator attaches the device copy there (Accelerator::make_resident), so
  // the online phase finds its keys on the device.
  void set_on_object(std::function<void(KeyBatch&)> f) { on_object_ = std::move(f); }
  // The next item, if it is a queued batch object of type Keys (a KeyBatch alternative);
  // else nullopt (nothing consumed).
  template <class Keys>
  std::optional<Keys> take();
  // Calls fn on every queued batch object, in stream order (a check that swaps each resident
  // batch for its host copy before it reads the stream as bytes). fn must keep the batch's type
  // and serialised size.
  void for_each_object(const std::function<void(KeyBatch&)>& fn) {
    for (Object& o : objects_) fn(o.keys);
  }

 private:
  // Grows without zero-filling: every appended byte is written right after.
  template <class T>
  struct NoInitAllocator : std::allocator<T> {
    using value_type = T;
    template <class U>
    struct rebind {
      using other = NoInitAllocator<U>;
    };
    NoInitAllocator() = default;
    template <class U>
    NoInitAllocator(const NoInitAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept {
      ::new (static_cast<void*>(p)) U;
    }
  };
  // Makes room for n more bytes (dropping consumed ones first) and returns their offset.
  std::size_t grow(std::size_t n);
  // Serialises queued objects that lie in [head_, head_ + n) into data_ (a byte read reached them).
  void materialize(std::size_t n);
  std::vector<std::uint8_t, NoInitAllocator<std::uint8_t>> data_;
  std::size_t head_ = 0;
  struct Object {
    std::size_t at;     // position in data_ the batch sits before
    std::size_t bytes;  // its serialised size
    KeyBatch keys;
  };
  std::deque<Object> objects_;  // in stream order
  std::size_t object_bytes_ = 0;
  std::function<void(KeyBatch&)> on_object_;
};

// Inline mode with an accelerator: every batch object is moved to the accelerator's memory as the
// dealer queues it, i.e. in the offline phase (Accelerator::make_resident; the hook of `buffer`).
// `accel` must outlive the buffer's use.
void keep_batches_on(KeyBuffer& buffer, const Accelerator& accel);

// Appends one party's key bytes to memory, a file, or nowhere (counting only).
class KeyWriter {
 public:
  static KeyWriter memory(std::shared_ptr<KeyBuffer> buffer);
  // Counts bytes but keeps nothing: the other party's key in inline mode.
  static KeyWriter discard();
  // Creates/truncates `path` and writes the header. Throws KeyError if it cannot be written.
  static KeyWriter file(const std::string& path, const KeyFileHeader& header);

  KeyWriter(KeyWriter&&) noexcept;
  KeyWriter& operator=(KeyWriter&&) noexcept;
  ~KeyWriter();

  void write(std::span<const std::uint8_t> bytes);
  // Writes `n` bytes produced by fill(span of n bytes) in place (no temporary for a memory
  // writer); a discarding writer only counts them and never calls fill.
  void write_with(std::size_t n, const std::function<void(std::span<std::uint8_t>)>& fill);
  // Appends one key batch (exactly serialized_size(keys) bytes of the stream): a memory writer
  // queues the object itself (KeyBuffer::append_object), a file writer serialises it, discard()
  // counts it.
  void write_keys(KeyBatch keys);
  // True for discard(): bytes are counted, never kept (a caller may skip producing them).
  bool discards() const { return !buffer_ && !file_; }
  // True for file(): everything written is serialised to bytes.
  bool writes_file() const { return file_ != nullptr; }
  void write_u32(std::uint32_t v);
  void write_u64(std::uint64_t v);
  // Record header of one gate call (tag, element count).
  void begin_record(std::uint32_t tag, std::uint64_t count);
  // Ring elements bit-packed to `bits` bits each: ceil(v.size() * bits / 8) bytes; packed on
  // `pool`'s threads when given (the bytes never depend on it).
  void write_packed(std::span<const u64> v, int bits, ThreadPool* pool = nullptr);
  void flush();

  // Key bytes written so far (without the file header).
  std::uint64_t bytes_written() const { return bytes_; }
  // Every write is charged to the innermost open offline scope (profiling::charge_key_bytes; a
  // no-op outside an offline phase) when `charge` is on: on for memory and file writers, off for
  // discard() (the other party's key in inline mode is not this party's key memory). A dealer
  // process writing both files charges both to its one recorder unless told otherwise.
  void set_charge(bool charge) { charge_ = charge; }
  // Optional extra observer of every write (size in bytes).
  void set_on_write(std::function<void(std::uint64_t)> f) { on_write_ = std::move(f); }

 private:
  KeyWriter() = default;
  void account(std::uint64_t n);  // byte count, profiler charge, observer
  std::shared_ptr<KeyBuffer> buffer_;
  std::unique_ptr<std::ofstream> file_;
  std::string path_;
  std::uint64_t bytes_ = 0;
  bool charge_ = true;
  std::function<void(std::uint64_t)> on_write_;
};

// Reads one party's key bytes back, with size checks.
class KeyReader {
 public:
  static KeyReader memory(std::shared_ptr<KeyBuffer> buffer);
  // Opens `path` and checks its header against `expected` (party, config hash, version): a file of
  // the other party, another configuration or another format version throws KeyError naming both.
  static KeyReader file(const std::string& path, const KeyFileHeader& expected);

  KeyReader(KeyReader&&) noexcept;
  KeyReader& operator=(KeyReader&&) noexcept;
  ~KeyReader();

  // Throws KeyError on a short stream ("key stream ended ...").
  void read(std::span<std::uint8_t> out);
  // Reads n bytes and returns a view of them, valid until the next call on this reader (memory:
  // a view into the buffer, no copy; file: this reader's scratch). Throws KeyError like read.
  std::span<const std::uint8_t> read_view(std::size_t n);
  // The next batch when this is a memory reader and the writer queued it as an object of that
  // type (KeyWriter::write_keys); counts its serialised size as read. Else nullopt, nothing read.
  template <class Keys>
  std::optional<Keys> read_object();
  // True for memory(): consecutive read_views are adjacent views of one buffer, valid until the
  // writer appends again.
  bool in_memory() const { return buffer_ != nullptr; }
  std::uint32_t read_u32();
  std::uint64_t read_u64();
  // Reads a record header and checks it: a different tag or count throws KeyError naming both.
  void expect_record(std::uint32_t tag, std::uint64_t count);
  void read_packed(std::span<u64> out, int bits);
  std::uint64_t bytes_read() const { return bytes_; }
  // True when a file stream is exhausted / the memory buffer is empty.
  bool at_end();

 private:
  KeyReader() = default;
  std::shared_ptr<KeyBuffer> buffer_;
  std::unique_ptr<std::ifstream> file_;
  std::string path_;
  std::uint64_t bytes_ = 0;
  std::vector<std::uint8_t> scratch_;  // read_view in file mode
};

}  // namespace secinfer::fss::engine
