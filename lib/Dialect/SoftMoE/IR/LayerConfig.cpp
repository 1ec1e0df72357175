//===- LayerConfig.cpp - One Soft MoE layer, described --------------------===//

#include "softmoe/Dialect/SoftMoE/IR/LayerConfig.h"

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "llvm/Support/MathExtras.h"

using llvm::createStringError;
using llvm::Error;
using llvm::Expected;
using namespace mlir;
using namespace mlir::softmoe;

Expected<ElementKind> mlir::softmoe::parseLayerDType(StringRef name) {
  std::optional<ElementKind> kind = parseElementKind(name);
  if (!kind || *kind == ElementKind::I1)
    return createStringError("--dtype must be f32, bf16 or f16, not '" + name +
                             "'");
  return *kind;
}

Error mlir::softmoe::checkLayerConfig(const LayerConfig &config) {
  const LayerShape &s = config.shape;
  std::pair<const char *, int64_t> dims[] = {
      {"batch", s.batch},     {"tokens", s.tokens}, {"dim", s.dim},
      {"experts", s.experts}, {"slots", s.slots},   {"hidden", s.hidden}};
  for (auto [name, value] : dims)
    if (value <= 0)
      return createStringError(Twine("--") + name + " must be positive, not " +
                               Twine(value));
  // The first layer's width: H, or 2H for a gated activation (hidden is
  // positive here, far below 2^62 or the products below overflow first).
  int64_t width = s.hidden;
  if (isGated(config.activation) &&
      llvm::MulOverflow(s.hidden, int64_t(2), width))
    return createStringError("the layer shape is too large (2 * hidden "
                             "overflows)");
  SmallVector<int64_t> largest[] = {{s.batch, s.tokens, s.dim},
                                    {s.experts, s.dim, width},
                                    {s.batch, s.tokens, s.experts, s.slots},
                                    {s.batch, s.experts, s.slots, width}};
  for (ArrayRef<int64_t> shape : largest) {
    std::optional<int64_t> n = checkedNumElements(shape);
    if (!n || *n > (int64_t(1) << 40))
      return createStringError("the layer shape is too large (a tensor of " +
                               formatShape(shape) + ")");
  }
  if (config.dtype == ElementKind::I1)
    return createStringError("the layer's dtype must be f32, bf16 or f16");
  return Error::success();
}

double mlir::softmoe::layerFlops(const LayerConfig &config) {
  const LayerShape &s = config.shape;
  double slots = double(s.experts) * double(s.slots);
  // slots @ w1 (H or 2H wide), then h @ w2.
  double widths = double(firstLayerWidthFactor(config.activation) + 1);
  return 2.0 * s.batch * s.tokens * s.dim * slots * 3 +
         2.0 * s.batch * slots * s.dim * s.hidden * widths;
}

Expected<OwningOpRef<ModuleOp>>
mlir::softmoe::buildLayerModule(MLIRContext *ctx, const LayerConfig &config) {
  if (Error err = checkLayerConfig(config))
    return std::move(err);
  ctx->loadDialect<func::FuncDialect, mlir::softmoe::SoftMoEDialect>();
  const LayerShape &s = config.shape;
  Type et = elementKindType(ctx, config.dtype);
  auto tensor = [&](ArrayRef<int64_t> shape, Type elem) -> Type {
    return RankedTensorType::get(shape, elem);
  };
  // --dynamic: B and M are `?`, for code that takes any batch and length.
  int64_t batch = config.dynamicBatchTokens ? ShapedType::kDynamic : s.batch;
  int64_t tokens = config.dynamicBatchTokens ? ShapedType::kDynamic : s.tokens;
  // A gated activation's first layer is 2H wide.
  int64_t width = firstLayerWidthFactor(config.activation) * s.hidden;
  SmallVector<Type> argTypes = {tensor({batch, tokens, s.dim}, et),
                                tensor({s.dim, s.experts, s.slots}, et),
                                tensor({s.experts, s.dim, width}, et),
                                tensor({s.experts, width}, et),
                                tensor({s.experts, s.hidden, s.dim}, et),
                                tensor({s.experts, s.dim}, et)};
  if (config.normalize)
    argTypes.push_back(tensor({}, et));
  if (config.mask)
    argTypes.push_back(
        tensor({batch, tokens}, elementKindType(ctx, ElementKind::I1)));
  Type yType = tensor({batch, tokens, s.dim}, et);

  Location loc = NameLoc::get(StringAttr::get(ctx, "softmoe-bench"));
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  OpBuilder b(ctx);
  b.setInsertionPointToEnd(module->getBody());
  auto fn = func::FuncOp::create(b, loc, kLayerFunctionName,
                                 b.getFunctionType(argTypes, {yType}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  ValueRange args = entry->getArguments();
  unsigned next = 6;
  Value scale = config.normalize ? args[next++] : Value();
  Value mask = config.mask ? args[next++] : Value();
  Value y = mlir::softmoe::LayerOp::create(
      b, loc, yType, args[0], args[1], args[2], args[3], args[4], args[5],
      scale, mask, config.normalize, APFloat(1.0e-6f), config.activation);
  func::ReturnOp::create(b, loc, y);

  std::string diagText;
  {
    ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
      diagText += (diagText.empty() ? "" : "; ") + diag.str();
      return success();
    });
    if (failed(verify(*module)))
      return createStringError("the layer does not verify: " + diagText);
  }
  return std::move(module);
}
