//===- CheckLoweredToLLVM.cpp - Everything reached the LLVM dialect -------===//
//
// The end of a pipeline that promises LLVM dialect output: every op the
// partial conversions before it left behind is an error here, not a module
// that mlir-translate or the JIT rejects later (or, worse, accepts).
//
//===----------------------------------------------------------------------===//

#include "softmoe/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOECHECKLOWEREDTOLLVM
#include "softmoe/Transforms/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;

namespace {

/// Ops that mlir-translate and the JIT take as they are: the LLVM dialect, and
/// the OpenMP dialect on LLVM types that multithreaded CPU code lowers to (it
/// is translated to OpenMP runtime calls, not converted to LLVM ops). Matched
/// by name so that this pass does not link the OpenMP dialect. An op of an
/// unregistered dialect has no dialect at all.
static bool isLLVMTranslatable(Operation *op) {
  Dialect *dialect = op->getDialect();
  return dialect && (isa<LLVM::LLVMDialect>(dialect) ||
                     dialect->getNamespace() == "omp");
}

struct SoftMoECheckLoweredToLLVMPass
    : softmoe::impl::SoftMoECheckLoweredToLLVMBase<
          SoftMoECheckLoweredToLLVMPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    // One diagnostic per kind of op, for the outermost one: a missed
    // lowering usually leaves hundreds of the same op behind, and what is
    // inside an op that stayed (a nested module) is noise.
    llvm::SmallPtrSet<const void *, 8> reported;
    module.walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op == module.getOperation() || isLLVMTranslatable(op))
        return WalkResult::advance();
      if (reported.insert(op->getName().getAsOpaquePointer()).second) {
        if (op->hasTrait<OpTrait::SymbolTable>())
          op->emitOpError("is not lowered: the pipeline lowers the functions "
                          "of the top-level module only");
        else
          op->emitOpError("is not in the LLVM dialect after lowering: the "
                          "pipeline has no conversion for it here");
      }
      return WalkResult::skip();
    });
    if (!reported.empty())
      signalPassFailure();
  }
};

} // namespace
