//===- ElementKind.h - Element types at the compiled-code boundary -*- C++ -*-===//
//
// The element types of tensors that cross the boundary of compiled code (f32,
// bf16, f16, i1) and their one spelling: the names the tools' --dtype flags,
// their JSON lines and .npy conversions use. Used by the JIT runner's host
// tensors, the layer description (softmoe/Dialect/SoftMoE/IR/LayerConfig.h)
// and the GPU AOT compiler.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_SUPPORT_ELEMENTKIND_H
#define SOFTMOE_SUPPORT_ELEMENTKIND_H

#include "llvm/ADT/StringRef.h"

#include <optional>

namespace mlir {
class MLIRContext;
class Type;
} // namespace mlir

namespace mlir::softmoe {

/// Element types of tensors that cross the boundary of compiled code. The
/// order is that of SoftMoEAotDType (softmoe/Runtime/AotConfig.h).
enum class ElementKind { F32, BF16, F16, I1 };

/// "f32", "bf16", "f16", "i1".
llvm::StringRef elementKindName(ElementKind kind);
/// The kind named `name` (elementKindName's spelling), or std::nullopt.
std::optional<ElementKind> parseElementKind(llvm::StringRef name);
/// Bytes per element in memory (i1 takes a byte).
unsigned elementKindSize(ElementKind kind);
/// The kind of an MLIR element type, or std::nullopt for any other type.
std::optional<ElementKind> elementKindOf(mlir::Type type);
/// The MLIR element type of `kind` (f32, bf16, f16 or i1).
mlir::Type elementKindType(mlir::MLIRContext *ctx, ElementKind kind);

} // namespace mlir::softmoe

#endif // SOFTMOE_SUPPORT_ELEMENTKIND_H
