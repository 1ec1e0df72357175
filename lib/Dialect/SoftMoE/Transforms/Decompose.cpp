//===- Decompose.cpp - softmoe.layer into its four stages -----------------===//
//
// The stage ops infer their result types from the layer's operands. IR that
// skipped the verifier (built in C++, or parsed with the verifier off) may
// hold a layer whose operands admit no such types; building the stages from
// it would abort in the op builders, so such a layer is reported and left
// alone, and the pass fails.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/WalkPatternRewriteDriver.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEDECOMPOSE
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;

namespace {

struct DecomposeLayer : OpRewritePattern<LayerOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(LayerOp op,
                                PatternRewriter &rewriter) const override {
    // The stage builders abort when inference fails: check it first, quietly
    // (no location), as the conversion driver may try this pattern on IR it
    // has not verified.
    SmallVector<Type> inferred;
    if (!hasWellFormedOperandLists(op) ||
        failed(LayerOp::inferReturnTypes(op.getContext(), std::nullopt,
                                         LayerOp::Adaptor(op), inferred)) ||
        !LayerOp::isCompatibleReturnTypes(inferred, op->getResultTypes()))
      return rewriter.notifyMatchFailure(op, "layer does not verify");
    Location loc = op.getLoc();
    Value logits = RouterOp::create(rewriter, loc, op.getX(), op.getPhi(),
                                    op.getScale(), op.getNormalize(),
                                    op.getEpsilon());
    Value slots =
        DispatchOp::create(rewriter, loc, logits, op.getX(), op.getMask());
    Value out = ExpertApplyOp::create(rewriter, loc, slots, op.getW1(),
                                      op.getB1(), op.getW2(), op.getB2(),
                                      op.getActivation());
    Value y = CombineOp::create(rewriter, loc, logits, out, op.getMask());
    // The layer's declared type may be less static than the inferred one.
    if (y.getType() != op.getType())
      y = tensor::CastOp::create(rewriter, loc, op.getType(), y);
    rewriter.replaceOp(op, y);
    return success();
  }
};

struct SoftMoEDecomposePass
    : softmoe::impl::SoftMoEDecomposeBase<SoftMoEDecomposePass> {
  void runOnOperation() override {
    // The verifier's own diagnostics say what is wrong with a layer. It is
    // safe on malformed operand lists: the op's structural traits run before
    // its type inference.
    bool ok = true;
    getOperation()->walk([&](LayerOp op) {
      if (failed(verify(op, /*verifyRecursively=*/false)))
        ok = false;
    });
    if (!ok)
      return signalPassFailure();
    RewritePatternSet patterns(&getContext());
    populateDecomposeLayerPatterns(patterns);
    walkAndApplyPatterns(getOperation(), std::move(patterns));
  }
};

} // namespace

void mlir::softmoe::populateDecomposeLayerPatterns(
    RewritePatternSet &patterns) {
  patterns.add<DecomposeLayer>(patterns.getContext());
}
