//===- GemmPlan.h - The plan of a GEMM kernel and its epilogue --*- C++ -*-===//
//
// Shared by the mma.sync/FMA kernels (GemmKernels.cpp) and the sm_90a
// wgmma/TMA kernel (WgmmaKernel.cpp): how a contraction's loops group into
// batch, M, N and K, how each operand is read, and the epilogue that
// finishes one output element from its f32 accumulator.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_GPU_GEMMPLAN_H
#define SOFTMOE_LIB_GPU_GEMMPLAN_H

#include "KernelUtils.h"
#include "Kernels.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

namespace mlir::softmoe::gpu_codegen {

/// Along which tile dimension a thread's chunk of consecutive elements runs.
enum class Dir { Row, K };

/// How one input operand (A or B) is read.
struct OperandPlan {
  OpOperand *operand = nullptr;
  Value memref;
  AffineMap map;
  Type elemType;
  SmallVector<unsigned> rowDims; // M dims for A, N dims for B
  SmallVector<int64_t> rowSizes;
  int64_t rows = 1; // flattened size of the row group
  Dir dir = Dir::K;
  bool vectorizable = false;
};

struct GemmPlan {
  mutable linalg::LinalgOp op;
  SmallVector<int64_t> loopSizes;
  SmallVector<unsigned> batch, m, n, k;
  SmallVector<int64_t> batchSizes, mSizes, nSizes, kSizes;
  int64_t numBatch = 1, M = 1, N = 1, K = 1;
  OperandPlan a, b;
  OpOperand *c = nullptr;
  Type cElem;
  Type mmaElem; // bf16 or f16 when using tensor cores, else null
};

inline int64_t product(ArrayRef<int64_t> v) {
  int64_t p = 1;
  for (int64_t x : v)
    p *= x;
  return p;
}

//===----------------------------------------------------------------------===//
// Epilogue
//===----------------------------------------------------------------------===//

class Epilogue {
public:
  Epilogue(const GemmPlan &g, const ContractionFusion &fusion)
      : g(g), fusion(fusion) {}

  /// Finishes output element (row, col) of the tile's batch entry with the
  /// f32 accumulator `acc`, if it is inside the output.
  void store(OpBuilder &b, Location loc, ArrayRef<Value> batchIvs, Value row,
             Value col, Value acc) {
    IndexBuilder ib{b, loc};
    Value inside = ib.andI(ib.lt(row, g.M), ib.lt(col, g.N));
    buildIf(b, loc, inside, {}, [&](OpBuilder &b) {
      storeInside(b, loc, batchIvs, row, col, acc);
      return SmallVector<Value>{};
    });
  }

private:
  void storeInside(OpBuilder &b, Location loc, ArrayRef<Value> batchIvs,
                   Value row, Value col, Value acc) {
    IndexBuilder ib{b, loc};
    SmallVector<Value> ivs(g.loopSizes.size());
    for (auto &iv : ivs)
      iv = ib.c(0);
    for (auto [d, v] : llvm::zip(g.batch, batchIvs))
      ivs[d] = v;
    for (auto [d, v] : llvm::zip(g.m, delinearize(ib, row, g.mSizes)))
      ivs[d] = v;
    for (auto [d, v] : llvm::zip(g.n, delinearize(ib, col, g.nSizes)))
      ivs[d] = v;
    Value out = g.c->get();
    SmallVector<Value> outIdx = applyIndexingMap(
        b, loc, g.op.getMatchingIndexingMap(g.c), ivs);
    Type f32 = b.getF32Type();

    Value start;
    if (fusion.initScalar) {
      if (!matchPattern(fusion.initScalar, m_AnyZeroFloat()))
        start = fusion.initScalar;
    } else {
      start = memref::LoadOp::create(b, loc, out, outIdx);
    }
    Value pre = acc;
    if (start)
      pre = arith::AddFOp::create(b, loc, convertFloat(b, loc, start, f32),
                                  acc);
    Value preC = convertFloat(b, loc, pre, g.cElem);

    linalg::LinalgOp e = fusion.epilogue;
    if (!e) {
      memref::StoreOp::create(b, loc, preC, out, outIdx);
      return;
    }
    // The epilogue's loop point for this element of the contraction output.
    SmallVector<Value> eIvs(e.getNumLoops());
    for (OpOperand &operand : e->getOpOperands()) {
      if (operand.get() != out)
        continue;
      AffineMap map = e.getMatchingIndexingMap(&operand);
      for (auto [i, expr] : llvm::enumerate(map.getResults()))
        eIvs[cast<AffineDimExpr>(expr).getPosition()] = outIdx[i];
    }
    SmallVector<Value> args;
    for (OpOperand *in : e.getDpsInputOperands())
      args.push_back(in->get() == out ? preC
                                      : loadOperand(b, loc, e, *in, eIvs));
    for (OpOperand &init : e.getDpsInitsMutable()) {
      if (init.get() == out)
        args.push_back(preC);
      else if (e.payloadUsesValueFromOperand(&init))
        args.push_back(loadOperand(b, loc, e, init, eIvs));
      else
        args.push_back(arith::ConstantOp::create(
            b, loc, b.getZeroAttr(getElementTypeOrSelf(init.get()))));
    }
    SmallVector<Value> results = inlineBody(b, loc, e, args, eIvs);
    for (auto [init, v] : llvm::zip(e.getDpsInitsMutable(), results)) {
      SmallVector<Value> idx = applyIndexingMap(
          b, loc, e.getMatchingIndexingMap(&init), eIvs);
      memref::StoreOp::create(b, loc, v, init.get(), idx);
    }
    if (fusion.storeContractionOutput)
      memref::StoreOp::create(b, loc, preC, out, outIdx);
  }

  const GemmPlan &g;
  const ContractionFusion &fusion;
};

/// Plans the wgmma kernel for `g` (bf16/f16 operands of one type); false
/// when its layouts do not fit TMA and wgmma (the caller then uses mma.sync).
bool canUseWgmma(const GemmPlan &g, std::string &why);

/// The sm_90a kernel: TMA loads into a ring of shared-memory stages that
/// complete on mbarriers, two warpgroups issuing wgmma with f32 accumulators,
/// and the epilogue from a shared-memory tile.
void emitWgmmaKernel(OpBuilder &b, const GemmPlan &g,
                     const ContractionFusion &fusion);

} // namespace mlir::softmoe::gpu_codegen

#endif // SOFTMOE_LIB_GPU_GEMMPLAN_H
