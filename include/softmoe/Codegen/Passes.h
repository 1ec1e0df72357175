//===- Passes.h - softmoe CPU code generation passes ------------*- C++ -*-===//

#ifndef SOFTMOE_CODEGEN_PASSES_H
#define SOFTMOE_CODEGEN_PASSES_H

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/Pass/Pass.h"

namespace mlir::softmoe {

#define GEN_PASS_DECL
#include "softmoe/Codegen/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "softmoe/Codegen/Passes.h.inc"

} // namespace mlir::softmoe

#endif // SOFTMOE_CODEGEN_PASSES_H
