//===- CPUCodegenPasses.cpp - Code generation passes of the pipeline ------===//
//
// The CPU code generation seam of softmoe-cpu-pipeline:
//
//   softmoe-cpu-codegen{cpu threads register-tile stream-block} (func)
//     tiles, fuses and vectorizes every linalg op into register-tiled vector
//     kernels (dynamic extents peeled); threads > 1 distributes outer loops
//     with scf.forall
//   canonicalize, cse
//   scf.forall -> scf.parallel -> OpenMP (omp.parallel + omp.wsloop with
//     num_threads = threads), canonicalize (inlines the alloca scopes the
//     conversion wraps loop bodies in)
//   convert-linalg-to-loops for what was not vectorized,
//   convert-vector-to-scf for transfers left with more than one dimension
//
// With vectorize=false it is the reference path: every linalg op becomes a
// plain scf.for nest, one thread.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Pipelines/Pipelines.h"

#include "softmoe/Codegen/Passes.h"

#include "mlir/Conversion/SCFToOpenMP/SCFToOpenMP.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

void mlir::softmoe::addCPUCodegenPasses(OpPassManager &pm,
                                        const CPUPipelineOptions &options) {
  if (options.vectorize) {
    SoftMoECPUCodegenOptions codegen;
    codegen.cpu = options.cpu;
    codegen.threads = options.threads;
    codegen.registerTile = options.registerTile;
    codegen.streamBlock = options.streamBlock;
    codegen.packPanels = options.packPanels;
    codegen.expectedSize = options.expectedSize;
    pm.addNestedPass<func::FuncOp>(createSoftMoECPUCodegen(codegen));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (options.threads > 1) {
      pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
      ConvertSCFToOpenMPPassOptions omp;
      omp.numThreads = options.threads;
      pm.addPass(createConvertSCFToOpenMPPass(omp));
      pm.addPass(createCanonicalizerPass());
    }
  }
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addPass(createConvertVectorToSCFPass(
      VectorTransferToSCFOptions().enableFullUnroll()));
}
