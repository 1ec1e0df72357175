//===- SoftMoEOps.td - softmoe operations ------------------*- tablegen -*-===//
//
// The Soft MoE layer and the four stages it decomposes into. The exact math is
// in shared/CONTRACT.md; docs/generated/SoftMoE/SoftMoEDialect.md is generated
// from here (cmake --build build --target softmoe-doc).
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEOPS_TD
#define SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEOPS_TD

include "softmoe/Dialect/SoftMoE/IR/SoftMoEDialect.td"
include "softmoe/Dialect/SoftMoE/IR/SoftMoEAttrs.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/IR/CommonTypeConstraints.td"

// Shapes and element types are checked by the verifiers (with messages that
// name the operand and the contract letter), so the ODS constraints only ask
// for ranked tensors; their summaries say the whole rule for the docs.
class SoftMoE_Tensor<string summary>
    : Type<AnyRankedTensor.predicate, summary, "::mlir::RankedTensorType">;

class SoftMoE_DataTensor<string shape>
    : SoftMoE_Tensor<!strconcat(shape,
                                " tensor of the data type (f32, bf16 or f16)")>;
def SoftMoE_TokensTensor : SoftMoE_DataTensor<"ranked [B, M, D]">;
def SoftMoE_PhiTensor : SoftMoE_DataTensor<"ranked [D, N, P]">;
def SoftMoE_ScaleTensor : SoftMoE_DataTensor<"rank-0">;
def SoftMoE_SlotsTensor : SoftMoE_DataTensor<"ranked [B, N, P, D]">;
def SoftMoE_W1Tensor
    : SoftMoE_DataTensor<"ranked [N, D, H] ([N, D, 2H] when gated)">;
def SoftMoE_B1Tensor : SoftMoE_DataTensor<"ranked [N, H] ([N, 2H] when gated)">;
def SoftMoE_W2Tensor : SoftMoE_DataTensor<"ranked [N, H, D]">;
def SoftMoE_B2Tensor : SoftMoE_DataTensor<"ranked [N, D]">;
def SoftMoE_LogitsTensor : SoftMoE_Tensor<"ranked [B, M, N, P] tensor of f32">;
def SoftMoE_MaskTensor : SoftMoE_Tensor<"ranked [B, M] tensor of i1">;

class SoftMoE_Op<string mnemonic, list<Trait> traits = []>
    : Op<SoftMoE_Dialect, mnemonic, !listconcat(traits, [
        Pure,
        DeclareOpInterfaceMethods<ReifyRankedShapedTypeOpInterface,
                                  ["reifyResultShapes"]>,
        InferTypeOpAdaptorWithIsCompatible])> {
  // Every operand check lives in inferReturnTypes, which the parser, the
  // builders and the verifier (through InferTypeOpInterface) all reach, so
  // each path reports the same diagnostic.
}

def SoftMoE_RouterOp : SoftMoE_Op<"router"> {
  let summary = "Router logits of every token for every slot";
  let description = [{
    `logits[b,m,n,p] = sum_d xn[b,m,d] * phin[d,n,p]` in f32. Without
    `normalize`, `xn = x` and `phin = phi`. With `normalize`, the tokens and
    slot parameters are l2-normalised over `D` and the slot parameters are
    multiplied by the learnable scalar `scale`:
    `xn = x * rsqrt(sum_d x^2 + epsilon)`,
    `phin = scale * phi * rsqrt(sum_d phi^2 + epsilon)`.

    ```mlir
    %logits = softmoe.router %x, %phi
        : tensor<?x196x384xf32>, tensor<384x32x4xf32>
    %logits = softmoe.router %x, %phi scale(%s : tensor<f32>) normalize
        : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
    ```
  }];
  let arguments = (ins SoftMoE_TokensTensor:$x, SoftMoE_PhiTensor:$phi,
                       Optional<SoftMoE_ScaleTensor>:$scale,
                       UnitAttr:$normalize,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon);
  let results = (outs SoftMoE_LogitsTensor:$logits);
  let assemblyFormat = [{
    $x `,` $phi (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`normalize` $normalize^)? (`epsilon` `(` $epsilon^ `)`)? attr-dict
    `:` type($x) `,` type($phi)
  }];
}

def SoftMoE_DispatchOp : SoftMoE_Op<"dispatch"> {
  let summary = "Softmax over tokens, tokens mixed into slots";
  let description = [{
    `dispatch = softmax of logits over m` for every `(b, n, p)`, then
    `slots[b,n,p,:] = sum_m dispatch[b,m,n,p] * x[b,m,:]`. With a `mask`
    (`true` marks a real token) masked tokens get no dispatch weight; a group
    whose tokens are all masked dispatches all-zero slots, never NaN. The
    softmax subtracts the maximum and runs in f32.

    ```mlir
    %slots = softmoe.dispatch %logits, %x mask(%m : tensor<8x196xi1>)
        : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
    ```
  }];
  let arguments = (ins SoftMoE_LogitsTensor:$logits, SoftMoE_TokensTensor:$x,
                       Optional<SoftMoE_MaskTensor>:$mask);
  let results = (outs SoftMoE_SlotsTensor:$slots);
  let assemblyFormat = [{
    $logits `,` $x (`mask` `(` $mask^ `:` type($mask) `)`)? attr-dict
    `:` type($logits) `,` type($x)
  }];
}

def SoftMoE_ExpertApplyOp : SoftMoE_Op<"expert_apply"> {
  let summary = "Every expert's MLP applied to its own slots";
  let description = [{
    `out[b,n,p,:] = act(slots[b,n,p,:] @ w1[n] + b1[n]) @ w2[n] + b2[n]`:
    expert `n` sees only its own `P` slots of every group. Contractions
    accumulate in f32. With bf16 or f16 operands the hidden activation
    `act(...)` is rounded to that type, like the slots and `out` (and like a
    PyTorch module run in that type): the second contraction multiplies two
    bf16/f16 operands.

    With a gated activation (`geglu`, `swiglu`) `w1` is `[N, D, 2H]` and `b1`
    `[N, 2H]`: `u = slots[b,n,p,:] @ w1[n] + b1[n]`, `a = u[..., :H]`,
    `g = u[..., H:]`, and `act(...)` is `a * gelu_erf(g)` or `a * silu(g)`.

    ```mlir
    %out = softmoe.expert_apply %slots, %w1, %b1, %w2, %b2 activation<relu>
        : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
          tensor<32x1536x384xf32>, tensor<32x384xf32>
    ```
  }];
  let arguments = (ins SoftMoE_SlotsTensor:$slots, SoftMoE_W1Tensor:$w1,
                       SoftMoE_B1Tensor:$b1, SoftMoE_W2Tensor:$w2,
                       SoftMoE_B2Tensor:$b2,
                       DefaultValuedAttr<SoftMoE_ActivationAttr,
                         "::mlir::softmoe::Activation::gelu_tanh">:$activation);
  let results = (outs SoftMoE_SlotsTensor:$out);
  let assemblyFormat = [{
    $slots `,` $w1 `,` $b1 `,` $w2 `,` $b2 (`activation` `` $activation^)?
    attr-dict `:` type($slots) `,` type($w1) `,` type($b1) `,` type($w2) `,`
    type($b2)
  }];
}

def SoftMoE_CombineOp : SoftMoE_Op<"combine"> {
  let summary = "Softmax over all slots, slots mixed back into tokens";
  let description = [{
    `combine = softmax of logits over (n, p) jointly` for every `(b, m)`, then
    `y[b,m,:] = sum_{n,p} combine[b,m,n,p] * out[b,n,p,:]`. With a `mask`,
    masked tokens get a zero output row.

    ```mlir
    %y = softmoe.combine %logits, %out
        : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
    ```
  }];
  let arguments = (ins SoftMoE_LogitsTensor:$logits,
                       SoftMoE_SlotsTensor:$expert_out,
                       Optional<SoftMoE_MaskTensor>:$mask);
  let results = (outs SoftMoE_TokensTensor:$y);
  let assemblyFormat = [{
    $logits `,` $expert_out (`mask` `(` $mask^ `:` type($mask) `)`)? attr-dict
    `:` type($logits) `,` type($expert_out)
  }];
}

def SoftMoE_LayerOp : SoftMoE_Op<"layer", [AttrSizedOperandSegments]> {
  let summary = "A whole Soft MoE layer";
  let description = [{
    The layer of the contract in one op: router, dispatch, expert MLPs and
    combine. `softmoe-decompose` rewrites it into `softmoe.router`,
    `softmoe.dispatch`, `softmoe.expert_apply` and `softmoe.combine`.

    ```mlir
    %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>)
        mask(%m : tensor<?x?xi1>) normalize activation<gelu_erf>
        : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>,
          tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
    ```
  }];
  let arguments = (ins SoftMoE_TokensTensor:$x, SoftMoE_PhiTensor:$phi,
                       SoftMoE_W1Tensor:$w1, SoftMoE_B1Tensor:$b1,
                       SoftMoE_W2Tensor:$w2, SoftMoE_B2Tensor:$b2,
                       Optional<SoftMoE_ScaleTensor>:$scale,
                       Optional<SoftMoE_MaskTensor>:$mask,
                       UnitAttr:$normalize,
                       DefaultValuedAttr<F32Attr, "1.0e-6">:$epsilon,
                       DefaultValuedAttr<SoftMoE_ActivationAttr,
                         "::mlir::softmoe::Activation::gelu_tanh">:$activation);
  let results = (outs SoftMoE_TokensTensor:$y);
  let assemblyFormat = [{
    $x `,` $phi `,` $w1 `,` $b1 `,` $w2 `,` $b2
    (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`mask` `(` $mask^ `:` type($mask) `)`)?
    (`normalize` $normalize^)? (`epsilon` `(` $epsilon^ `)`)?
    (`activation` `` $activation^)? attr-dict
    `:` type($x) `,` type($phi) `,` type($w1) `,` type($b1) `,` type($w2) `,`
    type($b2)
  }];
}

#endif // SOFTMOE_DIALECT_SOFTMOE_IR_SOFTMOEOPS_TD
