//===- LayerConfig.h - One Soft MoE layer, described ------------*- C++ -*-===//
//
// The layer of CONTRACT.md at concrete shapes, as softmoe-bench, the JIT
// runner (softmoe/Runner/SoftMoELayer.h), the GPU AOT compiler
// (softmoe/Tools/softmoe-gpu-aot/AotCompiler.h) and softmoe-gpu-aot describe
// it: its sizes, element type, activation and options; the one check of a
// description; its FLOPs; and the module that computes it, func.func
// @softmoe_layer(x, phi, w1, b1, w2, b2 [, scale] [, mask]) -> y built with the
// C++ op builders.
//
// It lives with the dialect so that the runner and the AOT compiler both use
// it without the AOT library depending on the JIT runner.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_LAYERCONFIG_H
#define SOFTMOE_DIALECT_SOFTMOE_IR_LAYERCONFIG_H

#include "softmoe/Dialect/SoftMoE/IR/Activation.h"
#include "softmoe/Support/ElementKind.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/Error.h"

namespace mlir::softmoe {

/// CONTRACT.md's letters B, M, D, N, P, H (softmoe-bench's defaults).
struct LayerShape {
  int64_t batch = 8, tokens = 196, dim = 384, experts = 32, slots = 4,
          hidden = 1536;
};

struct LayerConfig {
  /// H is the hidden width: w2 is [N, H, D]; a gated activation's w1 and b1
  /// are 2H wide (Activation.h).
  LayerShape shape;
  ElementKind dtype = ElementKind::F32; // F32, BF16 or F16
  Activation activation = Activation::gelu_tanh;
  bool normalize = false;
  bool mask = false;
  /// Build B and M as dynamic (`?`) dimensions; the shape is then only the
  /// inputs' (buildLayerModule still checks it). Not for the AOT compiler,
  /// which needs static shapes.
  bool dynamicBatchTokens = false;
};

/// The layer's dtype from its name: f32, bf16 or f16, else the error
/// "--dtype must be f32, bf16 or f16, not 'NAME'".
llvm::Expected<ElementKind> parseLayerDType(llvm::StringRef name);

/// The one check of a layer description, with a one-line reason: every
/// dimension positive ("--batch must be positive, not 0"), the tensors
/// within memory ("the layer shape is too large (...)"), and the dtype
/// f32, bf16 or f16.
llvm::Error checkLayerConfig(const LayerConfig &config);

/// FLOPs of one forward pass, as CONTRACT.md counts them:
/// 2*B*M*D*S*3 + 2*B*S*D*H*2 with S = N*P; a gated activation's first layer
/// is 2H wide, so its experts count 2*B*S*D*H*3.
double layerFlops(const LayerConfig &config);

/// The name of the function buildLayerModule creates.
inline constexpr llvm::StringLiteral kLayerFunctionName = "softmoe_layer";

/// Builds the layer as a verified module (softmoe.layer in a func.func),
/// after checkLayerConfig.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildLayerModule(mlir::MLIRContext *ctx, const LayerConfig &config);

} // namespace mlir::softmoe

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_LAYERCONFIG_H
