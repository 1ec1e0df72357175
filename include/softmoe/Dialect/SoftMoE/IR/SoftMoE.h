//===- SoftMoE.h - The softmoe dialect and its ops --------------*- C++ -*-===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOE_H
#define SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOE_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "softmoe/Dialect/SoftMoE/IR/SoftMoEOpsDialect.h.inc"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEAttrs.h.inc"

#define GET_OP_CLASSES
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEOps.h.inc"

namespace mlir::softmoe {

/// Whether `op`, a softmoe op, has the operand count (and, for the layer,
/// operand segments), the one result and no regions that its generated
/// accessors assume without checking. The verifier checks this too; passes
/// that may meet unverified IR ask first.
bool hasWellFormedOperandLists(Operation *op);

} // namespace mlir::softmoe

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOE_H
