//===- SoftMoEDialect.cpp - The softmoe dialect ---------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::softmoe;

#include "softmoe/Dialect/SoftMoE/IR/SoftMoEOpsDialect.cpp.inc"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEAttrs.cpp.inc"

void SoftMoEDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEAttrs.cpp.inc"
      >();
}
