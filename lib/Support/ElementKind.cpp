//===- ElementKind.cpp - Element types at the compiled-code boundary ------===//

#include "softmoe/Support/ElementKind.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/Support/ErrorHandling.h"

using namespace mlir;
using namespace mlir::softmoe;

StringRef mlir::softmoe::elementKindName(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return "f32";
  case ElementKind::BF16:
    return "bf16";
  case ElementKind::F16:
    return "f16";
  case ElementKind::I1:
    return "i1";
  }
  llvm_unreachable("unknown ElementKind");
}

std::optional<ElementKind> mlir::softmoe::parseElementKind(StringRef name) {
  for (ElementKind kind : {ElementKind::F32, ElementKind::BF16,
                           ElementKind::F16, ElementKind::I1})
    if (name == elementKindName(kind))
      return kind;
  return std::nullopt;
}

unsigned mlir::softmoe::elementKindSize(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return 4;
  case ElementKind::BF16:
  case ElementKind::F16:
    return 2;
  case ElementKind::I1:
    return 1;
  }
  llvm_unreachable("unknown ElementKind");
}

std::optional<ElementKind> mlir::softmoe::elementKindOf(Type type) {
  if (type.isF32())
    return ElementKind::F32;
  if (type.isBF16())
    return ElementKind::BF16;
  if (type.isF16())
    return ElementKind::F16;
  if (type.isInteger(1))
    return ElementKind::I1;
  return std::nullopt;
}

Type mlir::softmoe::elementKindType(MLIRContext *ctx, ElementKind kind) {
  Builder b(ctx);
  switch (kind) {
  case ElementKind::F32:
    return b.getF32Type();
  case ElementKind::BF16:
    return b.getBF16Type();
  case ElementKind::F16:
    return b.getF16Type();
  case ElementKind::I1:
    return b.getI1Type();
  }
  llvm_unreachable("unknown ElementKind");
}
