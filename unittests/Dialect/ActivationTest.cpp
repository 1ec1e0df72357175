//===- ActivationTest.cpp - The expert activations, declared once ---------===//
//
// softmoe/Dialect/SoftMoE/IR/Activation.h: the names come from the ODS enum,
// the gated ones say so, the double values are the formulas' (known values,
// derivatives against finite differences), and the IR they build folds to
// the same values.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/Activation.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "gtest/gtest.h"

#include <cmath>

using namespace mlir;
using namespace mlir::softmoe;

namespace {

TEST(Activation, NamesComeFromTheEnum) {
  ArrayRef<Activation> all = allActivations();
  ASSERT_EQ(all.size(), getMaxEnumValForActivation() + 1);
  for (Activation a : all)
    EXPECT_EQ(symbolizeActivation(stringifyActivation(a)), a);
  EXPECT_EQ(activationNameList(),
            "gelu_tanh, gelu_erf, relu, silu, geglu or swiglu");
  EXPECT_EQ(activationNameList("|", "|"),
            "gelu_tanh|gelu_erf|relu|silu|geglu|swiglu");
}

TEST(Activation, GatedOnes) {
  EXPECT_TRUE(isGated(Activation::geglu));
  EXPECT_TRUE(isGated(Activation::swiglu));
  EXPECT_EQ(elementwiseFunction(Activation::geglu), Activation::gelu_erf);
  EXPECT_EQ(elementwiseFunction(Activation::swiglu), Activation::silu);
  EXPECT_EQ(firstLayerWidthFactor(Activation::geglu), 2);
  for (Activation a : {Activation::gelu_tanh, Activation::gelu_erf,
                       Activation::relu, Activation::silu}) {
    EXPECT_FALSE(isGated(a));
    EXPECT_EQ(elementwiseFunction(a), a);
    EXPECT_EQ(firstLayerWidthFactor(a), 1);
  }
}

TEST(Activation, KnownValues) {
  EXPECT_NEAR(activationValue(Activation::gelu_erf, 1.0), 0.8413447460685429,
              1e-15);
  EXPECT_NEAR(activationValue(Activation::gelu_tanh, 1.0), 0.8411919906082768,
              1e-15);
  EXPECT_NEAR(activationValue(Activation::silu, 1.0), 0.7310585786300049,
              1e-15);
  EXPECT_EQ(activationValue(Activation::relu, -2.0), 0.0);
  EXPECT_EQ(activationValue(Activation::relu, 3.0), 3.0);
  EXPECT_TRUE(std::isnan(activationValue(Activation::relu, std::nan(""))));
  EXPECT_DOUBLE_EQ(hiddenActivationValue(Activation::geglu, -1.5, 0.7),
                   -1.5 * activationValue(Activation::gelu_erf, 0.7));
  EXPECT_DOUBLE_EQ(hiddenActivationValue(Activation::swiglu, 2.0, -0.3),
                   2.0 * activationValue(Activation::silu, -0.3));
}

TEST(Activation, DerivativesMatchFiniteDifferences) {
  for (Activation a : allActivations()) {
    for (double x : {-4.0, -1.3, -0.2, 0.3, 0.9, 2.2, 5.0}) {
      double h = 1e-6;
      double fd =
          (activationValue(a, x + h) - activationValue(a, x - h)) / (2 * h);
      EXPECT_NEAR(activationDerivativeValue(a, x), fd, 1e-6)
          << stringifyActivation(a).str() << " at " << x;
    }
  }
}

/// The IR buildActivation/buildHiddenActivation make, folded on constants.
double foldedIR(MLIRContext &ctx, Activation act, double a, double g,
                Type type) {
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  auto fn = func::FuncOp::create(b, loc, "f", b.getFunctionType({}, {type}));
  b.setInsertionPointToStart(fn.addEntryBlock());
  Value gv = arith::ConstantOp::create(b, loc, b.getFloatAttr(type, g));
  Value av = isGated(act)
                 ? arith::ConstantOp::create(b, loc, b.getFloatAttr(type, a))
                       .getResult()
                 : Value();
  func::ReturnOp::create(b, loc, buildHiddenActivation(b, loc, act, av, gv));
  if (failed(applyPatternsGreedily(*module, RewritePatternSet(&ctx))))
    return NAN;
  Value r = fn.getBody().front().getTerminator()->getOperand(0);
  auto cst = r.getDefiningOp<arith::ConstantOp>();
  if (!cst)
    return NAN;
  return cast<FloatAttr>(cst.getValue()).getValueAsDouble();
}

TEST(Activation, IRFoldsToTheDoubleValues) {
  MLIRContext ctx;
  ctx.loadDialect<arith::ArithDialect, math::MathDialect, func::FuncDialect>();
  Type f64 = Float64Type::get(&ctx);
  for (Activation act : allActivations())
    for (double g : {-3.0, -0.6, 0.0, 0.4, 1.7}) {
      double a = 1.3;
      double want = hiddenActivationValue(act, a, g);
      EXPECT_NEAR(foldedIR(ctx, act, a, g, f64), want,
                  1e-12 * std::max(1.0, std::fabs(want)))
          << stringifyActivation(act).str() << " at " << g;
    }
}

} // namespace
