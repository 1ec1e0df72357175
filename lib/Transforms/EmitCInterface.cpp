//===- EmitCInterface.cpp - Mark public functions for C callers -----------===//

#include "softmoe/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEEMITCINTERFACE
#include "softmoe/Transforms/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;

namespace {

struct SoftMoEEmitCInterfacePass
    : softmoe::impl::SoftMoEEmitCInterfaceBase<SoftMoEEmitCInterfacePass> {
  void runOnOperation() override {
    StringAttr name = StringAttr::get(
        &getContext(), LLVM::LLVMDialect::getEmitCWrapperAttrName());
    getOperation().walk([&](func::FuncOp func) {
      if (func.isPublic() && !func.isExternal())
        func->setAttr(name, UnitAttr::get(&getContext()));
    });
  }
};

} // namespace
