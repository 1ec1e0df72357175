//===- Passes.td - softmoe dialect passes ------------------*- tablegen -*-===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD
#define SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SoftMoEDecompose : Pass<"softmoe-decompose"> {
  let summary = "Split softmoe.layer into router, dispatch, expert_apply and combine";
  let description = [{
    Rewrites every `softmoe.layer` into the four stage ops, forwarding the
    scale, the mask, `normalize`, `epsilon` and `activation`. Shapes, static or
    dynamic, follow from the stage ops' type inference.
  }];
  let dependentDialects = ["::mlir::softmoe::SoftMoEDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SoftMoERaiseFromLinalg : Pass<"softmoe-raise-from-linalg"> {
  let summary = "Recognise Soft MoE layers in linalg/tensor/arith/math IR";
  let description = [{
    Finds the Soft MoE computation of CONTRACT.md in the IR that a generic
    frontend emits (einsum-style `linalg.generic`s or `linalg.matmul` /
    `linalg.batch_matmul` with transposes and reshapes, `linalg.softmax` or
    explicit max/sub/exp/sum/div reductions, the l2 normalisation with its
    scale, and the gelu_tanh, gelu_erf, relu or silu expert activation) and
    rewrites it into `softmoe.layer` when the whole layer matches, otherwise
    into the stage ops (`softmoe.router`, `softmoe.dispatch`,
    `softmoe.expert_apply`, `softmoe.combine`) whose computation matches.

    Matching is structural: indexing maps, iterator types, the scalar ops of
    the bodies and the identity of the tensors they read, tracked through
    `linalg.transpose`/`linalg.broadcast`/permuting generics,
    `tensor.expand_shape`, `tensor.collapse_shape` and `tensor.cast`. What it
    recognises and what it refuses is in docs/raising.md. IR that does not
    match is left untouched.
  }];
  let dependentDialects = ["::mlir::softmoe::SoftMoEDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD
