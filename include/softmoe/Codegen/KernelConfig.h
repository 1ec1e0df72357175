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

#include "llvm/ADT/ArrayRef.h"

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

/// The register tile of a contraction that streams B in reduction blocks
/// (chooseStreamBlock): few rows (B's panel is reused from L1 by the other
/// row strips of a block) and wide panels of whole cache lines, as many
/// registers across as fit beside the rows' broadcasts; with `bf16Dot`
/// (vdpbf16ps) each B register is two rows of B interleaved, and the
/// permutation that interleaves them takes a register too.
RegisterTile chooseStreamRegisterTile(const CPUTarget &target, int64_t rows,
                                      int64_t cols, bool bf16Dot);

/// Lanes of one step of an elementwise or reduction loop over a contiguous
/// dimension of `extent` elements: a few vector registers, a divisor of the
/// extent when one is available.
int64_t chooseLaneTile(const CPUTarget &target, int64_t extent);

/// Reduction block of a contraction that streams its second operand ("B",
/// the expert weights) from memory, or 0 when B is better read panel by
/// panel. Reading B in column panels of all `kExtent` rows touches a few
/// bytes of each kilobyte-strided row at a time, which DRAM serves at about
/// half the bandwidth of a sequential read; blocks of `kc` whole rows keep the
/// reads within a small window (and let the kernel prefetch the next block
/// sequentially), at the price of storing and reloading the accumulator tile
/// once per block. Streaming pays when the contraction is memory-bound: one
/// batch's B (`bBytesPerBatch`, of `bElemBytes` elements) is well beyond L2
/// and each of its bytes feeds few FLOPs (2 * `rows` / `bElemBytes`, where
/// `rows` is the output's row count per batch).
int64_t chooseStreamBlock(const CPUTarget &target, int64_t kExtent,
                          int64_t rows, int64_t bBytesPerBatch,
                          int64_t bElemBytes);

/// Whether a contraction copies each column panel of B (`kExtent` rows of
/// `panelCols` elements, out of rows of `bCols`) into a contiguous buffer
/// before its `rowStrips` register strips reuse it. In place, the panel's
/// rows are `bCols` elements apart: at the kilobyte strides of weights they
/// map to a few L1 sets and each sits on its own page, so every strip
/// reloads the panel from L2 through the TLB. The copy reads the panel once;
/// it pays when several strips reuse it and the packed panel stays in L2.
bool choosePackPanel(const CPUTarget &target, int64_t kExtent,
                     int64_t panelCols, int64_t bCols, int64_t rowStrips,
                     int64_t bElemBytes);

/// The loop dimension distributed over `threads`: the first parallel one
/// (`parallel[d]`) of `order` that splits into at least `threads` tiles of
/// `tiles[d]` (0: untiled) over its `ranges[d]`, or -1 when none does.
int64_t chooseForallDim(ArrayRef<bool> parallel, ArrayRef<int64_t> order,
                        ArrayRef<int64_t> ranges, ArrayRef<int64_t> tiles,
                        int64_t threads);

} // namespace mlir::softmoe

#endif // SOFTMOE_CODEGEN_KERNELCONFIG_H
