//===- KernelConfig.h - Tile sizes per shape and target ---------*- C++ -*-===//
//
// The choices that make a register-tiled kernel fast on one CPU: how many rows
// and lanes a contraction's register tile covers, and how wide elementwise and
// reduction loops are. Pure functions of the static shape and the target, so
// they can be tested and printed without compiling anything.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_CODEGEN_KERNELCONFIG_H
#define SOFTMOE_CODEGEN_KERNELCONFIG_H

#include "softmoe/Codegen/CPUTarget.h"

namespace mlir::softmoe {

/// An mr x nr block of the output kept in mr * nr / lanes vector registers
/// while the reduction runs.
struct RegisterTile {
  int64_t mr = 1;
  int64_t nr = 1;
};

/// Picks the register tile of a contraction whose output has `rows` rows and
/// `cols` contiguous columns, by a small cost model: per reduction step a tile
/// issues mr * nr / lanes FMAs and nr / lanes + mr loads, an accumulator
/// chain waits for the FMA latency, and the registers must hold the
/// accumulators, one row of B and a broadcast. Partial tiles at the edges are
/// costed like full ones of their own size, so exact divisors win when they
/// are as good.
RegisterTile chooseRegisterTile(const CPUTarget &target, int64_t rows,
                                int64_t cols);

/// Lanes of one step of an elementwise or reduction loop over a contiguous
/// dimension of `extent` elements: a few vector registers, a divisor of the
/// extent when one is available.
int64_t chooseLaneTile(const CPUTarget &target, int64_t extent);

} // namespace mlir::softmoe

#endif // SOFTMOE_CODEGEN_KERNELCONFIG_H
