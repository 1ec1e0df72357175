//===- Passes.td - softmoe conversion passes ---------------*- tablegen -*-===//
//
// Passes that lower softmoe ops towards LLVM.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_CONVERSION_PASSES_TD
#define SOFTMOE_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSoftMoEToLinalg : Pass<"convert-softmoe-to-linalg"> {
  let summary = "Lower softmoe ops to linalg on tensors";
  let description = [{
    Rewrites `softmoe.router`, `softmoe.dispatch`, `softmoe.expert_apply` and
    `softmoe.combine` (and `softmoe.layer`, through the decomposition patterns)
    into linalg on tensors in destination-passing style: `tensor.empty`,
    `linalg.fill` and `linalg.generic` einsums whose indexing maps name the
    contract's letters. Dynamic sizes come from `tensor.dim`. Softmaxes
    subtract the maximum and run in f32; bf16/f16 data is extended to f32
    inside the contractions and the results are truncated back. An op that
    cannot be lowered (an element type or rank the lowering does not know) is
    reported with a diagnostic at its location and the pass fails.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

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

#endif // SOFTMOE_CONVERSION_PASSES_TD
