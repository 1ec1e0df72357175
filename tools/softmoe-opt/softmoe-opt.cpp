//===- softmoe-opt.cpp - The softmoe optimizer driver ---------------------===//
//
// mlir-opt with the softmoe dialect, passes and pipelines, plus every upstream
// dialect, pass and interface extension a user needs to lower to LLVM or NVVM.
//
//===----------------------------------------------------------------------===//

#include "softmoe/InitSoftMoE.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::softmoe::registerAllSoftMoEPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::softmoe::registerSoftMoEDialects(registry);
  mlir::softmoe::registerSoftMoEPipelineExtensions(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "softmoe-mlir optimizer driver\n", registry));
}
