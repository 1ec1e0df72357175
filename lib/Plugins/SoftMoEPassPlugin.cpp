//===- SoftMoEPassPlugin.cpp - softmoe pass plugin for mlir-opt -----------===//
//
// mlir-opt --load-pass-plugin=libSoftMoEPassPlugin.so registers every softmoe
// pass and pipeline. Plugins load while the command line is parsed, after the
// pass flags are made, so name them in --pass-pipeline="builtin.module(...)".
// Load the dialect plugin too: the input must parse before any pass runs.
//
//===----------------------------------------------------------------------===//

#include "softmoe/InitSoftMoE.h"

#include "mlir/Tools/Plugins/PassPlugin.h"

extern "C" LLVM_ATTRIBUTE_WEAK ::mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SoftMoEPasses", SOFTMOE_VERSION_STRING,
          []() { mlir::softmoe::registerAllSoftMoEPasses(); }};
}
