//===- MapLinalgToGPU.cpp - linalg on memrefs to block-mapped kernels -----===//
//
// Drives the kernel emitters of Kernels.h over the host functions: each
// linalg op (and memref.copy) becomes one kernel, in program order. Around a
// contraction it looks one op back for a linalg.fill of the output (folded
// into the accumulator's start) and one op forward for an elementwise op that
// reads the result (fused as the epilogue), when no other op can observe the
// difference.
//
//===----------------------------------------------------------------------===//

#include "KernelUtils.h"
#include "Kernels.h"

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEGPUMAPLINALG
#include "softmoe/GPU/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::gpu_codegen;

namespace {

/// Ops between kernels that neither read nor write buffer contents.
bool isInert(Operation *op) {
  return isMemoryEffectFree(op) || isa<memref::AllocOp, memref::AllocaOp>(op) ||
         isa<ViewLikeOpInterface>(op);
}

Operation *prevNonInert(Operation *op) {
  for (Operation *p = op->getPrevNode(); p; p = p->getPrevNode())
    if (!isInert(p))
      return p;
  return nullptr;
}

Operation *nextNonInert(Operation *op) {
  for (Operation *n = op->getNextNode(); n; n = n->getNextNode())
    if (!isInert(n))
      return n;
  return nullptr;
}

/// Whether anything after `after` (in its block) may read or write the
/// buffer that `memref` views, apart from deallocating it. Function
/// arguments are visible to the caller, so they always are.
bool usedLater(Value memref, Operation *after) {
  Value root = rootBuffer(memref);
  if (isa<BlockArgument>(root))
    return true;
  SmallVector<Value> worklist{root};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
        if (view.getViewSource() == v) {
          worklist.push_back(user->getResult(0));
          continue;
        }
      }
      if (isa<memref::DeallocOp>(user))
        continue;
      Operation *ancestor = after->getBlock()->findAncestorOpInBlock(*user);
      if (!ancestor || after->isBeforeInBlock(ancestor))
        return true;
    }
  }
  return false;
}

/// The linalg.fill of the contraction's output just before it, if any.
linalg::FillOp findFoldableFill(linalg::LinalgOp op) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(prevNonInert(op));
  if (!fill || !fill.hasPureBufferSemantics() ||
      fill.getDpsInits()[0] != op.getDpsInits()[0])
    return nullptr;
  return fill;
}

/// The elementwise op just after the contraction that can be fused as its
/// epilogue, if any; sets whether the contraction output must still be
/// stored.
linalg::LinalgOp findEpilogue(linalg::LinalgOp op, bool &storeOutput) {
  auto e = dyn_cast_or_null<linalg::LinalgOp>(nextNonInert(op));
  Value t = op.getDpsInits()[0];
  if (!e || !e.hasPureBufferSemantics() || e.hasDynamicShape() ||
      e.getNumParallelLoops() != e.getNumLoops() || e.getNumDpsInits() == 0)
    return nullptr;
  // Every operand that is the contraction's output reads it at the same
  // element, through a permutation.
  std::optional<AffineMap> tMap;
  for (OpOperand &operand : e->getOpOperands()) {
    if (operand.get() != t)
      continue;
    AffineMap map = e.getMatchingIndexingMap(&operand);
    if (!map.isPermutation() || (tMap && *tMap != map))
      return nullptr;
    tMap = map;
  }
  if (!tMap)
    return nullptr;
  Value tRoot = rootBuffer(t);
  SmallVector<Value> contractionInputRoots;
  for (Value in : op.getDpsInputs())
    contractionInputRoots.push_back(rootBuffer(in));
  for (OpOperand &operand : e->getOpOperands()) {
    if (operand.get() == t || !isa<MemRefType>(operand.get().getType()))
      continue;
    Value root = rootBuffer(operand.get());
    // Another view of the result would see it before the epilogue.
    if (root == tRoot)
      return nullptr;
    if (e.isDpsInit(&operand)) {
      // Other blocks of the kernel still read the contraction's inputs.
      if (llvm::is_contained(contractionInputRoots, root))
        return nullptr;
      continue;
    }
    // An input that aliases an output must be read at the element written.
    for (OpOperand &init : e.getDpsInitsMutable()) {
      if (rootBuffer(init.get()) != root)
        continue;
      if (init.get() != operand.get() ||
          e.getMatchingIndexingMap(&init) != e.getMatchingIndexingMap(&operand))
        return nullptr;
    }
  }
  bool writesT = llvm::is_contained(e.getDpsInits(), t);
  storeOutput = !writesT && usedLater(t, e);
  return e;
}

struct MapLinalgPass
    : softmoe::impl::SoftMoEGPUMapLinalgBase<MapLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool failed = false;
    module.walk([&](func::FuncOp func) {
      if (func.isExternal() || func->getParentOfType<gpu::GPUModuleOp>())
        return;
      if (mlir::failed(mapFunction(func)))
        failed = true;
    });
    if (failed)
      signalPassFailure();
  }

  LogicalResult mapFunction(func::FuncOp func) {
    // memref.copy is a copy kernel like any other.
    SmallVector<memref::CopyOp> copies;
    func.walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    }

    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<scf::ForallOp>())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      if (!op.hasPureBufferSemantics())
        return op.emitOpError("must be bufferized before GPU mapping");
      if (op.hasDynamicShape())
        return op.emitOpError(
            "has dynamic shapes; the GPU pipeline needs static shapes");
    }
    // Contractions first, while their neighbours (fills to fold, epilogues
    // to fuse) are still linalg ops; kernels keep the ops' program order
    // whatever the order they are emitted in.
    auto isGemm = [](linalg::LinalgOp op) {
      std::string why;
      return linalg::isaContractionOpInterface(op) &&
             succeeded(checkGemmSupported(op, why));
    };
    // Fills last: the op after a fill may fold it.
    SmallVector<linalg::LinalgOp> ordered;
    for (linalg::LinalgOp op : ops)
      if (isGemm(op))
        ordered.push_back(op);
    for (linalg::LinalgOp op : ops)
      if (!isGemm(op) && !isa<linalg::FillOp>(op))
        ordered.push_back(op);
    for (linalg::LinalgOp op : ops)
      if (isa<linalg::FillOp>(op))
        ordered.push_back(op);
    DenseSet<Operation *> erased;
    for (linalg::LinalgOp op : ordered) {
      if (erased.contains(op))
        continue;
      OpBuilder b(op);
      if (isGemm(op)) {
        ContractionFusion fusion;
        linalg::FillOp fill = findFoldableFill(op);
        if (fill)
          fusion.initScalar = fill.getInputs()[0];
        fusion.epilogue = findEpilogue(op, fusion.storeContractionOutput);
        // Only inert ops lie in between, so the kernel may run at the
        // epilogue's place, where its output buffers are all defined.
        if (fusion.epilogue)
          b.setInsertionPoint(fusion.epilogue);
        emitContractionKernel(b, op, fusion, useTensorCores, useWgmma);
        if (fill) {
          erased.insert(fill);
          fill.erase();
        }
        if (fusion.epilogue) {
          erased.insert(fusion.epilogue);
          fusion.epilogue->erase();
        }
      } else {
        // A fill of the single output just before becomes its start value.
        linalg::FillOp fill;
        if (op.getNumDpsInits() == 1 && !isa<linalg::FillOp>(op))
          fill = findFoldableFill(op);
        Value init = fill ? fill.getInputs()[0] : Value();
        if (failed(emitParallelReductionKernel(b, op, init)))
          emitPointwiseKernel(b, op, init);
        if (fill) {
          erased.insert(fill);
          fill.erase();
        }
      }
      erased.insert(op);
      op->erase();
    }
    return checkNoHostAccess(func);
  }

  /// After mapping, host code must not touch buffer contents: they live in
  /// device memory.
  LogicalResult checkNoHostAccess(func::FuncOp func) {
    WalkResult result = func.walk([&](Operation *op) {
      if (op->getParentOfType<scf::ForallOp>() || isa<scf::ForallOp>(op))
        return WalkResult::skip();
      auto effects = dyn_cast<MemoryEffectOpInterface>(op);
      if (!effects)
        return WalkResult::advance();
      SmallVector<MemoryEffects::EffectInstance> list;
      effects.getEffects(list);
      for (auto &effect : list) {
        if (!isa<MemoryEffects::Read, MemoryEffects::Write>(effect.getEffect()))
          continue;
        Value v = effect.getValue();
        if (v && isa<MemRefType>(v.getType())) {
          op->emitOpError("reads or writes a buffer on the host, but the GPU "
                          "pipeline keeps buffers in device memory");
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    return failure(result.wasInterrupted());
  }
};

} // namespace
