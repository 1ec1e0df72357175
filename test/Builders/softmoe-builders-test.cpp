//===- softmoe-builders-test.cpp - Build softmoe ops from C++ -------------===//
//
// Builds every softmoe op through the ODS builders that take no result types,
// as the runner and the raising passes do, and checks the inferred types, the
// reified result shapes and the diagnostics of untrusted operands. Prints one
// line per check for FileCheck (builders.test) and exits non-zero when any
// inferred type differs from the expected one.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::softmoe;

namespace {

/// Records failures; every check prints one line whatever its outcome.
struct Checker {
  MLIRContext &ctx;
  int failures = 0;

  Type parse(StringRef text) {
    Type t = parseType(text, &ctx);
    if (!t) {
      llvm::errs() << "bad type in the test: " << text << "\n";
      ++failures;
    }
    return t;
  }

  void expectType(StringRef what, Value v, StringRef expected) {
    Type want = parse(expected);
    llvm::outs() << what << ": " << v.getType();
    if (v.getType() != want) {
      llvm::outs() << " MISMATCH, expected " << expected;
      ++failures;
    }
    llvm::outs() << "\n";
  }

  /// Runs `fn` and prints the diagnostics it emits; fails when there are none.
  template <typename Fn>
  void expectDiagnostic(StringRef what, Fn &&fn) {
    std::string text;
    {
      ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
        if (d.getSeverity() == DiagnosticSeverity::Error)
          text += (text.empty() ? "" : " | ") + d.str();
        return success();
      });
      fn();
    }
    llvm::outs() << what << ": " << (text.empty() ? "NO DIAGNOSTIC" : text)
                 << "\n";
    if (text.empty())
      ++failures;
  }
};

/// Prints one reified size: a constant, or the op that computes it.
void printSize(OpFoldResult s) {
  if (auto attr = dyn_cast<Attribute>(s)) {
    llvm::outs() << cast<IntegerAttr>(attr).getInt();
    return;
  }
  auto dim = cast<Value>(s).getDefiningOp<tensor::DimOp>();
  if (!dim) {
    llvm::outs() << "?";
    return;
  }
  auto src = cast<BlockArgument>(dim.getSource());
  std::optional<int64_t> index = dim.getConstantIndex();
  llvm::outs() << "dim(arg" << src.getArgNumber() << ", "
               << (index ? *index : -1) << ")";
}

void printReified(StringRef what, OpBuilder &b, Operation *op) {
  ReifiedRankedShapedTypeDims dims;
  llvm::outs() << what << ": ";
  if (failed(reifyResultShapes(b, op, dims))) {
    llvm::outs() << "FAILED\n";
    return;
  }
  llvm::outs() << "[";
  llvm::interleaveComma(dims.front(), llvm::outs(), printSize);
  llvm::outs() << "]\n";
}

/// A function whose arguments have `types`, with the builder at its body.
func::FuncOp makeFunc(OpBuilder &b, ModuleOp module, StringRef name,
                      Checker &c, ArrayRef<StringRef> types) {
  SmallVector<Type> argTypes;
  for (StringRef t : types)
    argTypes.push_back(c.parse(t));
  b.setInsertionPointToEnd(module.getBody());
  auto fn = func::FuncOp::create(b, b.getUnknownLoc(), name,
                                 b.getFunctionType(argTypes, {}));
  Block *body = fn.addEntryBlock();
  b.setInsertionPointToStart(body);
  func::ReturnOp::create(b, b.getUnknownLoc());
  b.setInsertionPointToStart(body);
  return fn;
}

} // namespace

int main() {
  MLIRContext ctx;
  ctx.loadDialect<SoftMoEDialect, func::FuncDialect, tensor::TensorDialect,
                  arith::ArithDialect>();
  Checker c{ctx};
  OpBuilder b(&ctx);
  Location loc = b.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);

  // S-32 in f32: the four stages chained, then the whole layer.
  {
    func::FuncOp fn = makeFunc(
        b, *module, "s32", c,
        {"tensor<8x196x384xf32>", "tensor<384x32x4xf32>",
         "tensor<32x384x1536xf32>", "tensor<32x1536xf32>",
         "tensor<32x1536x384xf32>", "tensor<32x384xf32>"});
    auto a = fn.getArguments();
    auto router = RouterOp::create(b, loc, a[0], a[1], Value(),
                                   /*normalize=*/false, APFloat(1e-6f));
    c.expectType("s32 router", router, "tensor<8x196x32x4xf32>");
    auto dispatch = DispatchOp::create(b, loc, router, a[0], Value());
    c.expectType("s32 dispatch", dispatch, "tensor<8x32x4x384xf32>");
    auto expert = ExpertApplyOp::create(b, loc, dispatch, a[2], a[3], a[4],
                                        a[5], Activation::relu);
    c.expectType("s32 expert_apply", expert, "tensor<8x32x4x384xf32>");
    auto combine = CombineOp::create(b, loc, router, expert, Value());
    c.expectType("s32 combine", combine, "tensor<8x196x384xf32>");
    auto layer = LayerOp::create(b, loc, a[0], a[1], a[2], a[3], a[4], a[5],
                                 Value(), Value(), false, APFloat(1e-6f));
    c.expectType("s32 layer", layer, "tensor<8x196x384xf32>");
  }

  // B-128 in bf16 with every optional operand and attribute: the logits stay
  // f32, everything else keeps bf16.
  {
    func::FuncOp fn = makeFunc(
        b, *module, "b128_bf16", c,
        {"tensor<8x196x768xbf16>", "tensor<768x128x1xbf16>",
         "tensor<128x768x3072xbf16>", "tensor<128x3072xbf16>",
         "tensor<128x3072x768xbf16>", "tensor<128x768xbf16>", "tensor<bf16>",
         "tensor<8x196xi1>"});
    auto a = fn.getArguments();
    auto router = RouterOp::create(b, loc, a[0], a[1], a[6],
                                   /*normalize=*/true, APFloat(1e-5f));
    c.expectType("b128 router", router, "tensor<8x196x128x1xf32>");
    auto dispatch = DispatchOp::create(b, loc, router, a[0], a[7]);
    c.expectType("b128 dispatch", dispatch, "tensor<8x128x1x768xbf16>");
    auto expert = ExpertApplyOp::create(b, loc, dispatch, a[2], a[3], a[4],
                                        a[5], Activation::gelu_erf);
    c.expectType("b128 expert_apply", expert, "tensor<8x128x1x768xbf16>");
    auto combine = CombineOp::create(b, loc, router, expert, a[7]);
    c.expectType("b128 combine", combine, "tensor<8x196x768xbf16>");
    auto layer =
        LayerOp::create(b, loc, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                        a[7], true, APFloat(1e-5f), Activation::silu);
    c.expectType("b128 layer", layer, "tensor<8x196x768xbf16>");
  }

  // Dynamic B and M in f16, and reified result shapes.
  {
    func::FuncOp fn = makeFunc(
        b, *module, "dyn_bm_f16", c,
        {"tensor<?x?x384xf16>", "tensor<384x32x4xf16>",
         "tensor<32x384x1536xf16>", "tensor<32x1536xf16>",
         "tensor<32x1536x384xf16>", "tensor<32x384xf16>"});
    auto a = fn.getArguments();
    auto router = RouterOp::create(b, loc, a[0], a[1], Value(), false,
                                   APFloat(1e-6f));
    c.expectType("dyn router", router, "tensor<?x?x32x4xf32>");
    auto dispatch = DispatchOp::create(b, loc, router, a[0], Value());
    c.expectType("dyn dispatch", dispatch, "tensor<?x32x4x384xf16>");
    auto expert = ExpertApplyOp::create(b, loc, dispatch, a[2], a[3], a[4],
                                        a[5], Activation::gelu_tanh);
    c.expectType("dyn expert_apply", expert, "tensor<?x32x4x384xf16>");
    auto combine = CombineOp::create(b, loc, router, expert, Value());
    c.expectType("dyn combine", combine, "tensor<?x?x384xf16>");
    auto layer = LayerOp::create(b, loc, a[0], a[1], a[2], a[3], a[4], a[5],
                                 Value(), Value(), false, APFloat(1e-6f));
    c.expectType("dyn layer", layer, "tensor<?x?x384xf16>");
    printReified("dyn router reified", b, router);
    printReified("dyn layer reified", b, layer);
  }

  // Fully dynamic operands, and sizes that a later operand makes static.
  {
    func::FuncOp fn = makeFunc(
        b, *module, "refine", c,
        {"tensor<?x?x?xf32>", "tensor<?x?x?xf32>", "tensor<?x?x?x?xf32>",
         "tensor<8x196x384xf32>", "tensor<?x?x32x4xf32>",
         "tensor<?x32x4x384xf32>", "tensor<8x196xi1>"});
    auto a = fn.getArguments();
    auto router = RouterOp::create(b, loc, a[0], a[1], Value(), false,
                                   APFloat(1e-6f));
    c.expectType("full router", router, "tensor<?x?x?x?xf32>");
    auto dispatch = DispatchOp::create(b, loc, a[2], a[3], Value());
    c.expectType("refine dispatch", dispatch, "tensor<8x?x?x384xf32>");
    auto combine = CombineOp::create(b, loc, a[4], a[5], a[6]);
    c.expectType("refine combine", combine, "tensor<8x196x384xf32>");
    printReified("full router reified", b, router);
    printReified("refine dispatch reified", b, dispatch);
  }

  // Untrusted operands: ask inferReturnTypes first, as the raising passes
  // should (the builders abort when inference fails).
  {
    func::FuncOp fn = makeFunc(
        b, *module, "untrusted", c,
        {"tensor<*xf32>", "tensor<96x4x2xf32>", "tensor<2x16x96xf32>",
         "tensor<4x100x64xf32>", "tensor<4x64xf32>", "tensor<4x64x96xf32>",
         "tensor<4x96xf32>", "tensor<2x4x2x96xf32>"});
    auto a = fn.getArguments();
    c.expectDiagnostic("unranked x", [&] {
      SmallVector<Type> types;
      (void)RouterOp::inferReturnTypes(&ctx, loc, ValueRange{a[0], a[1]},
                                       DictionaryAttr(), nullptr, {}, types);
    });
    c.expectDiagnostic("w1 D mismatch", [&] {
      SmallVector<Type> types;
      (void)ExpertApplyOp::inferReturnTypes(
          &ctx, loc, ValueRange{a[7], a[3], a[4], a[5], a[6]},
          DictionaryAttr(), nullptr, {}, types);
    });
    // A declared result type must be exactly the inferred one.
    auto wrong = RouterOp::create(
        b, loc, TypeRange{c.parse("tensor<2x16x4x3xf32>")},
        ValueRange{a[2], a[1]});
    c.expectDiagnostic("wrong result type", [&] { (void)verify(wrong); });
    auto looser = RouterOp::create(
        b, loc, TypeRange{c.parse("tensor<?x16x4x2xf32>")},
        ValueRange{a[2], a[1]});
    c.expectDiagnostic("less static result type",
                       [&] { (void)verify(looser); });
    wrong->erase();
    looser->erase();
  }

  // Everything built above, minus the rejected ops, verifies and prints.
  if (failed(verify(*module))) {
    llvm::outs() << "module does not verify\n";
    ++c.failures;
  }
  module->print(llvm::outs());
  llvm::outs() << "\nfailures: " << c.failures << "\n";
  return c.failures ? 1 : 0;
}
