/*===-- softmoe-c/Passes.h - C API of the softmoe passes ----------*- C -*-===*\
|*                                                                            *|
|* Generated from the three Passes.td files: mlirRegisterSoftMoEPasses(),     *|
|* mlirRegisterSoftMoEConversionPasses() and                                  *|
|* mlirRegisterSoftMoETransformsPasses() register their passes, and for each  *|
|* pass mlirCreate<Prefix><Def>() creates it (for mlirPassManagerAddOwnedPass)*|
|* and mlirRegister<Prefix><Def>() registers it alone, e.g.                   *|
|* mlirCreateSoftMoESoftMoEDecompose() and                                    *|
|* mlirCreateSoftMoEConversionConvertSoftMoEToLinalg().                       *|
|* mlirRegisterAllSoftMoEPasses() registers every softmoe pass and pipeline   *|
|* (softmoe-cpu-pipeline, ...), so that mlirParsePassPipeline knows them.     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SOFTMOE_C_PASSES_H
#define SOFTMOE_C_PASSES_H

#include "mlir-c/Pass.h"

#include "softmoe/Conversion/Passes.capi.h.inc"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.capi.h.inc"
#include "softmoe/Transforms/Passes.capi.h.inc"

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
