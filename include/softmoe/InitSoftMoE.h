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

/// Adds the softmoe dialect (and the interfaces it implements) to `registry`.
void registerSoftMoEDialects(DialectRegistry &registry);

/// Registers every softmoe pass and pass pipeline with the global registry.
void registerAllSoftMoEPasses();

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_INITSOFTMOE_H
