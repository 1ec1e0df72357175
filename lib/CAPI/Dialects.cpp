//===- Dialects.cpp - C API of the softmoe dialect ------------------------===//

#include "softmoe-c/Dialects.h"

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"

#include "mlir/CAPI/Registration.h"

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(SoftMoE, softmoe,
                                      mlir::softmoe::SoftMoEDialect)
