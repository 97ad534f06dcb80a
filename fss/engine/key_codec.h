// DPF / DCF key batches on a key stream, in the FSS core's versioned format (fss/key_io.h: a
// 48-byte header with shape, count and a CRC-32C, then count keys of exactly ceil(key_bits / 8)
// bytes, docs/design/fss-core.md "Key sizes"). Reading checks the header against the shape, count
// and party the gate expects, so a foreign or shifted stream fails with a clear message.
#pragma once

#include <cstdint>

#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/engine/key_stream.h"

namespace secinfer::fss::engine {

// Bytes of one key, and of a batch of `count` keys including the batch header.
std::size_t dcf_key_bytes(DcfShape shape);
std::size_t dpf_key_bytes(DpfShape shape);
std::size_t dcf_batch_bytes(DcfShape shape, std::size_t count);
std::size_t dpf_batch_bytes(DpfShape shape, std::size_t count);

void write_dcf_keys(KeyWriter& w, const DcfKeys& k);
// Moves the batch into a memory writer's buffer without serialising it (KeyWriter::write_keys);
// the stream's bytes and byte counts are the same as with the copy above.
void write_dcf_keys(KeyWriter& w, DcfKeys&& k);
DcfKeys read_dcf_keys(KeyReader& r, DcfShape shape, std::size_t count, int party);
void write_dpf_keys(KeyWriter& w, const DpfKeys& k);
void write_dpf_keys(KeyWriter& w, DpfKeys&& k);
DpfKeys read_dpf_keys(KeyReader& r, DpfShape shape, std::size_t count, int party);

}  // namespace secinfer::fss::engine
