#include "fss/engine/key_stream.h"

#include <algorithm>
#include <cstring>

#include "fss/key_io.h"
#include "profiling/scope.h"

namespace secinfer::fss::engine {

namespace {

constexpr char kMagic[8] = {'S', 'I', 'K', 'E', 'Y', 'S', '\0', '\n'};

void put_le(std::vector<std::uint8_t>& b, std::uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint64_t get_le(const std::uint8_t* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

std::string describe(const KeyFileHeader& h) {
  return "party " + std::to_string(h.party) + ", config hash " + std::to_string(h.config_hash) +
         (h.config_summary.empty() ? "" : " ('" + h.config_summary + "')") + ", key format " +
         std::to_string(h.version);
}

}  // namespace

std::string tag_name(std::uint32_t tag) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((tag >> (8 * i)) & 0xff);
    s += (c >= 32 && c < 127) ? c : '?';
  }
  return s;
}

// ---- KeyBuffer

std::size_t KeyBuffer::grow(std::size_t n) {
  // Release consumed bytes once they dominate, so memory stays bounded by what is unread. The
  // storage keeps its capacity: the next layer's keys reuse it (no reallocation, no page faults).
  // Queued objects all sit at or after head_.
  if (head_ > 0 && (head_ == data_.size() || head_ >= data_.size() / 2)) {
    if (head_ == data_.size()) {
      data_.clear();
    } else {
      data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
    }
    for (auto& o : objects_) o.at -= head_;
    head_ = 0;
  }
  const std::size_t at = data_.size();
  data_.resize(at + n);
  return at;
}

void KeyBuffer::append(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  const std::size_t at = grow(bytes.size());
  std::memcpy(data_.data() + at, bytes.data(), bytes.size());
}

std::span<std::uint8_t> KeyBuffer::append_uninit(std::size_t n) {
  if (n == 0) return {};
  const std::size_t at = grow(n);
  return {data_.data() + at, n};
}

void KeyBuffer::append_object(KeyBatch keys, std::size_t bytes) {
  if (on_object_) on_object_(keys);
  objects_.push_back(Object{data_.size(), bytes, std::move(keys)});
  object_bytes_ += bytes;
}
template <class Keys>
std::optional<Keys> KeyBuffer::take() {
  if (objects_.empty() || objects_.front().at != head_ ||
      !std::holds_alternative<Keys>(objects_.front().keys))
    return std::nullopt;
  std::optional<Keys> k(std::move(std::get<Keys>(objects_.front().keys)));
  object_bytes_ -= objects_.front().bytes;
  objects_.pop_front();
  return k;
}

template std::optional<DcfKeys> KeyBuffer::take<DcfKeys>();
template std::optional<DpfKeys> KeyBuffer::take<DpfKeys>();
template std::optional<ShareBatch> KeyBuffer::take<ShareBatch>();
template std::optional<DpfEtKeys> KeyBuffer::take<DpfEtKeys>();
template std::optional<SigmaDcfKeys> KeyBuffer::take<SigmaDcfKeys>();
void KeyBuffer::materialize(std::size_t n) {
  // Objects in front of or inside the next n bytes are serialised into place, in order; each
  // insertion moves the bytes (and objects) behind it.
  while (!objects_.empty() && objects_.front().at < head_ + n) {
    Object o = std::move(objects_.front());
    objects_.pop_front();
    object_bytes_ -= o.bytes;
    std::vector<std::uint8_t> bytes =
        std::visit([](const auto& k) { return serialize_keys(k); }, o.keys);
    data_.insert(data_.begin() + static_cast<std::ptrdiff_t>(o.at), bytes.begin(), bytes.end());
    for (auto& rest : objects_) rest.at += bytes.size();
  }
}

std::span<const std::uint8_t> KeyBuffer::consume_view(std::size_t n) {
  if (n > available()) {
    throw KeyError("key stream ended: a gate needs " + std::to_string(n) +
                   " more key bytes but only " + std::to_string(available()) +
                   " are buffered (the dealer generated fewer keys than the party consumes: "
                   "run keygen with the same model, shapes and call sequence before evaluating)");
  }
  if (!objects_.empty()) materialize(n);
  const std::span<const std::uint8_t> v(data_.data() + head_, n);
  head_ += n;  // the bytes stay in place until the next append
  return v;
}

void KeyBuffer::consume(std::span<std::uint8_t> out) {
  const auto v = consume_view(out.size());
  if (!v.empty()) std::memcpy(out.data(), v.data(), v.size());
}

void keep_batches_on(KeyBuffer& buffer, const Accelerator& accel) {
  buffer.set_on_object([&accel](KeyBatch& b) {
    // Host shares stay on the host, except those read as vectors where the vectors live here.
    if (const auto* s = std::get_if<ShareBatch>(&b);
        s != nullptr && s->host && !(s->vector && accel.vec_space() != nullptr))
      return;
    std::visit([&accel](auto& k) { accel.make_resident(k); }, b);
  });
}

// ---- KeyWriter

KeyWriter KeyWriter::memory(std::shared_ptr<KeyBuffer> buffer) {
  if (!buffer) throw std::invalid_argument("KeyWriter::memory: null buffer");
  KeyWriter w;
  w.buffer_ = std::move(buffer);
  return w;
}

KeyWriter KeyWriter::discard() {
  KeyWriter w;
  w.charge_ = false;
  return w;
}

KeyWriter KeyWriter::file(const std::string& path, const KeyFileHeader& header) {
  KeyWriter w;
  w.path_ = path;
  w.file_ = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*w.file_) {
    throw KeyError("cannot create the key file '" + path +
                   "': check that its directory exists and is writable");
  }
  std::vector<std::uint8_t> h(kMagic, kMagic + 8);
  put_le(h, header.version, 4);
  put_le(h, static_cast<std::uint32_t>(header.party), 4);
  put_le(h, header.config_hash, 8);
  put_le(h, header.config_summary.size(), 4);
  h.insert(h.end(), header.config_summary.begin(), header.config_summary.end());
  w.file_->write(reinterpret_cast<const char*>(h.data()), static_cast<std::streamsize>(h.size()));
  if (!*w.file_) throw KeyError("writing the header of key file '" + path + "' failed");
  return w;
}

KeyWriter::KeyWriter(KeyWriter&&) noexcept = default;
KeyWriter& KeyWriter::operator=(KeyWriter&&) noexcept = default;
KeyWriter::~KeyWriter() {
  if (file_) file_->flush();
}

void KeyWriter::account(std::uint64_t n) {
  bytes_ += n;
  if (charge_) profiling::charge_key_bytes(n);
  if (on_write_) on_write_(n);
}

void KeyWriter::write(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (buffer_) {
    buffer_->append(bytes);
  } else if (file_) {
    file_->write(reinterpret_cast<const char*>(bytes.data()),
                 static_cast<std::streamsize>(bytes.size()));
    if (!*file_) throw KeyError("writing key file '" + path_ + "' failed (disk full?)");
  }
  account(bytes.size());
}

void KeyWriter::write_with(std::size_t n,
                           const std::function<void(std::span<std::uint8_t>)>& fill) {
  if (n == 0) return;
  if (buffer_) {
    fill(buffer_->append_uninit(n));
    account(n);
  } else if (file_) {
    std::vector<std::uint8_t> tmp(n);
    fill(tmp);
    write(tmp);
  } else {
    account(n);  // discard: count only
  }
}

void KeyWriter::write_keys(KeyBatch keys) {
  const std::size_t n = std::visit([](const auto& k) { return serialized_size(k); }, keys);
  if (buffer_) {
    buffer_->append_object(std::move(keys), n);
    account(n);
  } else {
    write_with(n, [&](std::span<std::uint8_t> out) {
      std::visit([&](const auto& k) { serialize_keys(k, out); }, keys);
    });
  }
}
void KeyWriter::write_u32(std::uint32_t v) {
  std::uint8_t b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  write(b);
}

void KeyWriter::write_u64(std::uint64_t v) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  write(b);
}

void KeyWriter::begin_record(std::uint32_t tag, std::uint64_t count) {
  std::uint8_t b[kRecordHeaderBytes];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(tag >> (8 * i));
  for (int i = 0; i < 8; ++i) b[4 + i] = static_cast<std::uint8_t>(count >> (8 * i));
  write(b);
}

void KeyWriter::write_packed(std::span<const u64> v, int bits, ThreadPool* pool) {
  if (v.empty()) return;
  write_with(packed_bytes(v.size(), bits), [&](std::span<std::uint8_t> out) {
    if (pool != nullptr)
      pack_bits(v, bits, out, *pool);
    else
      pack_bits(v, bits, out);
  });
}

void KeyWriter::flush() {
  if (file_) {
    file_->flush();
    if (!*file_) throw KeyError("flushing key file '" + path_ + "' failed (disk full?)");
  }
}

// ---- KeyReader

KeyReader KeyReader::memory(std::shared_ptr<KeyBuffer> buffer) {
  if (!buffer) throw std::invalid_argument("KeyReader::memory: null buffer");
  KeyReader r;
  r.buffer_ = std::move(buffer);
  return r;
}

KeyReader KeyReader::file(const std::string& path, const KeyFileHeader& expected) {
  KeyReader r;
  r.path_ = path;
  r.file_ = std::make_unique<std::ifstream>(path, std::ios::binary);
  if (!*r.file_) {
    throw KeyError("cannot open the key file '" + path +
                   "': run the dealer first (it writes one key file per party)");
  }
  std::uint8_t fixed[28];
  r.file_->read(reinterpret_cast<char*>(fixed), sizeof fixed);
  if (r.file_->gcount() != static_cast<std::streamsize>(sizeof fixed) ||
      std::memcmp(fixed, kMagic, 8) != 0) {
    throw KeyError("'" + path +
                   "' is not a secinfer key file (bad magic): pass the file the "
                   "dealer wrote for this party");
  }
  KeyFileHeader got;
  got.version = static_cast<std::uint32_t>(get_le(fixed + 8, 4));
  got.party = static_cast<int>(get_le(fixed + 12, 4));
  got.config_hash = get_le(fixed + 16, 8);
  const std::uint64_t summary_len = get_le(fixed + 24, 4);
  if (summary_len > (1u << 20)) throw KeyError("key file '" + path + "' has a corrupt header");
  got.config_summary.resize(summary_len);
  r.file_->read(got.config_summary.data(), static_cast<std::streamsize>(summary_len));
  if (r.file_->gcount() != static_cast<std::streamsize>(summary_len)) {
    throw KeyError("key file '" + path + "' has a truncated header");
  }
  if (got.version != expected.version) {
    throw KeyError("key file '" + path + "' has key format version " + std::to_string(got.version) +
                   " but this build reads version " + std::to_string(expected.version) +
                   ": regenerate the keys with this build's dealer");
  }
  if (got.party != expected.party) {
    throw KeyError("key file '" + path + "' holds the keys of party " + std::to_string(got.party) +
                   ", but this is party " + std::to_string(expected.party) +
                   ": pass this party's own key file");
  }
  if (got.config_hash != expected.config_hash) {
    throw KeyError(
        "key file '" + path + "' was generated for another configuration (file: " + describe(got) +
        "; this run: " + describe(expected) + "): regenerate the keys for this configuration");
  }
  return r;
}

KeyReader::KeyReader(KeyReader&&) noexcept = default;
KeyReader& KeyReader::operator=(KeyReader&&) noexcept = default;
KeyReader::~KeyReader() = default;

void KeyReader::read(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  if (buffer_) {
    buffer_->consume(out);
  } else if (file_) {
    file_->read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
    const auto got = static_cast<std::size_t>(file_->gcount());
    if (got != out.size()) {
      throw KeyError("key file '" + path_ + "' ended after " + std::to_string(bytes_ + got) +
                     " key bytes while a gate needs " + std::to_string(out.size() - got) +
                     " more: the file is truncated or was made for a different model/shape");
    }
  } else {
    throw KeyError("reading from an empty KeyReader");
  }
  bytes_ += out.size();
}

std::span<const std::uint8_t> KeyReader::read_view(std::size_t n) {
  if (n == 0) return {};
  if (buffer_) {
    const auto v = buffer_->consume_view(n);
    bytes_ += n;
    return v;
  }
  scratch_.resize(n);
  read(scratch_);
  return scratch_;
}

template <class Keys>
std::optional<Keys> KeyReader::read_object() {
  if (!buffer_) return std::nullopt;
  std::optional<Keys> k = buffer_->take<Keys>();
  if (k) bytes_ += serialized_size(*k);
  return k;
}
template std::optional<DcfKeys> KeyReader::read_object<DcfKeys>();
template std::optional<DpfKeys> KeyReader::read_object<DpfKeys>();
template std::optional<ShareBatch> KeyReader::read_object<ShareBatch>();
template std::optional<DpfEtKeys> KeyReader::read_object<DpfEtKeys>();
template std::optional<SigmaDcfKeys> KeyReader::read_object<SigmaDcfKeys>();
std::uint32_t KeyReader::read_u32() {
  std::uint8_t b[4];
  read(b);
  return static_cast<std::uint32_t>(get_le(b, 4));
}

std::uint64_t KeyReader::read_u64() {
  std::uint8_t b[8];
  read(b);
  return get_le(b, 8);
}

void KeyReader::expect_record(std::uint32_t tag, std::uint64_t count) {
  std::uint8_t b[kRecordHeaderBytes];
  read(b);
  const auto got_tag = static_cast<std::uint32_t>(get_le(b, 4));
  const std::uint64_t got_count = get_le(b + 4, 8);
  if (got_tag != tag || got_count != count) {
    throw KeyError("key stream out of sync: the party evaluates a '" + tag_name(tag) +
                   "' gate on " + std::to_string(count) + " elements but the next key is a '" +
                   tag_name(got_tag) + "' key for " + std::to_string(got_count) +
                   " elements (the dealer ran a different call sequence or configuration, or "
                   "the stream is foreign)");
  }
}

void KeyReader::read_packed(std::span<u64> out, int bits) {
  if (out.empty()) return;
  unpack_bits(read_view(packed_bytes(out.size(), bits)), bits, out);
}

bool KeyReader::at_end() {
  if (buffer_) return buffer_->available() == 0;
  if (file_) return file_->peek() == std::char_traits<char>::eof();
  return true;
}

}  // namespace secinfer::fss::engine
