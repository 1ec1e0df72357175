//===- SoftMoEDialect.td - The softmoe dialect -------------*- tablegen -*-===//
//
// Soft Mixture-of-Experts (Puigcerver et al., ICLR 2024) as an MLIR dialect.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEDIALECT_TD
#define SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEDIALECT_TD

include "mlir/IR/OpBase.td"

def SoftMoE_Dialect : Dialect {
  let name = "softmoe";
  let cppNamespace = "::mlir::softmoe";
  let summary = "Soft Mixture-of-Experts layers";
  let description = [{
    The `softmoe` dialect expresses the Soft MoE layer of Puigcerver et al.,
    "From Sparse to Soft Mixtures of Experts" (ICLR 2024), one routing group per
    sequence. Shapes use the letters of the project contract: batch `B`, tokens
    `M`, model dimension `D`, experts `N`, slots per expert `P` and expert
    hidden size `H`.

    The layer is `softmoe.layer`; `softmoe-decompose` splits it into
    `softmoe.router` (logits), `softmoe.dispatch` (softmax over tokens, tokens
    mixed into slots), `softmoe.expert_apply` (every expert's MLP on its own
    slots) and `softmoe.combine` (softmax over all slots, slots mixed back into
    tokens). Every op works on ranked tensors in value semantics; `B` and `M`
    may be dynamic, and so may the other sizes.

    Data operands are f32, bf16 or f16 and share one element type per op; the
    router logits are always f32, since they feed two softmaxes that run in f32.

    Result types are inferred from the operands and the custom form does not
    print them; a declared result type (generic form, C++ builders) must be
    exactly the inferred one. Use `tensor.cast` to relax or refine a result.
  }];
  let useDefaultAttributePrinterParser = 1;
}

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEDIALECT_TD
