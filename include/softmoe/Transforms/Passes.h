//===- Passes.h - softmoe passes that are not conversions -------*- C++ -*-===//

#ifndef SOFTMOE_TRANSFORMS_PASSES_H
#define SOFTMOE_TRANSFORMS_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace softmoe {

#define GEN_PASS_DECL
#include "softmoe/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "softmoe/Transforms/Passes.h.inc"

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_TRANSFORMS_PASSES_H
