//===- SoftMoELayer.h - One Soft MoE layer, built and fed -------*- C++ -*-===//
//
// What softmoe-bench runs: the layer of CONTRACT.md at concrete shapes, built
// with the C++ op builders as func.func @softmoe_layer(x, phi, w1, b1, w2, b2
// [, scale] [, mask]) -> y, and its inputs, either random (the distributions
// of softmoe_ref.py's make_inputs) or read from a folder of .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNNER_SOFTMOELAYER_H
#define SOFTMOE_RUNNER_SOFTMOELAYER_H

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Runner/HostTensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <optional>

namespace mlir::softmoe {

struct LayerShape {
  int64_t batch = 8, tokens = 196, dim = 384, experts = 32, slots = 4,
          hidden = 1536;
};

struct LayerConfig {
  LayerShape shape;
  ElementKind dtype = ElementKind::F32; // F32, BF16 or F16
  mlir::softmoe::Activation activation = mlir::softmoe::Activation::gelu_tanh;
  bool normalize = false;
  bool mask = false;
  /// Build B and M as dynamic (`?`) dimensions; the shape is then only the
  /// inputs' (buildLayerModule still checks it).
  bool dynamicBatchTokens = false;
};

/// FLOPs of one forward pass, as CONTRACT.md counts them:
/// 2*B*M*D*S*3 + 2*B*S*D*H*2 with S = N*P.
double layerFlops(const LayerShape &shape);

/// Checks that every dimension is positive and the tensors fit in memory.
llvm::Error checkLayerShape(const LayerShape &shape);

/// The name of the function buildLayerModule creates.
inline constexpr llvm::StringLiteral kLayerFunctionName = "softmoe_layer";

/// Builds the layer as a verified module (softmoe.layer in a func.func).
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
buildLayerModule(mlir::MLIRContext *ctx, const LayerConfig &config);

struct LayerInputs {
  HostTensor x, phi, w1, b1, w2, b2;
  std::optional<HostTensor> scale, mask;
  /// The arguments of @softmoe_layer, in order.
  llvm::SmallVector<const HostTensor *> arguments() const;
};

/// Random inputs with make_inputs' distributions (not its bit stream):
/// x ~ N(0,1), phi and w1 ~ N(0,1)/sqrt(D), w2 ~ N(0,1)/sqrt(H), biases
/// ~ 0.1*N(0,1), scale = 3, and its mask pattern. Deterministic for a seed,
/// whatever the number of threads generating them. bf16/f16 values are
/// rounded to nearest even from f32.
llvm::Expected<LayerInputs> makeRandomLayerInputs(const LayerConfig &config,
                                                  uint64_t seed);

/// Reads x, phi, w1, b1, w2, b2 and, where present, scale and mask from
/// `dir`. The files' shapes set `config.shape` and must agree; scale.npy
/// turns normalize on and mask.npy the mask. When `config.normalize` or
/// `config.mask` is already set, the matching file must exist.
llvm::Expected<LayerInputs> loadLayerInputs(llvm::StringRef dir,
                                            LayerConfig &config);

} // namespace mlir::softmoe

#endif // SOFTMOE_RUNNER_SOFTMOELAYER_H
