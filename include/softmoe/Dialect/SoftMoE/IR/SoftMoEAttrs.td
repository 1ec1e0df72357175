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
      I32EnumAttrCase<"silu", 3>
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
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEATTRS_TD
