//===- CPUPipeline.cpp - softmoe to the LLVM dialect on the CPU -----------===//
//
//   addSoftMoEToBufferizedLinalgPasses (FrontHalf.cpp: softmoe to linalg,
//   expert sharding over MPI, one-shot-bufferize)
//   canonicalize, cse
//   buffer-deallocation-pipeline, convert-bufferization-to-memref
//   addCPUCodegenPasses (tiled, fused, vectorized kernels; OpenMP threads)
//   LLVM: scf -> cf, math -> llvm intrinsics / libm calls, bf16 casts expanded
//   to integer ops (f16 casts stay fpext/fptrunc: F16C or the compiler
//   runtime's __extendhfsf2/__truncsfhf2), memref/func/arith/cf/index/vector/ub
//   -> llvm, mpi -> llvm (MPICH ABI), reconcile-unrealized-casts
//   softmoe-check-lowered-to-llvm: anything not in the LLVM dialect is an error
//
//===----------------------------------------------------------------------===//

#include "softmoe/Pipelines/Pipelines.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"
#include "softmoe/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/Shard/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// Everything after code generation: the remaining structured ops (scf,
/// affine, memref, math, arith) down to the LLVM dialect.
static void addLowerToLLVMPasses(OpPassManager &pm,
                                 const softmoe::CPUPipelineOptions &options) {
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // bf16 <-> f32 as integer shifts and rounding: no soft-float runtime calls.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  // exp/rsqrt become LLVM intrinsics; tanh/erf (and whatever LLVM has no
  // intrinsic for) become libm calls, declared as private functions.
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());

  // x86vector ops (vdpbf16ps) appear only where the CPU target has them.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.x86Vector = true;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  if (options.emitCInterface)
    pm.addPass(softmoe::createSoftMoEEmitCInterface());
  if (options.shardExperts > 0) {
    // MPI calls (MLIR 22 has no convert-mpi-to-llvm; the patterns come with
    // mpi's ConvertToLLVMPatternInterface).
    ConvertToLLVMPassOptions mpiToLLVM;
    mpiToLLVM.filterDialects = {"mpi"};
    pm.addPass(createConvertToLLVMPass(mpiToLLVM));
  }
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertIndexToLLVMPass());
  // The omp.parallel regions of threads > 1 (see CPUCodegenPasses.cpp).
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  // The conversions above are partial: whatever they left is an error now.
  pm.addPass(softmoe::createSoftMoECheckLoweredToLLVM());
}

void mlir::softmoe::buildSoftMoECPUPipeline(OpPassManager &pm,
                                            const CPUPipelineOptions &options) {
  addSoftMoEToBufferizedLinalgPasses(pm, options.shardExperts);
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
  pm.addPass(createConvertBufferizationToMemRefPass());

  addCPUCodegenPasses(pm, options);
  addLowerToLLVMPasses(pm, options);
}

void mlir::softmoe::registerSoftMoECPUPipeline() {
  // Tools, plugins and the C API may all ask; the registry takes one.
  static bool registered = [] {
    PassPipelineRegistration<CPUPipelineOptions>(
        "softmoe-cpu-pipeline",
        "Lower softmoe ops on tensors to the LLVM dialect for the host CPU",
        buildSoftMoECPUPipeline);
    return true;
  }();
  (void)registered;
}
