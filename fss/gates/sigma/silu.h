// SIGMA's SiLU (Gupta et al., PoPETs 2024, the GeLU protocol applied to SiLU, as SIGMA's Llama code
// does: EzPC GPU-MPC gpuKeyGenGelu<T, u16, 10> with the reluSubSilu table): the GELU algorithm of
// gelu.h with a 10-bit clip (|x| < 16) and a 1024-entry table of ReLU(x) - SiLU(x) at scale 6,
// SiLU(x) = x / (1 + exp(-x)). Faces silu_* in nonlinear.h (read no GateArgs field).
//
// Online: 5 rounds; per party per element 1 + bt + 2 + 10 + n bits (bt = n - 2f + 7).
#pragma once

#include "fss/gates/sigma/gelu.h"
#include "fss/gates/sigma/nonlinear.h"
