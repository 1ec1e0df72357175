//===- SoftMoEAttrs.td - softmoe attributes ----------------*- tablegen -*-===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEATTRS_TD
#define SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEATTRS_TD

include "softmoe/Dialect/SoftMoE/IR/SoftMoEDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def SoftMoE_ActivationKind : I32EnumAttr<"Activation",
    "the expert MLP's activation function", [
      I32EnumAttrCase<"gelu_tanh", 0>,
      I32EnumAttrCase<"gelu_erf", 1>,
      I32EnumAttrCase<"relu", 2>,
      I32EnumAttrCase<"silu", 3>,
      I32EnumAttrCase<"geglu", 4>,
      I32EnumAttrCase<"swiglu", 5>
    ]> {
  let cppNamespace = "::mlir::softmoe";
  let genSpecializedAttr = 0;
}

def SoftMoE_ActivationAttr : EnumAttr<SoftMoE_Dialect, SoftMoE_ActivationKind,
                                      "activation"> {
  let summary = "Activation of the expert MLP";
  let description = [{
    `gelu_tanh` is the tanh approximation of GELU (Flax, vmoe; the default),
    `gelu_erf` the exact GELU (PyTorch's default), then `relu` and `silu`.

    `geglu` and `swiglu` are gated experts: `w1` is `[N, D, 2H]` and `b1`
    `[N, 2H]`; `u = slots @ w1 + b1` is split along its last axis into
    `a = u[..., :H]` and `g = u[..., H:]`, and the hidden activation is
    `a * gelu_erf(g)` (geglu) or `a * silu(g)` (swiglu). `w2` stays
    `[N, H, D]`. (lucidrains' `GEGLU`: `x, gate = x.chunk(2, dim=-1);
    x * gelu(gate)`.)
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEATTRS_TD
