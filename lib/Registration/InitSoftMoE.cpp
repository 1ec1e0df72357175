//===- InitSoftMoE.cpp - Register the project's dialects and passes -------===//

#include "softmoe/InitSoftMoE.h"

#include "softmoe/Codegen/Passes.h"
#include "softmoe/Conversion/Passes.h"
#include "softmoe/Transforms/Passes.h"
#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"
#include "softmoe/GPU/Passes.h"
#include "softmoe/Pipelines/GPUPipeline.h"
#include "softmoe/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::softmoe::registerSoftMoEDialects(DialectRegistry &registry) {
  registry.insert<SoftMoEDialect>();
  registerShardExpertsExtensions(registry);
}

void mlir::softmoe::registerSoftMoEPipelineExtensions(
    DialectRegistry &registry) {
  registerSoftMoEGPUExtensions(registry);
}

void mlir::softmoe::registerAllSoftMoEPasses() {
  registerSoftMoEPasses();
  registerSoftMoECodegenPasses();
  registerSoftMoEConversionPasses();
  registerSoftMoETransformsPasses();
  registerSoftMoECPUPipeline();
  registerSoftMoEGPUPasses();
  registerSoftMoEGPUPipeline();
}
