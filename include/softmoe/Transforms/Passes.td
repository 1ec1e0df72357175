//===- Passes.td - softmoe passes that are not conversions -*- tablegen -*-===//
//
// Passes of the pipelines that neither lower softmoe ops nor belong to a
// dialect: marking the C entry points and checking the end result.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_TRANSFORMS_PASSES_TD
#define SOFTMOE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SoftMoEEmitCInterface : Pass<"softmoe-emit-c-interface",
                                 "::mlir::ModuleOp"> {
  let summary = "Mark public functions with llvm.emit_c_interface";
  let description = [{
    Adds the `llvm.emit_c_interface` unit attribute to every public
    `func.func` with a body, so that `convert-func-to-llvm` also emits a
    `_mlir_ciface_<name>` wrapper taking memref descriptors by pointer: the
    entry point that C drivers and JIT runners call.
  }];
}

def SoftMoECheckLoweredToLLVM : Pass<"softmoe-check-lowered-to-llvm",
                                     "::mlir::ModuleOp"> {
  let summary = "Fail unless only LLVM dialect ops are left in the module";
  let description = [{
    The last pass of the CPU pipeline. The conversions before it are partial:
    an op that none of them handles (an op of another dialect, a function
    nested in a `gpu.module`, an unrealized cast nobody reconciled) would
    otherwise stay in the output without an error, and the failure would only
    show later, in mlir-translate or at run time. This pass reports the first
    op of each kind that is not in the `llvm` dialect (besides the top-level
    `builtin.module`, and `omp` ops, which mlir-translate takes as they are
    for multithreaded code) at its location, and fails.
  }];
}

#endif // SOFTMOE_TRANSFORMS_PASSES_TD
