//===- SoftMoEDialectPlugin.cpp - softmoe dialect plugin for mlir-opt -----===//
//
// mlir-opt --load-dialect-plugin=libSoftMoEDialectPlugin.so adds the softmoe
// dialect to its registry, so it parses, verifies and prints softmoe IR.
//
//===----------------------------------------------------------------------===//

#include "softmoe/InitSoftMoE.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SoftMoE", SOFTMOE_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::softmoe::registerSoftMoEDialects(*registry);
            // So that softmoe-gpu-pipeline runs in mlir-opt with the pass
            // plugin loaded too.
            mlir::softmoe::registerSoftMoEPipelineExtensions(*registry);
          }};
}
