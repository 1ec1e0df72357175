//===- GPUPipeline.cpp - The softmoe CUDA pipeline ------------------------===//
//
// softmoe ops (or linalg) on tensors are lowered and bufferized by the front
// half shared with the CPU pipeline (FrontHalf.cpp), results then become
// out-parameters. The NVVM part follows upstream's gpu-lower-to-nvvm-pipeline, with the
// traps of MLIR 22 avoided: canonicalize and cse run before outlining (else a
// self memref.copy can end up as an unresolved call in a kernel), PTX
// features default to +ptx80 (the upstream +ptx60 cannot target sm_90), and
// host-side GPU ops are in async form (softmoe-gpu-async-host), since
// gpu-to-llvm silently leaves synchronous gpu.alloc/dealloc/memcpy alone.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Pipelines/GPUPipeline.h"
#include "softmoe/Pipelines/Pipelines.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"
#include "softmoe/GPU/Passes.h"
#include "softmoe/Transforms/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/GPUCommon/GPUCommonPass.h"
#include "mlir/Conversion/GPUToNVVM/GPUToNVVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/NVGPUToNVVM/NVGPUToNVVM.h"
#include "mlir/Conversion/NVVMToLLVM/NVVMToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::softmoe;

LogicalResult
mlir::softmoe::verifyGPUPipelineOptions(const GPUPipelineOptions &options,
                                        std::string &error) {
  StringRef format = options.format;
  if (format != "isa" && format != "bin" && format != "fatbin" &&
      format != "multi") {
    error = "softmoe-gpu-pipeline: format must be isa, bin, fatbin or multi, "
            "not '" + options.format + "'";
    return failure();
  }
  if (!StringRef(options.chip).starts_with("sm_")) {
    error = "softmoe-gpu-pipeline: chip must look like sm_80, not '" +
            options.chip + "'";
    return failure();
  }
  // wgmma kernels assemble only for sm_90a: a fat binary for other chips
  // needs a second compilation (softmoe-gpu-aot does that per chip).
  if (usesWgmma(options) && format == "multi")
    for (const std::string &chip : options.chips)
      if (chip != "sm_90a") {
        error = "softmoe-gpu-pipeline: chip=sm_90a emits wgmma kernels, "
                "which only sm_90a runs; format=multi needs chips=sm_90a, "
                "not '" + chip + "'";
        return failure();
      }
  return success();
}

bool mlir::softmoe::usesWgmma(const GPUPipelineOptions &options) {
  return options.tensorCores && options.chip == "sm_90a";
}

void mlir::softmoe::buildSoftMoEGPUKernelPipeline(
    OpPassManager &pm, const GPUPipelineOptions &options) {
  if (options.bufferize) {
    addSoftMoEToBufferizedLinalgPasses(pm);
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }
  if (options.emitCInterface)
    pm.addPass(createSoftMoEEmitCInterface());
  SoftMoEGPUMapLinalgOptions mapOptions;
  mapOptions.useTensorCores = options.tensorCores;
  mapOptions.useWgmma = usesWgmma(options);
  pm.addPass(createSoftMoEGPUMapLinalg(mapOptions));
  pm.addPass(createSoftMoEGPUForallToLaunch());
  pm.addPass(createSoftMoEGPUAsyncHost());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::softmoe::buildSoftMoEGPUPipeline(OpPassManager &pm,
                                            const GPUPipelineOptions &options) {
  buildSoftMoEGPUKernelPipeline(pm, options);

  // Host and kernel code down to LLVM/NVVM (upstream's common part).
  pm.addPass(createConvertNVGPUToNVVMPass());
  // Canonicalization hoisted the kernels' constants to the host function;
  // outlining would pass each as a kernel argument.
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createConvertVectorToSCFPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions target;
  // format=multi assembles the PTX for several chips itself.
  target.chip = options.chip;
  target.features = options.features;
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  ConvertIndexToLLVMPassOptions index;
  index.indexBitwidth = 64;
  pm.addPass(createConvertIndexToLLVMPass(index));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Kernels.
  pm.addNestedPass<gpu::GPUModuleOp>(createStripDebugInfoPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createSoftMoEGPUAlignShared());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  pm.addNestedPass<gpu::GPUModuleOp>(createConvertGpuOpsToNVVMOps(nvvm));
  pm.addNestedPass<gpu::GPUModuleOp>(LLVM::createNVVMOptimizeForTargetPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCanonicalizerPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createCSEPass());
  pm.addNestedPass<gpu::GPUModuleOp>(createReconcileUnrealizedCastsPass());

  // Host code and kernel binaries.
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format == "multi"
                                 ? std::string("isa")
                                 : std::string(options.format);
  binary.toolkitPath = options.toolkit;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  if (options.format == "multi") {
    SoftMoEGPUMultiArchBinaryOptions multi;
    multi.chips.assign(options.chips.begin(), options.chips.end());
    if (multi.chips.empty() && usesWgmma(options))
      multi.chips.push_back("sm_90a");
    multi.toolkit = options.toolkit;
    multi.requireTools = options.requireTools;
    pm.addPass(createSoftMoEGPUMultiArchBinary(multi));
  }
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::softmoe::registerSoftMoEGPUExtensions(DialectRegistry &registry) {
  // gpu-module-to-binary translates kernels to LLVM IR and needs the NVVM
  // target; translating host code embeds the binaries (gpu.select_object).
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerNVVMDialectTranslation(registry);
  gpu::registerOffloadingLLVMTranslationInterfaceExternalModels(registry);
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

void mlir::softmoe::registerSoftMoEGPUPipeline() {
  // Tools, plugins and the C API may all ask; the registry takes one.
  static bool registered = [] {
  PassPipelineRegistration<GPUPipelineOptions>(
      "softmoe-gpu-pipeline",
      "Compile linalg on tensors for CUDA GPUs: kernels to PTX/cubin, host "
      "code to the LLVM dialect",
      [](OpPassManager &pm, const GPUPipelineOptions &options) {
        buildSoftMoEGPUPipeline(pm, options);
      });
  PassPipelineRegistration<GPUPipelineOptions>(
      "softmoe-gpu-kernel-pipeline",
      "The first half of softmoe-gpu-pipeline: bufferize, map linalg to "
      "kernels, gpu.launch with async host code",
      [](OpPassManager &pm, const GPUPipelineOptions &options) {
        buildSoftMoEGPUKernelPipeline(pm, options);
      });
  return true;
  }();
  (void)registered;
}
