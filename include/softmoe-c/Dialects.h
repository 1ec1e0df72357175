/*===-- softmoe-c/Dialects.h - C API of the softmoe dialect -------*- C -*-===*\
|*                                                                            *|
|* mlirGetDialectHandle__softmoe__() returns the handle that inserts the      *|
|* softmoe dialect into an MlirDialectRegistry or loads it into a context,    *|
|* as the headers in upstream's mlir-c/Dialect/ do.                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SOFTMOE_C_DIALECTS_H
#define SOFTMOE_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(SoftMoE, softmoe);

#ifdef __cplusplus
}
#endif

#endif /* SOFTMOE_C_DIALECTS_H */
