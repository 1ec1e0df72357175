//===- KernelUtils.cpp - Helpers shared by the GPU kernel emitters --------===//

#include "KernelUtils.h"

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

using namespace mlir;
using namespace mlir::softmoe::gpu_codegen;

Value IndexBuilder::c(int64_t v) {
  return arith::ConstantIndexOp::create(b, loc, v);
}

static std::optional<int64_t> constIndex(Value v) {
  if (auto cst = v.getDefiningOp<arith::ConstantIndexOp>())
    return cst.value();
  return std::nullopt;
}

Value IndexBuilder::add(Value x, Value y) {
  if (constIndex(x) == 0)
    return y;
  if (constIndex(y) == 0)
    return x;
  return arith::AddIOp::create(b, loc, x, y);
}

Value IndexBuilder::mul(Value x, int64_t y) {
  if (y == 1)
    return x;
  if (y == 0 || constIndex(x) == 0)
    return c(0);
  return arith::MulIOp::create(b, loc, x, c(y));
}

Value IndexBuilder::div(Value x, int64_t y) {
  if (y == 1)
    return x;
  return arith::DivUIOp::create(b, loc, x, c(y));
}

Value IndexBuilder::rem(Value x, int64_t y) {
  if (y == 1)
    return c(0);
  return arith::RemUIOp::create(b, loc, x, c(y));
}

Value IndexBuilder::lt(Value x, int64_t bound) { return lt(x, c(bound)); }

Value IndexBuilder::lt(Value x, Value y) {
  return arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, x, y);
}

Value IndexBuilder::andI(Value x, Value y) {
  return arith::AndIOp::create(b, loc, x, y);
}

Value IndexBuilder::threadId() {
  return gpu::ThreadIdOp::create(b, loc, gpu::Dimension::x);
}

SmallVector<Value> mlir::softmoe::gpu_codegen::delinearize(
    IndexBuilder &ib, Value linear, ArrayRef<int64_t> sizes) {
  SmallVector<Value> result(sizes.size());
  Value rest = linear;
  for (int64_t i = int64_t(sizes.size()) - 1; i >= 0; --i) {
    if (i == 0) {
      result[0] = sizes[0] == 1 ? ib.c(0) : rest;
      break;
    }
    result[i] = ib.rem(rest, sizes[i]);
    rest = ib.div(rest, sizes[i]);
  }
  return result;
}

scf::ForallOp mlir::softmoe::gpu_codegen::createKernel(
    OpBuilder &b, Location loc, StringRef kind, int64_t numBlocks,
    int64_t blockThreads, function_ref<void(OpBuilder &, Value)> body) {
  MLIRContext *ctx = b.getContext();
  auto mapping = b.getArrayAttr(
      {gpu::GPUBlockMappingAttr::get(ctx, gpu::MappingId::DimX)});
  auto forall = scf::ForallOp::create(
      b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(numBlocks)}, ValueRange{},
      mapping);
  forall->setAttr(kBlockSizeAttrName,
                  b.getDenseI64ArrayAttr({blockThreads, 1, 1}));
  forall->setAttr(kKernelKindAttrName, b.getStringAttr(kind));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  body(b, forall.getInductionVar(0));
  return forall;
}

Value mlir::softmoe::gpu_codegen::allocShared(OpBuilder &b, Location loc,
                                              ArrayRef<int64_t> shape,
                                              Type elementType) {
  auto space = gpu::AddressSpaceAttr::get(b.getContext(),
                                          gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get(shape, elementType, MemRefLayoutAttrInterface(),
                              space);
  return memref::AllocOp::create(b, loc, type);
}

SmallVector<Value> mlir::softmoe::gpu_codegen::applyIndexingMap(
    OpBuilder &b, Location loc, AffineMap map, ArrayRef<Value> loopIvs) {
  SmallVector<Value> indices;
  for (unsigned i = 0; i < map.getNumResults(); ++i) {
    AffineExpr e = map.getResult(i);
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      indices.push_back(loopIvs[d.getPosition()]);
    } else if (auto cst = dyn_cast<AffineConstantExpr>(e)) {
      indices.push_back(arith::ConstantIndexOp::create(b, loc, cst.getValue()));
    } else {
      indices.push_back(affine::AffineApplyOp::create(
          b, loc, map.getSubMap({i}), ValueRange(loopIvs)));
    }
  }
  return indices;
}

Value mlir::softmoe::gpu_codegen::loadOperand(OpBuilder &b, Location loc,
                                              linalg::LinalgOp op,
                                              OpOperand &operand,
                                              ArrayRef<Value> loopIvs) {
  Value v = operand.get();
  if (!isa<MemRefType>(v.getType()))
    return v;
  SmallVector<Value> idx =
      applyIndexingMap(b, loc, op.getMatchingIndexingMap(&operand), loopIvs);
  return memref::LoadOp::create(b, loc, v, idx);
}

SmallVector<Value> mlir::softmoe::gpu_codegen::inlineBody(
    OpBuilder &b, Location loc, linalg::LinalgOp op, ArrayRef<Value> args,
    ArrayRef<Value> loopIvs) {
  Block *body = op.getBlock();
  IRMapping mapping;
  for (auto [arg, value] : llvm::zip(body->getArguments(), args))
    mapping.map(arg, value);
  for (Operation &inner : body->without_terminator()) {
    if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
      mapping.map(index.getResult(), loopIvs[index.getDim()]);
      continue;
    }
    b.clone(inner, mapping);
  }
  SmallVector<Value> yields;
  for (Value v : body->getTerminator()->getOperands())
    yields.push_back(mapping.lookupOrDefault(v));
  return yields;
}

Value mlir::softmoe::gpu_codegen::convertFloat(OpBuilder &b, Location loc,
                                               Value v, Type toElement) {
  Type from = getElementTypeOrSelf(v.getType());
  if (from == toElement)
    return v;
  Type to = toElement;
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    to = VectorType::get(vt.getShape(), toElement);
  if (cast<FloatType>(from).getWidth() > cast<FloatType>(toElement).getWidth())
    return arith::TruncFOp::create(b, loc, to, v);
  if (cast<FloatType>(from).getWidth() < cast<FloatType>(toElement).getWidth())
    return arith::ExtFOp::create(b, loc, to, v);
  // bf16 <-> f16: through f32.
  Type mid = b.getF32Type();
  if (auto vt = dyn_cast<VectorType>(v.getType()))
    mid = VectorType::get(vt.getShape(), mid);
  return arith::TruncFOp::create(b, loc, to,
                                 arith::ExtFOp::create(b, loc, mid, v));
}

Value mlir::softmoe::gpu_codegen::rootBuffer(Value memref) {
  while (Operation *def = memref.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      memref = view.getViewSource();
      continue;
    }
    break;
  }
  return memref;
}

SmallVector<Value> mlir::softmoe::gpu_codegen::buildIf(
    OpBuilder &b, Location loc, Value cond, TypeRange types,
    function_ref<SmallVector<Value>(OpBuilder &)> thenFn,
    function_ref<SmallVector<Value>(OpBuilder &)> elseFn) {
  bool withElse = static_cast<bool>(elseFn);
  auto ifOp = scf::IfOp::create(b, loc, types, cond, withElse);
  auto fill = [&](Block *block,
                  function_ref<SmallVector<Value>(OpBuilder &)> fn) {
    OpBuilder::InsertionGuard guard(b);
    // Without results the builder may already have added the terminator.
    if (!block->empty() && block->back().hasTrait<OpTrait::IsTerminator>())
      block->back().erase();
    b.setInsertionPointToEnd(block);
    SmallVector<Value> yielded = fn(b);
    scf::YieldOp::create(b, loc, yielded);
  };
  fill(ifOp.thenBlock(), thenFn);
  if (withElse)
    fill(ifOp.elseBlock(), elseFn);
  return SmallVector<Value>(ifOp.getResults());
}

SmallVector<Value> mlir::softmoe::gpu_codegen::buildFor(
    OpBuilder &b, Location loc, Value lb, Value ub, Value step,
    ValueRange inits,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> bodyFn) {
  auto forOp = scf::ForOp::create(
      b, loc, lb, ub, step, inits,
      [&](OpBuilder &nb, Location nloc, Value iv, ValueRange args) {
        SmallVector<Value> next = bodyFn(nb, iv, args);
        scf::YieldOp::create(nb, nloc, next);
      });
  return SmallVector<Value>(forOp.getResults());
}
