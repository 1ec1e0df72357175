//===- GenerateVJP.cpp - softmoe-generate-vjp ------------------------------===//
//
// For every function made of softmoe ops, adds `@f_fwd` (the forward, also
// returning the residuals the backward reads) and `@f_vjp` (residuals and the
// cotangents of the results in, one f32 gradient per float argument out).
//
// The forward's `softmoe.layer` ops are decomposed into the stage ops first;
// the backward walks those in reverse, applying each op's rule (VJPRules.cpp).
// Residuals are the stage ops' operands that are not arguments (logits,
// slots, expert outputs) plus, unless `recompute-hidden`, every expert's f32
// `slots @ w1`: `@f_fwd` computes expert_apply as linalg (the same builder
// the lowering uses) so that this intermediate can be returned.
//
//   @f_fwd(args)                       -> (results, residuals, hidden...)
//   @f_vjp(args, residuals, hidden..., dresults) -> (dargs, f32, no mask)
//
//===----------------------------------------------------------------------===//

#include "VJPRules.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Conversion/SoftMoEToLinalg/EinsumBuilders.h"
#include "softmoe/Dialect/SoftMoE/IR/Activation.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEGENERATEVJP
#include "softmoe/Conversion/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::lowering;

namespace {

bool isStageOp(Operation *op) {
  return isa<RouterOp, DispatchOp, ExpertApplyOp, CombineOp>(op);
}

bool isFloatTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && isa<FloatType>(rt.getElementType());
}

RankedTensorType asF32(Type t) {
  auto rt = cast<RankedTensorType>(t);
  return RankedTensorType::get(rt.getShape(), Float32Type::get(t.getContext()));
}

/// An identity-indexed elementwise generic over `a` and `b` (same shape),
/// written into a fresh f32 tensor: ext(a) + ext(b), or ext(a) without `b`.
Value addInto(OpBuilder &b, Location loc, Value x, Value y) {
  auto type = asF32(x.getType());
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, loc, x);
  Value init = tensor::EmptyOp::create(b, loc, sizes, b.getF32Type());
  SmallVector<Value> ins = {x};
  if (y)
    ins.push_back(y);
  unsigned rank = type.getRank();
  SmallVector<AffineMap> maps(ins.size() + 1,
                              b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iters(rank, utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps, iters,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Value v = ext(nb, nl, args[0]);
        if (y)
          v = arith::AddFOp::create(nb, nl, v, ext(nb, nl, args[1]));
        linalg::YieldOp::create(nb, nl, v);
      });
  return generic.getResult(0);
}

/// The type of an expert's f32 `slots @ w1` (B, N, P, H; H is 2H for a
/// gated activation): each size static where any operand has it.
RankedTensorType hiddenType(ExpertApplyOp op) {
  auto slots = cast<RankedTensorType>(op.getSlots().getType());
  auto w1 = cast<RankedTensorType>(op.getW1().getType());
  auto w2 = cast<RankedTensorType>(op.getW2().getType());
  auto pick = [](std::initializer_list<int64_t> sizes) {
    for (int64_t s : sizes)
      if (!ShapedType::isDynamic(s))
        return s;
    return ShapedType::kDynamic;
  };
  int64_t factor = firstLayerWidthFactor(op.getActivation());
  int64_t h = w2.getDimSize(1);
  SmallVector<int64_t> shape = {
      slots.getDimSize(0),
      pick({slots.getDimSize(1), w1.getDimSize(0), w2.getDimSize(0)}),
      slots.getDimSize(2),
      pick({w1.getDimSize(2),
            ShapedType::isDynamic(h) ? ShapedType::kDynamic : factor * h})};
  return RankedTensorType::get(shape, Float32Type::get(op.getContext()));
}

struct GenerateVJPPass
    : softmoe::impl::SoftMoEGenerateVJPBase<GenerateVJPPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> funcs;
    for (auto f : module.getOps<func::FuncOp>()) {
      bool hasSoftMoE = false;
      f.walk([&](Operation *op) {
        hasSoftMoE |= isa_and_present<SoftMoEDialect>(op->getDialect());
      });
      if (!f.isDeclaration() && hasSoftMoE)
        funcs.push_back(f);
    }
    for (func::FuncOp f : funcs)
      if (failed(generate(module, f)))
        return signalPassFailure();
  }

  LogicalResult generate(ModuleOp module, func::FuncOp f);
};

/// What can be differentiated: one block of stage ops, tensor.cast and a
/// return of float tensors that those ops produce.
LogicalResult checkDifferentiable(func::FuncOp f) {
  if (!f.getBody().hasOneBlock())
    return f.emitError("softmoe-generate-vjp: the function must have a "
                       "single block");
  for (Operation &op : f.getBody().front()) {
    if (isStageOp(&op) || isa<LayerOp, tensor::CastOp, func::ReturnOp>(op))
      continue;
    return op.emitError("softmoe-generate-vjp: cannot differentiate '")
           << op.getName()
           << "'; only softmoe ops, tensor.cast and func.return are "
              "supported";
  }
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  for (Value v : ret.getOperands()) {
    if (!isFloatTensor(v.getType()) || !v.getDefiningOp())
      return ret.emitError("softmoe-generate-vjp: every result must be a "
                           "float tensor computed by a softmoe op");
  }
  return success();
}

LogicalResult GenerateVJPPass::generate(ModuleOp module, func::FuncOp f) {
  if (failed(checkDifferentiable(f)))
    return failure();
  std::string fwdName = (f.getName() + "_fwd").str();
  std::string vjpName = (f.getName() + "_vjp").str();
  for (StringRef name : {StringRef(fwdName), StringRef(vjpName)})
    if (module.lookupSymbol(name))
      return f.emitError("softmoe-generate-vjp: the module already has @")
             << name;

  // The forward, with its layers decomposed into stage ops.
  OpBuilder mb(f);
  mb.setInsertionPointAfter(f);
  auto fwd = cast<func::FuncOp>(mb.clone(*f));
  fwd.setSymName(fwdName);
  {
    RewritePatternSet patterns(&getContext());
    populateDecomposeLayerPatterns(patterns);
    walkAndApplyPatterns(fwd, std::move(patterns));
  }
  Block &body = fwd.getBody().front();
  for (Operation &op : body)
    if (isa<LayerOp>(op))
      return op.emitError("softmoe-generate-vjp: this layer does not verify");
  auto ret = cast<func::ReturnOp>(body.getTerminator());

  // Residuals: operands of the differentiated ops that are not arguments.
  llvm::SetVector<Value> residuals;
  SmallVector<ExpertApplyOp> experts;
  for (Operation &op : body) {
    if (!isStageOp(&op) && !isa<tensor::CastOp>(op))
      continue;
    for (Value v : op.getOperands())
      if (!isa<BlockArgument>(v))
        residuals.insert(v);
    if (auto e = dyn_cast<ExpertApplyOp>(op); e && !recomputeHidden)
      experts.push_back(e);
  }

  // @f_vjp's signature.
  SmallVector<Type> vjpArgs(fwd.getArgumentTypes());
  for (Value v : residuals)
    vjpArgs.push_back(v.getType());
  for (ExpertApplyOp e : experts)
    vjpArgs.push_back(hiddenType(e));
  for (Value v : ret.getOperands())
    vjpArgs.push_back(v.getType());
  SmallVector<Type> vjpResults;
  SmallVector<BlockArgument> floatArgs;
  for (BlockArgument a : body.getArguments())
    if (isFloatTensor(a.getType())) {
      floatArgs.push_back(a);
      vjpResults.push_back(asF32(a.getType()));
    }
  mb.setInsertionPointAfter(fwd);
  auto vjp = func::FuncOp::create(mb, f.getLoc(), vjpName,
                                  mb.getFunctionType(vjpArgs, vjpResults));
  Block *vjpBody = vjp.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockEnd(vjpBody);

  VJPState state{b, f.getLoc()};
  unsigned next = 0;
  for (BlockArgument a : body.getArguments())
    state.map.map(a, vjpBody->getArgument(next++));
  for (Value v : residuals)
    state.map.map(v, vjpBody->getArgument(next++));
  DenseMap<Operation *, Value> savedHidden;
  for (ExpertApplyOp e : experts)
    savedHidden[e] = vjpBody->getArgument(next++);
  for (Value v : ret.getOperands()) {
    Value dy = vjpBody->getArgument(next++);
    // A result that other ops also read accumulates more: copy it first
    // rather than write into the caller's buffer.
    auto it = state.cotangents.find(v);
    if (it != state.cotangents.end())
      state.cotangents[v] = addInto(b, state.loc, it->second, dy);
    else if (!v.hasOneUse())
      state.cotangents[v] = addInto(b, state.loc, dy, Value());
    else
      state.cotangents[v] = dy;
  }

  // Reverse mode over the forward's ops.
  for (Operation &op : llvm::reverse(body.without_terminator())) {
    Value g = state.cotangents.lookup(op.getResult(0));
    if (!g)
      continue; // does not reach any result
    state.loc = op.getLoc();
    if (auto c = dyn_cast<CombineOp>(op)) {
      buildCombineVJP(state, c, g);
    } else if (auto d = dyn_cast<DispatchOp>(op)) {
      buildDispatchVJP(state, d, g);
    } else if (auto e = dyn_cast<ExpertApplyOp>(op)) {
      buildExpertApplyVJP(state, e, g, savedHidden.lookup(e));
    } else if (auto r = dyn_cast<RouterOp>(op)) {
      buildRouterVJP(state, r, g);
    } else if (auto cast = dyn_cast<tensor::CastOp>(op)) {
      Value src = cast.getSource();
      if (elemTypeOf(g) != b.getF32Type())
        g = addInto(b, state.loc, g, Value());
      Value dsrc =
          tensor::CastOp::create(b, state.loc, asF32(src.getType()), g);
      auto it = state.cotangents.find(src);
      state.set(src, it == state.cotangents.end()
                         ? dsrc
                         : addInto(b, state.loc, it->second, dsrc));
    }
  }
  state.loc = f.getLoc();
  SmallVector<Value> grads;
  for (BlockArgument a : floatArgs) {
    Value g = state.cotangents.lookup(a);
    if (!g) {
      Value init = tensor::EmptyOp::create(
          b, state.loc, tensor::getMixedSizes(b, state.loc, state.primal(a)),
          b.getF32Type());
      g = linalg::FillOp::create(b, state.loc,
                                 ValueRange{f32Const(b, state.loc, 0)},
                                 ValueRange{init})
              .getResult(0);
    }
    if (g.getType() != asF32(a.getType()))
      g = tensor::CastOp::create(b, state.loc, asF32(a.getType()), g);
    grads.push_back(g);
  }
  func::ReturnOp::create(b, state.loc, grads);

  // @f_fwd returns the residuals too, and computes the saved experts as
  // linalg to expose their hidden layer.
  SmallVector<Value> fwdResults(ret.getOperands());
  fwdResults.append(residuals.begin(), residuals.end());
  OpBuilder rb(ret);
  auto newRet = func::ReturnOp::create(rb, ret.getLoc(), fwdResults);
  ret.erase();
  for (ExpertApplyOp e : experts) {
    OpBuilder eb(e);
    Value hidden;
    Value out = buildExpertApply(eb, e.getLoc(), e.getSlots(), e.getW1(),
                                 e.getB1(), e.getW2(), e.getB2(),
                                 e.getActivation(), &hidden);
    if (out.getType() != e.getType())
      out = tensor::CastOp::create(eb, e.getLoc(), e.getType(), out);
    if (hidden.getType() != hiddenType(e))
      hidden = tensor::CastOp::create(eb, e.getLoc(), hiddenType(e), hidden);
    e.getResult().replaceAllUsesWith(out);
    e.erase();
    newRet->insertOperands(newRet->getNumOperands(), hidden);
  }
  fwd.setFunctionType(
      mb.getFunctionType(fwd.getArgumentTypes(), newRet.getOperandTypes()));
  return success();
}

} // namespace
