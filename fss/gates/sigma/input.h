// Inputs and outputs of the masked-wire engine (SIGMA section 3, "masked inputs"): the owner of a
// secret x learns its mask r from its key and sends xhat = x + r; reveal reads the masks from both
// keys and outputs x = xhat - r locally.
#pragma once

#include <span>

#include "fss/engine/dealer.h"
#include "fss/engine/party.h"

namespace secinfer::fss::sigma {

using engine::Dealer;
using engine::Party;

// Draws r_out (fresh, per element) and writes it to `owner`'s key (n bits per element; the other
// party's key gets only the record header). Online: the owner sends ceil(N n / 8) bytes in one
// message; no round is charged (one-way, net::Channel::send/recv).
void input_keygen(Dealer& d, int owner, std::span<u64> r_out);
// `x`: the owner's cleartext values (ignored, may be empty, for the other party).
void input_eval(Party& p, int owner, std::span<const u64> x, std::span<u64> xhat);

// Reveal to both parties: the dealer writes r to both keys (n bits per element each); each party
// outputs x = xhat - r. No communication.
void reveal_keygen(Dealer& d, std::span<const u64> r_in);
void reveal_eval(Party& p, std::span<const u64> xhat, std::span<u64> x);

}  // namespace secinfer::fss::sigma
