// Exact serialisation of DPF / DCF key batches (docs/design/fss-core.md "Key sizes"): each key is
// packed bit by bit in the order root (128), then per level cw_seed (128), cw_tL, cw_tR (1 + 1),
// cw_v (L * m, DCF only), then cw_out (m, DPF) or cw_final (L * m, DCF), and padded to whole bytes:
// ceil(dpf_key_bits / 8) or ceil(dcf_key_bits / 8) bytes per key, nothing else (shape and count
// are known to the reader from the gate's record header and parameters).
#pragma once

#include <cstdint>
#include <vector>

#include "fss/dcf.h"
#include "fss/dpf.h"
#include "fss/engine/key_stream.h"

namespace secinfer::fss::engine {

std::size_t dcf_key_bytes(DcfShape shape);
std::size_t dpf_key_bytes(DpfShape shape);

void write_dcf_keys(KeyWriter& w, const DcfKeys& k);
DcfKeys read_dcf_keys(KeyReader& r, DcfShape shape, std::size_t count, int party);
void write_dpf_keys(KeyWriter& w, const DpfKeys& k);
DpfKeys read_dpf_keys(KeyReader& r, DpfShape shape, std::size_t count, int party);

}  // namespace secinfer::fss::engine
