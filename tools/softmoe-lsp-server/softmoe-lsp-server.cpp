//===- softmoe-lsp-server.cpp - The softmoe language server ---------------===//
//
// mlir-lsp-server with the softmoe dialect: diagnostics, hover, definitions
// and completion for .mlir files that hold softmoe ops, in any LSP client (see
// docs/editor-setup.md). It knows every upstream dialect too, so IR at any
// stage of the lowering is understood.
//
//===----------------------------------------------------------------------===//

#include "softmoe/InitSoftMoE.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::softmoe::registerSoftMoEDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry));
}
