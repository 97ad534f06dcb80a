// Session 40's one-off check of 3936958 (compile_instance as a rotation): the new function against
// the old one (compile_instance_old, cut out of 3936958~1 by run.sh) over every gate at n = 50, 37
// and 64 where it compiles, masks at each cut's edges and 3,000 random ones, both paddings.
// Prints "instances N, differing D"; exit 1 where D > 0.
#include <cstdio>
#include <exception>
#include <random>
#include <vector>

#include "fss/compile/functions.h"
#include "fss/compile/instance.h"
namespace secinfer::fss::compile {
InstanceKey compile_instance_old(const SufGate& g, u64 r_in, u64 open_mask, Padding padding,
                                 u64 dummy);
}
using namespace secinfer::fss;
using namespace secinfer::fss::compile;
int main() {
  long bad = 0, total = 0;
  for (int n : {50, 37, 64})
    for (FunctionId id : {FunctionId::kGelu, FunctionId::kSilu, FunctionId::kNexp,
                          FunctionId::kInverse, FunctionId::kRsqrt}) {
      FunctionParams p;
      p.id = id;
      p.n = n;
      p.frac_bits = 12;
      p.cols = id == FunctionId::kRsqrt ? 768 : 128;
      SufGate g;
      try {
        g = compile_function(p);
      } catch (std::exception& e) {
        std::printf("skip %d %d: %s\n", (int)id, n, e.what());
        continue;
      }
      std::mt19937_64 rng(7);
      std::vector<u64> masks;
      for (u64 c : g.cuts) {
        masks.push_back((0 - c) & ring_mask(n));
        masks.push_back((1 - c) & ring_mask(n));
        masks.push_back((u64(-1) - c) & ring_mask(n));
      }
      masks.push_back(0);
      masks.push_back(ring_mask(n));
      for (int i = 0; i < 3000; ++i) masks.push_back(rng() & ring_mask(n));
      for (u64 r : masks)
        for (auto pad : {Padding::kOn, Padding::kOff}) {
          u64 om = rng() & ring_mask(g.poly_bits), d = rng();
          auto a = compile_instance(g, r, om, pad, d), b = compile_instance_old(g, r, om, pad, d);
          ++total;
          bad += a.lookup_alpha != b.lookup_alpha || a.lookup_beta != b.lookup_beta ||
                 a.lookup_base != b.lookup_base || a.atom_beta != b.atom_beta ||
                 a.atom_base != b.atom_base || a.atoms.size() != b.atoms.size();
        }
    }
  std::printf("instances %ld, differing %ld\n", total, bad);
  return bad != 0;
}
