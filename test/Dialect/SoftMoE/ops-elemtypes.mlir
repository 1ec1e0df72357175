// RUN: softmoe-opt %s | FileCheck %s
// RUN: softmoe-opt %s | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --emit-bytecode | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
//
// bf16 and f16 data: every data operand and result keeps the data type, the
// router logits are f32 (and dispatch/combine take f32 logits with bf16/f16 data).

// bf16: router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_bf16(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x32x4xf32>
// GENERIC-LABEL: sym_name = "router_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x384xbf16>, tensor<384x32x4xbf16>) -> tensor<8x196x32x4xf32>
func.func @router_bf16(%x: tensor<8x196x384xbf16>, %phi: tensor<384x32x4xbf16>) -> tensor<8x196x32x4xf32> {
  %l = softmoe.router %x, %phi : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
  return %l : tensor<8x196x32x4xf32>
}

// CHECK-LABEL: func.func @dispatch_bf16(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<8x196x32x4xf32>, tensor<8x196x384xbf16>
// CHECK-NEXT:    return %[[S]] : tensor<8x32x4x384xbf16>
// GENERIC-LABEL: sym_name = "dispatch_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x196x384xbf16>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x32x4xf32>, tensor<8x196x384xbf16>) -> tensor<8x32x4x384xbf16>
func.func @dispatch_bf16(%l: tensor<8x196x32x4xf32>, %x: tensor<8x196x384xbf16>) -> tensor<8x32x4x384xbf16> {
  %s = softmoe.dispatch %l, %x : tensor<8x196x32x4xf32>, tensor<8x196x384xbf16>
  return %s : tensor<8x32x4x384xbf16>
}

// CHECK-LABEL: func.func @expert_apply_bf16(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<8x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    return %[[O]] : tensor<8x32x4x384xbf16>
// GENERIC-LABEL: sym_name = "expert_apply_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x32x4x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xbf16>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>) -> tensor<8x32x4x384xbf16>
func.func @expert_apply_bf16(%s: tensor<8x32x4x384xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>) -> tensor<8x32x4x384xbf16> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %o : tensor<8x32x4x384xbf16>
}

// CHECK-LABEL: func.func @combine_bf16(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<8x196x32x4xf32>, tensor<8x32x4x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xbf16>
// GENERIC-LABEL: sym_name = "combine_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x32x4x384xbf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x32x4xf32>, tensor<8x32x4x384xbf16>) -> tensor<8x196x384xbf16>
func.func @combine_bf16(%l: tensor<8x196x32x4xf32>, %o: tensor<8x32x4x384xbf16>) -> tensor<8x196x384xbf16> {
  %y = softmoe.combine %l, %o : tensor<8x196x32x4xf32>, tensor<8x32x4x384xbf16>
  return %y : tensor<8x196x384xbf16>
}

// CHECK-LABEL: func.func @layer_bf16(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xbf16>
// GENERIC-LABEL: sym_name = "layer_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xbf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>) -> tensor<8x196x384xbf16>
func.func @layer_bf16(%x: tensor<8x196x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>) -> tensor<8x196x384xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %y : tensor<8x196x384xbf16>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_bf16(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<8x196x32x4xf32>, tensor<8x196x384xbf16>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<8x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<8x196x32x4xf32>, tensor<8x32x4x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xbf16>
// GENERIC-LABEL: sym_name = "stages_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xbf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x384xbf16>, tensor<384x32x4xbf16>) -> tensor<8x196x32x4xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<8x196x32x4xf32>, tensor<8x196x384xbf16>) -> tensor<8x32x4x384xbf16>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>) -> tensor<8x32x4x384xbf16>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<8x196x32x4xf32>, tensor<8x32x4x384xbf16>) -> tensor<8x196x384xbf16>
func.func @stages_bf16(%x: tensor<8x196x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>) -> tensor<8x196x384xbf16> {
  %l = softmoe.router %x, %phi : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
  %s = softmoe.dispatch %l, %x : tensor<8x196x32x4xf32>, tensor<8x196x384xbf16>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  %y = softmoe.combine %l, %o : tensor<8x196x32x4xf32>, tensor<8x32x4x384xbf16>
  return %y : tensor<8x196x384xbf16>
}

// bf16: the scale has the data type too.
// CHECK-LABEL: func.func @router_normalize_bf16(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<bf16>) normalize : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x32x4xf32>
// GENERIC-LABEL: sym_name = "router_normalize_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<bf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999997E-7 : f32, normalize}> : (tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<bf16>) -> tensor<8x196x32x4xf32>
func.func @router_normalize_bf16(%x: tensor<8x196x384xbf16>, %phi: tensor<384x32x4xbf16>, %sc: tensor<bf16>) -> tensor<8x196x32x4xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<bf16>) normalize : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>
  return %l : tensor<8x196x32x4xf32>
}

// CHECK-LABEL: func.func @layer_everything_bf16(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<bf16>) mask(%arg7 : tensor<8x196xi1>) normalize activation<relu> : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xbf16>
// GENERIC-LABEL: sym_name = "layer_everything_bf16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xbf16>, %[[ARG6:[a-z0-9]+]]: tensor<bf16>, %[[ARG7:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]], %[[ARG7]]) <{activation = #softmoe.activation<relu>, epsilon = 9.99999997E-7 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}> : (tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>, tensor<bf16>, tensor<8x196xi1>) -> tensor<8x196x384xbf16>
func.func @layer_everything_bf16(%x: tensor<8x196x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>, %sc: tensor<bf16>, %m: tensor<8x196xi1>) -> tensor<8x196x384xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<bf16>) mask(%m : tensor<8x196xi1>) normalize activation<relu> : tensor<8x196x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %y : tensor<8x196x384xbf16>
}

// f16: router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_f16(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x768xf16>, tensor<768x128x1xf16>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x128x1xf32>
// GENERIC-LABEL: sym_name = "router_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf16>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x768xf16>, tensor<768x128x1xf16>) -> tensor<8x196x128x1xf32>
func.func @router_f16(%x: tensor<8x196x768xf16>, %phi: tensor<768x128x1xf16>) -> tensor<8x196x128x1xf32> {
  %l = softmoe.router %x, %phi : tensor<8x196x768xf16>, tensor<768x128x1xf16>
  return %l : tensor<8x196x128x1xf32>
}

// CHECK-LABEL: func.func @dispatch_f16(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<8x196x128x1xf32>, tensor<8x196x768xf16>
// CHECK-NEXT:    return %[[S]] : tensor<8x128x1x768xf16>
// GENERIC-LABEL: sym_name = "dispatch_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x128x1xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x196x768xf16>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x128x1xf32>, tensor<8x196x768xf16>) -> tensor<8x128x1x768xf16>
func.func @dispatch_f16(%l: tensor<8x196x128x1xf32>, %x: tensor<8x196x768xf16>) -> tensor<8x128x1x768xf16> {
  %s = softmoe.dispatch %l, %x : tensor<8x196x128x1xf32>, tensor<8x196x768xf16>
  return %s : tensor<8x128x1x768xf16>
}

// CHECK-LABEL: func.func @expert_apply_f16(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<8x128x1x768xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
// CHECK-NEXT:    return %[[O]] : tensor<8x128x1x768xf16>
// GENERIC-LABEL: sym_name = "expert_apply_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x128x1x768xf16>, %[[ARG1:[a-z0-9]+]]: tensor<128x768x3072xf16>, %[[ARG2:[a-z0-9]+]]: tensor<128x3072xf16>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072x768xf16>, %[[ARG4:[a-z0-9]+]]: tensor<128x768xf16>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x128x1x768xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>) -> tensor<8x128x1x768xf16>
func.func @expert_apply_f16(%s: tensor<8x128x1x768xf16>, %w1: tensor<128x768x3072xf16>, %b1: tensor<128x3072xf16>, %w2: tensor<128x3072x768xf16>, %b2: tensor<128x768xf16>) -> tensor<8x128x1x768xf16> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x128x1x768xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
  return %o : tensor<8x128x1x768xf16>
}

// CHECK-LABEL: func.func @combine_f16(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf16>
// GENERIC-LABEL: sym_name = "combine_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x128x1xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x128x1x768xf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x128x1xf32>, tensor<8x128x1x768xf16>) -> tensor<8x196x768xf16>
func.func @combine_f16(%l: tensor<8x196x128x1xf32>, %o: tensor<8x128x1x768xf16>) -> tensor<8x196x768xf16> {
  %y = softmoe.combine %l, %o : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf16>
  return %y : tensor<8x196x768xf16>
}

// CHECK-LABEL: func.func @layer_f16(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf16>
// GENERIC-LABEL: sym_name = "layer_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf16>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf16>, %[[ARG2:[a-z0-9]+]]: tensor<128x768x3072xf16>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072xf16>, %[[ARG4:[a-z0-9]+]]: tensor<128x3072x768xf16>, %[[ARG5:[a-z0-9]+]]: tensor<128x768xf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>) -> tensor<8x196x768xf16>
func.func @layer_f16(%x: tensor<8x196x768xf16>, %phi: tensor<768x128x1xf16>, %w1: tensor<128x768x3072xf16>, %b1: tensor<128x3072xf16>, %w2: tensor<128x3072x768xf16>, %b2: tensor<128x768xf16>) -> tensor<8x196x768xf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
  return %y : tensor<8x196x768xf16>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_f16(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x768xf16>, tensor<768x128x1xf16>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<8x196x128x1xf32>, tensor<8x196x768xf16>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<8x128x1x768xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf16>
// GENERIC-LABEL: sym_name = "stages_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf16>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf16>, %[[ARG2:[a-z0-9]+]]: tensor<128x768x3072xf16>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072xf16>, %[[ARG4:[a-z0-9]+]]: tensor<128x3072x768xf16>, %[[ARG5:[a-z0-9]+]]: tensor<128x768xf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x768xf16>, tensor<768x128x1xf16>) -> tensor<8x196x128x1xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<8x196x128x1xf32>, tensor<8x196x768xf16>) -> tensor<8x128x1x768xf16>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x128x1x768xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>) -> tensor<8x128x1x768xf16>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<8x196x128x1xf32>, tensor<8x128x1x768xf16>) -> tensor<8x196x768xf16>
func.func @stages_f16(%x: tensor<8x196x768xf16>, %phi: tensor<768x128x1xf16>, %w1: tensor<128x768x3072xf16>, %b1: tensor<128x3072xf16>, %w2: tensor<128x3072x768xf16>, %b2: tensor<128x768xf16>) -> tensor<8x196x768xf16> {
  %l = softmoe.router %x, %phi : tensor<8x196x768xf16>, tensor<768x128x1xf16>
  %s = softmoe.dispatch %l, %x : tensor<8x196x128x1xf32>, tensor<8x196x768xf16>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x128x1x768xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
  %y = softmoe.combine %l, %o : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf16>
  return %y : tensor<8x196x768xf16>
}

// f16: the scale has the data type too.
// CHECK-LABEL: func.func @router_normalize_f16(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f16>) normalize : tensor<8x196x768xf16>, tensor<768x128x1xf16>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x128x1xf32>
// GENERIC-LABEL: sym_name = "router_normalize_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf16>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf16>, %[[ARG2:[a-z0-9]+]]: tensor<f16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999997E-7 : f32, normalize}> : (tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<f16>) -> tensor<8x196x128x1xf32>
func.func @router_normalize_f16(%x: tensor<8x196x768xf16>, %phi: tensor<768x128x1xf16>, %sc: tensor<f16>) -> tensor<8x196x128x1xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f16>) normalize : tensor<8x196x768xf16>, tensor<768x128x1xf16>
  return %l : tensor<8x196x128x1xf32>
}

// CHECK-LABEL: func.func @layer_everything_f16(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f16>) mask(%arg7 : tensor<8x196xi1>) normalize activation<relu> : tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf16>
// GENERIC-LABEL: sym_name = "layer_everything_f16"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf16>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf16>, %[[ARG2:[a-z0-9]+]]: tensor<128x768x3072xf16>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072xf16>, %[[ARG4:[a-z0-9]+]]: tensor<128x3072x768xf16>, %[[ARG5:[a-z0-9]+]]: tensor<128x768xf16>, %[[ARG6:[a-z0-9]+]]: tensor<f16>, %[[ARG7:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]], %[[ARG7]]) <{activation = #softmoe.activation<relu>, epsilon = 9.99999997E-7 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}> : (tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>, tensor<f16>, tensor<8x196xi1>) -> tensor<8x196x768xf16>
func.func @layer_everything_f16(%x: tensor<8x196x768xf16>, %phi: tensor<768x128x1xf16>, %w1: tensor<128x768x3072xf16>, %b1: tensor<128x3072xf16>, %w2: tensor<128x3072x768xf16>, %b2: tensor<128x768xf16>, %sc: tensor<f16>, %m: tensor<8x196xi1>) -> tensor<8x196x768xf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f16>) mask(%m : tensor<8x196xi1>) normalize activation<relu> : tensor<8x196x768xf16>, tensor<768x128x1xf16>, tensor<128x768x3072xf16>, tensor<128x3072xf16>, tensor<128x3072x768xf16>, tensor<128x768xf16>
  return %y : tensor<8x196x768xf16>
}

// bf16_dyn: router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_bf16_dyn(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x32x4xf32>
// GENERIC-LABEL: sym_name = "router_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x384xbf16>, tensor<384x32x4xbf16>) -> tensor<?x?x32x4xf32>
func.func @router_bf16_dyn(%x: tensor<?x?x384xbf16>, %phi: tensor<384x32x4xbf16>) -> tensor<?x?x32x4xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
  return %l : tensor<?x?x32x4xf32>
}

// CHECK-LABEL: func.func @dispatch_bf16_dyn(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>
// CHECK-NEXT:    return %[[S]] : tensor<?x32x4x384xbf16>
// GENERIC-LABEL: sym_name = "dispatch_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x384xbf16>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>) -> tensor<?x32x4x384xbf16>
func.func @dispatch_bf16_dyn(%l: tensor<?x?x32x4xf32>, %x: tensor<?x?x384xbf16>) -> tensor<?x32x4x384xbf16> {
  %s = softmoe.dispatch %l, %x : tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>
  return %s : tensor<?x32x4x384xbf16>
}

// CHECK-LABEL: func.func @expert_apply_bf16_dyn(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    return %[[O]] : tensor<?x32x4x384xbf16>
// GENERIC-LABEL: sym_name = "expert_apply_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x32x4x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xbf16>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>) -> tensor<?x32x4x384xbf16>
func.func @expert_apply_bf16_dyn(%s: tensor<?x32x4x384xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>) -> tensor<?x32x4x384xbf16> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %o : tensor<?x32x4x384xbf16>
}

// CHECK-LABEL: func.func @combine_bf16_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xbf16>
// GENERIC-LABEL: sym_name = "combine_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x32x4x384xbf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>) -> tensor<?x?x384xbf16>
func.func @combine_bf16_dyn(%l: tensor<?x?x32x4xf32>, %o: tensor<?x32x4x384xbf16>) -> tensor<?x?x384xbf16> {
  %y = softmoe.combine %l, %o : tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>
  return %y : tensor<?x?x384xbf16>
}

// CHECK-LABEL: func.func @layer_bf16_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xbf16>
// GENERIC-LABEL: sym_name = "layer_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xbf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>) -> tensor<?x?x384xbf16>
func.func @layer_bf16_dyn(%x: tensor<?x?x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>) -> tensor<?x?x384xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %y : tensor<?x?x384xbf16>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_bf16_dyn(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xbf16>
// GENERIC-LABEL: sym_name = "stages_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xbf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x384xbf16>, tensor<384x32x4xbf16>) -> tensor<?x?x32x4xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>) -> tensor<?x32x4x384xbf16>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>) -> tensor<?x32x4x384xbf16>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>) -> tensor<?x?x384xbf16>
func.func @stages_bf16_dyn(%x: tensor<?x?x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>) -> tensor<?x?x384xbf16> {
  %l = softmoe.router %x, %phi : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
  %s = softmoe.dispatch %l, %x : tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  %y = softmoe.combine %l, %o : tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>
  return %y : tensor<?x?x384xbf16>
}

// bf16_dyn: the scale has the data type too.
// CHECK-LABEL: func.func @router_normalize_bf16_dyn(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<bf16>) normalize : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x32x4xf32>
// GENERIC-LABEL: sym_name = "router_normalize_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<bf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999997E-7 : f32, normalize}> : (tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<bf16>) -> tensor<?x?x32x4xf32>
func.func @router_normalize_bf16_dyn(%x: tensor<?x?x384xbf16>, %phi: tensor<384x32x4xbf16>, %sc: tensor<bf16>) -> tensor<?x?x32x4xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<bf16>) normalize : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
  return %l : tensor<?x?x32x4xf32>
}

// CHECK-LABEL: func.func @layer_everything_bf16_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<bf16>) mask(%arg7 : tensor<?x?xi1>) normalize activation<relu> : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xbf16>
// GENERIC-LABEL: sym_name = "layer_everything_bf16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xbf16>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xbf16>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xbf16>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xbf16>, %[[ARG6:[a-z0-9]+]]: tensor<bf16>, %[[ARG7:[a-z0-9]+]]: tensor<?x?xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]], %[[ARG7]]) <{activation = #softmoe.activation<relu>, epsilon = 9.99999997E-7 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}> : (tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>, tensor<bf16>, tensor<?x?xi1>) -> tensor<?x?x384xbf16>
func.func @layer_everything_bf16_dyn(%x: tensor<?x?x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>, %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>, %sc: tensor<bf16>, %m: tensor<?x?xi1>) -> tensor<?x?x384xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<bf16>) mask(%m : tensor<?x?xi1>) normalize activation<relu> : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %y : tensor<?x?x384xbf16>
}

// f16_dyn: router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_f16_dyn(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x?x?xf32>
// GENERIC-LABEL: sym_name = "router_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x?xf16>, tensor<?x?x?xf16>) -> tensor<?x?x?x?xf32>
func.func @router_f16_dyn(%x: tensor<?x?x?xf16>, %phi: tensor<?x?x?xf16>) -> tensor<?x?x?x?xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x?xf16>, tensor<?x?x?xf16>
  return %l : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @dispatch_f16_dyn(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<?x?x?x?xf32>, tensor<?x?x?xf16>
// CHECK-NEXT:    return %[[S]] : tensor<?x?x?x?xf16>
// GENERIC-LABEL: sym_name = "dispatch_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?xf16>) -> tensor<?x?x?x?xf16>
func.func @dispatch_f16_dyn(%l: tensor<?x?x?x?xf32>, %x: tensor<?x?x?xf16>) -> tensor<?x?x?x?xf16> {
  %s = softmoe.dispatch %l, %x : tensor<?x?x?x?xf32>, tensor<?x?x?xf16>
  return %s : tensor<?x?x?x?xf16>
}

// CHECK-LABEL: func.func @expert_apply_f16_dyn(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
// CHECK-NEXT:    return %[[O]] : tensor<?x?x?x?xf16>
// GENERIC-LABEL: sym_name = "expert_apply_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf16>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG2:[a-z0-9]+]]: tensor<?x?xf16>, %[[ARG3:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG4:[a-z0-9]+]]: tensor<?x?xf16>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>) -> tensor<?x?x?x?xf16>
func.func @expert_apply_f16_dyn(%s: tensor<?x?x?x?xf16>, %w1: tensor<?x?x?xf16>, %b1: tensor<?x?xf16>, %w2: tensor<?x?x?xf16>, %b2: tensor<?x?xf16>) -> tensor<?x?x?x?xf16> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
  return %o : tensor<?x?x?x?xf16>
}

// CHECK-LABEL: func.func @combine_f16_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf16>
// GENERIC-LABEL: sym_name = "combine_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?x?xf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf16>) -> tensor<?x?x?xf16>
func.func @combine_f16_dyn(%l: tensor<?x?x?x?xf32>, %o: tensor<?x?x?x?xf16>) -> tensor<?x?x?xf16> {
  %y = softmoe.combine %l, %o : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf16>
  return %y : tensor<?x?x?xf16>
}

// CHECK-LABEL: func.func @layer_f16_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf16>
// GENERIC-LABEL: sym_name = "layer_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG2:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG3:[a-z0-9]+]]: tensor<?x?xf16>, %[[ARG4:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG5:[a-z0-9]+]]: tensor<?x?xf16>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>) -> tensor<?x?x?xf16>
func.func @layer_f16_dyn(%x: tensor<?x?x?xf16>, %phi: tensor<?x?x?xf16>, %w1: tensor<?x?x?xf16>, %b1: tensor<?x?xf16>, %w2: tensor<?x?x?xf16>, %b2: tensor<?x?xf16>) -> tensor<?x?x?xf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
  return %y : tensor<?x?x?xf16>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_f16_dyn(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<?x?x?x?xf32>, tensor<?x?x?xf16>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf16>
// GENERIC-LABEL: sym_name = "stages_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG2:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG3:[a-z0-9]+]]: tensor<?x?xf16>, %[[ARG4:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG5:[a-z0-9]+]]: tensor<?x?xf16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x?xf16>, tensor<?x?x?xf16>) -> tensor<?x?x?x?xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?xf16>) -> tensor<?x?x?x?xf16>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>) -> tensor<?x?x?x?xf16>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf16>) -> tensor<?x?x?xf16>
func.func @stages_f16_dyn(%x: tensor<?x?x?xf16>, %phi: tensor<?x?x?xf16>, %w1: tensor<?x?x?xf16>, %b1: tensor<?x?xf16>, %w2: tensor<?x?x?xf16>, %b2: tensor<?x?xf16>) -> tensor<?x?x?xf16> {
  %l = softmoe.router %x, %phi : tensor<?x?x?xf16>, tensor<?x?x?xf16>
  %s = softmoe.dispatch %l, %x : tensor<?x?x?x?xf32>, tensor<?x?x?xf16>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
  %y = softmoe.combine %l, %o : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf16>
  return %y : tensor<?x?x?xf16>
}

// f16_dyn: the scale has the data type too.
// CHECK-LABEL: func.func @router_normalize_f16_dyn(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f16>) normalize : tensor<?x?x?xf16>, tensor<?x?x?xf16>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x?x?xf32>
// GENERIC-LABEL: sym_name = "router_normalize_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG2:[a-z0-9]+]]: tensor<f16>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999997E-7 : f32, normalize}> : (tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<f16>) -> tensor<?x?x?x?xf32>
func.func @router_normalize_f16_dyn(%x: tensor<?x?x?xf16>, %phi: tensor<?x?x?xf16>, %sc: tensor<f16>) -> tensor<?x?x?x?xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f16>) normalize : tensor<?x?x?xf16>, tensor<?x?x?xf16>
  return %l : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @layer_everything_f16_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f16>) mask(%arg7 : tensor<?x?xi1>) normalize activation<relu> : tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf16>
// GENERIC-LABEL: sym_name = "layer_everything_f16_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG2:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG3:[a-z0-9]+]]: tensor<?x?xf16>, %[[ARG4:[a-z0-9]+]]: tensor<?x?x?xf16>, %[[ARG5:[a-z0-9]+]]: tensor<?x?xf16>, %[[ARG6:[a-z0-9]+]]: tensor<f16>, %[[ARG7:[a-z0-9]+]]: tensor<?x?xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]], %[[ARG7]]) <{activation = #softmoe.activation<relu>, epsilon = 9.99999997E-7 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}> : (tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<f16>, tensor<?x?xi1>) -> tensor<?x?x?xf16>
func.func @layer_everything_f16_dyn(%x: tensor<?x?x?xf16>, %phi: tensor<?x?x?xf16>, %w1: tensor<?x?x?xf16>, %b1: tensor<?x?xf16>, %w2: tensor<?x?x?xf16>, %b2: tensor<?x?xf16>, %sc: tensor<f16>, %m: tensor<?x?xi1>) -> tensor<?x?x?xf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f16>) mask(%m : tensor<?x?xi1>) normalize activation<relu> : tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
  return %y : tensor<?x?x?xf16>
}
