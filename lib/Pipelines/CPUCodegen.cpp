//===- CPUCodegen.cpp - Bufferized linalg to loops on the CPU -------------===//
//
// The seam between the correctness pipeline and fast CPU code generation: for
// now every linalg op becomes a plain scf.for nest. Tiling, vectorisation and
// threading (options.threads) replace this body.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Pipelines/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Pass/PassManager.h"

void mlir::softmoe::addCPUCodegenPasses(OpPassManager &pm,
                                        const CPUPipelineOptions &options) {
  (void)options;
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
}
