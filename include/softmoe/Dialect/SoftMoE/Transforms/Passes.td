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

#endif // SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD
