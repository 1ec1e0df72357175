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

def SoftMoEGenerateVJP : Pass<"softmoe-generate-vjp", "::mlir::ModuleOp"> {
  let summary = "Generate the forward-with-residuals and VJP of softmoe functions";
  let description = [{
    For every public `func.func @f` whose body is softmoe ops (`softmoe.layer`
    is decomposed first) and a `func.return` of softmoe results, adds:

    - `@f_fwd(args) -> (results, residuals)`: the forward, also returning what
      the backward reads: every stage-op operand that is not an argument
      (logits, slots, expert outputs) and, unless `recompute-hidden`, each
      expert's f32 `slots @ w1` before the bias (for `act'`).
    - `@f_vjp(args, residuals, dy...) -> grads`: one f32 gradient per float
      argument of `@f`, in argument order (none for an i1 mask), with the
      argument's shape.

    The backward is linalg on tensors built with the forward lowering's einsum
    builders: every contraction of the forward becomes two transposed
    contractions, softmaxes and the l2 normalisation are recomputed from the
    saved logits and the inputs (cheaper than storing them), and everything
    accumulates in f32. Masked tokens and all-masked groups get zero
    gradients. A function it cannot differentiate gets an error at the
    offending op.
  }];
  let options = [
    Option<"recomputeHidden", "recompute-hidden", "bool", /*default=*/"false",
           "Recompute each expert's slots @ w1 in the backward instead of "
           "saving it (activation checkpointing: one more GEMM, less memory)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // SOFTMOE_CONVERSION_PASSES_TD
