//===- consumer-opt.cpp - An mlir-opt of a project embedding softmoe ------===//
//
// Registers the softmoe dialect and passes through the installed headers, the
// func dialect for its input, and one pass of its own that uses the generated
// softmoe op classes, to show that a downstream project can build on them.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/InitSoftMoE.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

namespace {
/// Reports how many softmoe.layer and softmoe.router ops the module holds.
struct CountSoftMoEOpsPass
    : mlir::PassWrapper<CountSoftMoEOpsPass,
                        mlir::OperationPass<mlir::ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CountSoftMoEOpsPass)

  llvm::StringRef getArgument() const final { return "consumer-count-softmoe"; }
  llvm::StringRef getDescription() const final {
    return "Report the number of softmoe.layer and softmoe.router ops";
  }

  void runOnOperation() override {
    unsigned layers = 0, routers = 0;
    getOperation()->walk([&](mlir::Operation *op) {
      layers += mlir::isa<mlir::softmoe::LayerOp>(op);
      routers += mlir::isa<mlir::softmoe::RouterOp>(op);
    });
    getOperation().emitRemark() << "consumer: " << layers << " softmoe.layer, "
                                << routers << " softmoe.router";
  }
};
} // namespace

int main(int argc, char **argv) {
  mlir::softmoe::registerAllSoftMoEPasses();
  mlir::PassRegistration<CountSoftMoEOpsPass>();

  mlir::DialectRegistry registry;
  registry.insert<mlir::func::FuncDialect>();
  mlir::softmoe::registerSoftMoEDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "softmoe consumer optimizer driver\n", registry));
}
