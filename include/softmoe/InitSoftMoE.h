//===- InitSoftMoE.h - Register the project's dialects and passes -*- C++ -*-===//
//
// One place that every tool, plugin and the C API calls, so they all see the
// same dialects, passes and pipelines.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_INITSOFTMOE_H
#define SOFTMOE_INITSOFTMOE_H

namespace mlir {
class DialectRegistry;
namespace softmoe {

/// Adds the softmoe dialect (and the interfaces it implements, such as the
/// sharding of its ops) to `registry`: what parsing, verifying and
/// transforming softmoe IR needs.
void registerSoftMoEDialects(DialectRegistry &registry);

/// Adds what running softmoe-gpu-pipeline needs beyond the dialects: the
/// NVVM target and the translations of kernels and host code to LLVM IR.
/// Drivers that run the pipelines call it; a compiler that only embeds the
/// dialect does not need it.
void registerSoftMoEPipelineExtensions(DialectRegistry &registry);

/// Registers every softmoe pass and pass pipeline with the global registry.
void registerAllSoftMoEPasses();

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_INITSOFTMOE_H
