//===- KernelConfig.cpp - Tile sizes per shape and target -----------------===//

#include "softmoe/Codegen/KernelConfig.h"

#include <algorithm>
#include <limits>

using namespace mlir::softmoe;

namespace {
// Cycles per reduction step of an mr x (nv vectors) tile: the target's FMA
// throughput and load ports, and each accumulator's FMA chain waits for the
// FMA latency.
double stepCycles(const CPUTarget &target, int64_t mr, int64_t nv) {
  double fmas = double(mr * nv), loads = double(nv + mr);
  return std::max({fmas / double(target.fmasPerCycle),
                   loads / double(target.loadsPerCycle),
                   double(target.fmaLatency)});
}
} // namespace

RegisterTile mlir::softmoe::chooseRegisterTile(const CPUTarget &target,
                                               int64_t rows, int64_t cols) {
  const int64_t lanes = target.f32Lanes();
  const int64_t regs = target.numVectorRegisters;
  if (rows <= 0 || cols <= 0)
    return {std::min<int64_t>(4, std::max<int64_t>(rows, 1)), lanes};
  const int64_t colVectors = (cols + lanes - 1) / lanes;
  RegisterTile best;
  double bestCost = std::numeric_limits<double>::infinity();
  for (int64_t nv = 1; nv <= std::min<int64_t>(6, colVectors); ++nv) {
    int64_t nr = nv * lanes;
    for (int64_t mr = 1; mr <= std::min<int64_t>(16, rows); ++mr) {
      // Accumulators, one row of B, one broadcast.
      if (mr * nv + nv + 1 > regs)
        break;
      int64_t fullRows = rows / mr, remRows = rows % mr;
      int64_t fullCols = cols / nr, remCols = cols % nr;
      int64_t remNv = (remCols + lanes - 1) / lanes;
      double cost = double(fullRows * fullCols) * stepCycles(target, mr, nv);
      // Edge tiles are their own, less unrolled kernels: a little dearer.
      constexpr double edge = 1.1;
      if (remRows)
        cost += edge * double(fullCols) * stepCycles(target, remRows, nv);
      if (remCols)
        cost += edge * double(fullRows) * stepCycles(target, mr, remNv);
      if (remRows && remCols)
        cost += edge * stepCycles(target, remRows, remNv);
      // Ties go to wider tiles: longer contiguous runs of B per row.
      if (cost < bestCost * (1 - 1e-9) ||
          (cost <= bestCost * (1 + 1e-9) && nr * mr > best.nr * best.mr)) {
        bestCost = cost;
        best = {mr, nr};
      }
    }
  }
  return best;
}

RegisterTile mlir::softmoe::chooseStreamRegisterTile(const CPUTarget &target,
                                                     int64_t rows,
                                                     int64_t cols,
                                                     bool bf16Dot) {
  const int64_t lanes = target.f32Lanes();
  const int64_t regs = target.numVectorRegisters;
  // Measured on B-128 (AVX-512, 8 rows): 4x64 beat 8x48, 8x32, 6x48, 4x96
  // and 2x128 with vdpbf16ps (64 vs 81 ms at one thread), and 8x48 with FMAs.
  int64_t mr = std::clamp<int64_t>(rows, 1, 4);
  int64_t colVectors = std::max<int64_t>(1, (cols + lanes - 1) / lanes);
  int64_t nv = 1;
  for (int64_t v = 2; v <= std::min<int64_t>(4, colVectors); ++v) {
    // Accumulators, B registers, the broadcasts LLVM keeps live, spare.
    int64_t needed = mr * v + v + (bf16Dot ? mr + 2 : 1);
    if (needed <= regs)
      nv = v;
  }
  return {mr, nv * lanes};
}

int64_t mlir::softmoe::chooseLaneTile(const CPUTarget &target, int64_t extent) {
  const int64_t lanes = target.f32Lanes();
  if (extent <= 0)
    return lanes;
  if (extent <= lanes)
    return extent;
  for (int64_t u : {4, 2, 1})
    if (extent % (u * lanes) == 0)
      return u * lanes;
  return lanes;
}

int64_t mlir::softmoe::chooseStreamBlock(const CPUTarget &target,
                                         int64_t kExtent, int64_t rows,
                                         int64_t bBytesPerBatch,
                                         int64_t bElemBytes) {
  // One batch of B that fits the L2 is reused from there.
  // Measured on B-128 (8 rows): 16 rows per block beat 8 and matched 32-64.
  constexpr int64_t kc = 16;
  // Above ~8 FLOPs per byte of B, the FMAs rather than DRAM set the pace
  // (S-32's 32 rows of f32 gained nothing from streaming).
  constexpr int64_t maxFlopsPerByte = 8;
  if (bBytesPerBatch < target.l2Bytes || bElemBytes <= 0 ||
      2 * rows > maxFlopsPerByte * bElemBytes || kExtent <= kc)
    return 0;
  return kc;
}

bool mlir::softmoe::choosePackPanel(const CPUTarget &target, int64_t kExtent,
                                    int64_t panelCols, int64_t bCols,
                                    int64_t rowStrips, int64_t bElemBytes) {
  if (kExtent <= 0 || panelCols <= 0 || bElemBytes <= 0)
    return false;
  // Rows at least four panels apart (a few hundred bytes and up): nearer
  // rows share cache lines and pages, and the panel is almost contiguous.
  if (bCols < 4 * panelCols)
    return false;
  // Reused by at least two strips; still in L2 beside the rest.
  return rowStrips >= 2 &&
         kExtent * panelCols * bElemBytes <= target.l2Bytes / 4;
}

int64_t mlir::softmoe::chooseForallDim(ArrayRef<bool> parallel,
                                       ArrayRef<int64_t> order,
                                       ArrayRef<int64_t> ranges,
                                       ArrayRef<int64_t> tiles,
                                       int64_t threads) {
  for (int64_t d : order) {
    if (!parallel[d])
      continue;
    int64_t t = tiles[d] ? tiles[d] : ranges[d];
    if ((ranges[d] + t - 1) / t >= threads)
      return d;
  }
  return -1;
}
