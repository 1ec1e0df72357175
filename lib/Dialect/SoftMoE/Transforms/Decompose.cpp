//===- Decompose.cpp - softmoe.layer into its four stages -----------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"
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
