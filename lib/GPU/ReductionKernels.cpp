//===- ReductionKernels.cpp - Pointwise and reduction kernels -------------===//
//
// Kernels for linalg ops that are not GEMMs:
//
//  * pointwise: a thread per point of the parallel loops (the elementwise ops,
//    broadcasts, copies and fills of the layer, and the fallback for any op),
//    looping over the reduction loops, if any, in order;
//  * warp reductions: when the reduced dimension is contiguous in memory (the
//    sums over D of normalize, the softmax over all slots), one warp per
//    output, lanes striding over the reduction, then a butterfly of shuffles;
//  * split column reductions: when an output dimension is contiguous (the
//    softmax over tokens, whose logits are [B,M,N,P]), a block covers 32
//    consecutive outputs, its 8 warps take every 8th step of the reduction,
//    and the partial results meet in shared memory. Loads stay coalesced.
//
// Parallel reductions require `out = combiner(out, f(ins))` with a single
// output (found by matchReduction) and a combiner with a neutral element;
// partial results start from that element, so the reduction order differs
// from the sequential one only by reassociation.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "Kernels.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::softmoe::gpu_codegen;

namespace {

/// The loops of `op` split into parallel and reduction ones, in loop order.
struct LoopSplit {
  SmallVector<int64_t> loopSizes;
  SmallVector<unsigned> par, red;
  SmallVector<int64_t> parSizes, redSizes;
  int64_t numPar = 1, numRed = 1;

  explicit LoopSplit(linalg::LinalgOp op) {
    loopSizes = op.getStaticLoopRanges();
    for (auto [i, kind] : llvm::enumerate(op.getIteratorTypesArray())) {
      if (kind == utils::IteratorType::reduction) {
        red.push_back(i);
        redSizes.push_back(loopSizes[i]);
        numRed *= loopSizes[i];
      } else {
        par.push_back(i);
        parSizes.push_back(loopSizes[i]);
        numPar *= loopSizes[i];
      }
    }
  }

  /// All loop ivs, with the reduction ones at zero when `redIvs` is empty.
  SmallVector<Value> ivs(IndexBuilder &ib, ArrayRef<Value> parIvs,
                         ArrayRef<Value> redIvs) const {
    SmallVector<Value> all(loopSizes.size());
    for (auto [pos, v] : llvm::zip(par, parIvs))
      all[pos] = v;
    for (unsigned i = 0; i < red.size(); ++i)
      all[red[i]] = redIvs.empty() ? ib.c(0) : redIvs[i];
    return all;
  }
};

/// The input values at a loop point, followed by `outs`.
SmallVector<Value> bodyArgs(OpBuilder &b, Location loc, linalg::LinalgOp op,
                            ArrayRef<Value> ivs, ValueRange outs) {
  SmallVector<Value> args;
  for (OpOperand *in : op.getDpsInputOperands())
    args.push_back(loadOperand(b, loc, op, *in, ivs));
  llvm::append_range(args, outs);
  return args;
}

void storeOutputs(OpBuilder &b, Location loc, linalg::LinalgOp op,
                  ArrayRef<Value> ivs, ArrayRef<Value> values) {
  for (auto [init, v] : llvm::zip(op.getDpsInitsMutable(), values)) {
    SmallVector<Value> idx =
        applyIndexingMap(b, loc, op.getMatchingIndexingMap(&init), ivs);
    memref::StoreOp::create(b, loc, v, init.get(), idx);
  }
}

/// A clone of the combiner applied to `x` and `y`.
Value combine(OpBuilder &b, Operation *combiner, Value x, Value y) {
  Operation *c = b.clone(*combiner);
  c->setOperand(0, x);
  c->setOperand(1, y);
  return c->getResult(0);
}

} // namespace

void mlir::softmoe::gpu_codegen::emitPointwiseKernel(OpBuilder &b,
                                                     linalg::LinalgOp op,
                                                     Value initScalar) {
  Location loc = op.getLoc();
  LoopSplit loops(op);
  int64_t numBlocks = llvm::divideCeil(loops.numPar, kBlockThreads);
  createKernel(b, loc, "pointwise", numBlocks, kBlockThreads,
               [&](OpBuilder &b, Value bid) {
    IndexBuilder ib{b, loc};
    Value point = ib.add(ib.mul(bid, kBlockThreads), ib.threadId());
    buildIf(b, loc, ib.lt(point, loops.numPar), {}, [&](OpBuilder &b) {
      IndexBuilder ib{b, loc};
      SmallVector<Value> parIvs = delinearize(ib, point, loops.parSizes);
      SmallVector<Value> ivs = loops.ivs(ib, parIvs, {});
      // The outputs' current values, where the body reads them.
      SmallVector<Value> outs;
      for (OpOperand &init : op.getDpsInitsMutable()) {
        if (initScalar)
          outs.push_back(initScalar);
        else if (op.payloadUsesValueFromOperand(&init))
          outs.push_back(loadOperand(b, loc, op, init, ivs));
        else
          outs.push_back(arith::ConstantOp::create(
              b, loc, b.getZeroAttr(getElementTypeOrSelf(init.get()))));
      }
      SmallVector<Value> results;
      if (loops.red.empty()) {
        results = inlineBody(b, loc, op, bodyArgs(b, loc, op, ivs, outs), ivs);
      } else {
        results = buildFor(
            b, loc, ib.c(0), ib.c(loops.numRed), ib.c(1), outs,
            [&](OpBuilder &b, Value r, ValueRange accs) {
              IndexBuilder ib{b, loc};
              SmallVector<Value> all = loops.ivs(
                  ib, parIvs, delinearize(ib, r, loops.redSizes));
              return inlineBody(b, loc, op, bodyArgs(b, loc, op, all, accs),
                                all);
            });
      }
      storeOutputs(b, loc, op, ivs, results);
      return SmallVector<Value>{};
    });
  });
}

LogicalResult mlir::softmoe::gpu_codegen::emitParallelReductionKernel(
    OpBuilder &b, linalg::LinalgOp op, Value initScalar) {
  LoopSplit loops(op);
  if (loops.red.empty() || op.getNumDpsInits() != 1 ||
      !isa<MemRefType>(op.getDpsInits()[0].getType()))
    return failure();
  SmallVector<Operation *> combinerOps;
  if (!matchReduction(op.getRegionOutputArgs(), 0, combinerOps) ||
      combinerOps.size() != 1)
    return failure();
  Operation *combiner = combinerOps.front();
  if (combiner->getNumOperands() != 2 || combiner->getNumResults() != 1)
    return failure();
  std::optional<TypedAttr> neutral = arith::getNeutralElement(combiner);
  Type elemType = combiner->getResult(0).getType();
  if (!neutral || elemType != getElementTypeOrSelf(op.getDpsInits()[0]) ||
      !(elemType.isF32() || elemType.isInteger(32)))
    return failure();

  // Which loop is contiguous in memory: the innermost dimension of the
  // largest input.
  std::optional<unsigned> contiguousLoop;
  int64_t bestRank = -1;
  for (OpOperand *in : op.getDpsInputOperands()) {
    auto type = dyn_cast<MemRefType>(in->get().getType());
    if (!type || type.getRank() <= bestRank || type.getRank() == 0)
      continue;
    AffineMap map = op.getMatchingIndexingMap(in);
    for (AffineExpr e : llvm::reverse(map.getResults())) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (d && loops.loopSizes[d.getPosition()] == 1)
        continue;
      if (d) {
        contiguousLoop = d.getPosition();
        bestRank = type.getRank();
      }
      break;
    }
  }
  bool reduceContiguous =
      !contiguousLoop || llvm::is_contained(loops.red, *contiguousLoop);

  Location loc = op.getLoc();
  Value output = op.getDpsInits()[0];
  auto neutralValue = [&](OpBuilder &b) {
    return arith::ConstantOp::create(b, loc, *neutral).getResult();
  };
  // Folds the reduction points r = first, first+step, ... into `partial`.
  auto accumulate = [&](OpBuilder &b, ArrayRef<Value> parIvs, Value first,
                        int64_t step) {
    IndexBuilder ib{b, loc};
    return buildFor(b, loc, first, ib.c(loops.numRed), ib.c(step),
                    ValueRange{neutralValue(b)},
                    [&](OpBuilder &b, Value r, ValueRange accs) {
                      IndexBuilder ib{b, loc};
                      SmallVector<Value> all = loops.ivs(
                          ib, parIvs, delinearize(ib, r, loops.redSizes));
                      return inlineBody(b, loc, op,
                                        bodyArgs(b, loc, op, all, accs), all);
                    })
        .front();
  };
  // out[p] = combiner(out[p], total)
  auto finish = [&](OpBuilder &b, ArrayRef<Value> parIvs, Value total) {
    IndexBuilder ib{b, loc};
    SmallVector<Value> ivs = loops.ivs(ib, parIvs, {});
    OpOperand &init = op.getDpsInitsMutable()[0];
    Value result = total;
    // A start value equal to the neutral element changes nothing.
    if (!initScalar || !matchPattern(initScalar, m_Constant()) ||
        initScalar.getDefiningOp<arith::ConstantOp>().getValue() != *neutral) {
      Value old = initScalar ? initScalar : loadOperand(b, loc, op, init, ivs);
      result = combine(b, combiner, old, total);
    }
    storeOutputs(b, loc, op, ivs, {result});
  };

  if (reduceContiguous) {
    // One warp per output.
    constexpr int64_t warps = kBlockThreads / kWarpLanes;
    int64_t numBlocks = llvm::divideCeil(loops.numPar, warps);
    createKernel(b, loc, "warp_reduction", numBlocks, kBlockThreads, [&](OpBuilder &b,
                                                       Value bid) {
      IndexBuilder ib{b, loc};
      Value tid = ib.threadId();
      Value lane = ib.rem(tid, kWarpLanes);
      Value point = ib.add(ib.mul(bid, warps), ib.div(tid, kWarpLanes));
      // Uniform across the warp, so every lane reaches the shuffles.
      buildIf(b, loc, ib.lt(point, loops.numPar), {}, [&](OpBuilder &b) {
        IndexBuilder ib{b, loc};
        SmallVector<Value> parIvs = delinearize(ib, point, loops.parSizes);
        Value partial = accumulate(b, parIvs, lane, kWarpLanes);
        Value width = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(32));
        for (int32_t offset = kWarpLanes / 2; offset > 0; offset /= 2) {
          Value off =
              arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(offset));
          Value other = gpu::ShuffleOp::create(b, loc, partial, off, width,
                                               gpu::ShuffleMode::XOR)
                            .getShuffleResult();
          partial = combine(b, combiner, partial, other);
        }
        buildIf(b, loc,
                arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, lane,
                                      ib.c(0)),
                {}, [&](OpBuilder &b) {
                  finish(b, parIvs, partial);
                  return SmallVector<Value>{};
                });
        return SmallVector<Value>{};
      });
    });
  } else {
    // 32 consecutive outputs per block, the reduction split over 8 warps.
    constexpr int64_t cols = kWarpLanes, splits = kBlockThreads / kWarpLanes;
    int64_t numBlocks = llvm::divideCeil(loops.numPar, cols);
    createKernel(b, loc, "split_reduction", numBlocks, kBlockThreads, [&](OpBuilder &b,
                                                       Value bid) {
      IndexBuilder ib{b, loc};
      Value tid = ib.threadId();
      Value col = ib.rem(tid, cols), split = ib.div(tid, cols);
      Value point = ib.add(ib.mul(bid, cols), col);
      Value valid = ib.lt(point, loops.numPar);
      Value partials = allocShared(b, loc, {splits, cols}, elemType);
      SmallVector<Value> parIvs;
      Value partial =
          buildIf(b, loc, valid, {elemType},
                  [&](OpBuilder &b) {
                    IndexBuilder ib{b, loc};
                    parIvs = delinearize(ib, point, loops.parSizes);
                    return SmallVector<Value>{
                        accumulate(b, parIvs, split, splits)};
                  },
                  [&](OpBuilder &b) {
                    return SmallVector<Value>{neutralValue(b)};
                  })
              .front();
      memref::StoreOp::create(b, loc, partial, partials,
                              ValueRange{split, col});
      gpu::BarrierOp::create(b, loc);
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          split, ib.c(0));
      buildIf(b, loc, ib.andI(first, valid), {}, [&](OpBuilder &b) {
        IndexBuilder ib{b, loc};
        Value total = memref::LoadOp::create(b, loc, partials,
                                             ValueRange{ib.c(0), col});
        for (int64_t s = 1; s < splits; ++s)
          total = combine(b, combiner, total,
                          memref::LoadOp::create(b, loc, partials,
                                                 ValueRange{ib.c(s), col}));
        SmallVector<Value> ivs = delinearize(ib, point, loops.parSizes);
        finish(b, ivs, total);
        return SmallVector<Value>{};
      });
    });
  }
  (void)output;
  return success();
}
