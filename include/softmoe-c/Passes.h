/*===-- softmoe-c/Passes.h - C API of the softmoe passes ----------*- C -*-===*\
|*                                                                            *|
|* Generated from Passes.td: mlirRegisterSoftMoEPasses() registers the        *|
|* dialect's passes, and for each pass mlirCreateSoftMoE<Def>() creates it    *|
|* (to add to an MlirOpPassManager) and mlirRegisterSoftMoE<Def>() registers  *|
|* it alone. mlirRegisterAllSoftMoEPasses() registers every softmoe pass and  *|
|* pass pipeline, so mlirParsePassPipeline() knows them by name.              *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SOFTMOE_C_PASSES_H
#define SOFTMOE_C_PASSES_H

#include "mlir-c/Pass.h"

#include "softmoe/Dialect/SoftMoE/Transforms/Passes.capi.h.inc"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers every softmoe pass and pass pipeline with the global registry:
/// what softmoe-opt and the pass plugin register.
MLIR_CAPI_EXPORTED void mlirRegisterAllSoftMoEPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* SOFTMOE_C_PASSES_H */
