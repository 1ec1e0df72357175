//===- Passes.h - softmoe conversion passes ---------------------*- C++ -*-===//

#ifndef SOFTMOE_CONVERSION_PASSES_H
#define SOFTMOE_CONVERSION_PASSES_H

#include "softmoe/Conversion/SoftMoEToLinalg/SoftMoEToLinalg.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
namespace softmoe {

#define GEN_PASS_DECL
#include "softmoe/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "softmoe/Conversion/Passes.h.inc"

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_CONVERSION_PASSES_H
