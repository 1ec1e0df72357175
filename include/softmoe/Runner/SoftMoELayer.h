//===- SoftMoELayer.h - One Soft MoE layer, built and fed -------*- C++ -*-===//
//
// What softmoe-bench runs: the layer of CONTRACT.md at concrete shapes
// (LayerConfig and buildLayerModule, softmoe/Dialect/SoftMoE/IR/LayerConfig.h)
// and its inputs, either random (the distributions of softmoe_ref.py's
// make_inputs) or read from a folder of .npy files.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNNER_SOFTMOELAYER_H
#define SOFTMOE_RUNNER_SOFTMOELAYER_H

#include "softmoe/Dialect/SoftMoE/IR/LayerConfig.h"
#include "softmoe/Runner/HostTensor.h"

#include <optional>

namespace mlir::softmoe {

struct LayerInputs {
  HostTensor x, phi, w1, b1, w2, b2;
  std::optional<HostTensor> scale, mask;
  /// The arguments of @softmoe_layer, in order.
  llvm::SmallVector<const HostTensor *> arguments() const;
};

/// The part of a layer one process holds under expert parallelism
/// (softmoe-bench --shard-experts): rank `rank` of `ranks` gets the experts
/// [rank * N / ranks, (rank + 1) * N / ranks), i.e. those slices of phi
/// (along N) and of w1, b1, w2, b2; x, scale and mask are whole.
struct ExpertShard {
  int64_t rank = 0, ranks = 1;
};

/// Fails unless `experts` splits evenly over `shard.ranks`.
llvm::Error checkExpertShard(int64_t experts, const ExpertShard &shard);

/// Random inputs with make_inputs' distributions (not its bit stream):
/// x ~ N(0,1), phi and w1 ~ N(0,1)/sqrt(D), w2 ~ N(0,1)/sqrt(H), biases
/// ~ 0.1*N(0,1), scale = 3, and its mask pattern. Deterministic for a seed,
/// whatever the number of threads generating them. bf16/f16 values are
/// rounded to nearest even from f32.
/// With `shard`, only that rank's experts are drawn, with the values they
/// have in the whole layer.
llvm::Expected<LayerInputs>
makeRandomLayerInputs(const LayerConfig &config, uint64_t seed,
                      std::optional<ExpertShard> shard = std::nullopt);

/// Reads x, phi, w1, b1, w2, b2 and, where present, scale and mask from
/// `dir`. The files' shapes set `config.shape` and must agree; scale.npy
/// turns normalize on and mask.npy the mask. When `config.normalize` or
/// `config.mask` is already set, the matching file must exist. With `shard`,
/// only that rank's experts are converted (the files are mapped, so the
/// other experts' pages are not read); `config.shape` stays the whole
/// layer's.
llvm::Expected<LayerInputs>
loadLayerInputs(llvm::StringRef dir, LayerConfig &config,
                std::optional<ExpertShard> shard = std::nullopt);

/// A tensor of `stddev` * N(0, 1) samples (rounded to `kind`), the same for
/// a (seed, stream) pair; the layer's inputs use streams 0 to 5.
llvm::Expected<HostTensor> makeRandomTensor(ElementKind kind,
                                            llvm::ArrayRef<int64_t> shape,
                                            double stddev, uint64_t seed,
                                            uint64_t stream);

} // namespace mlir::softmoe

#endif // SOFTMOE_RUNNER_SOFTMOELAYER_H
