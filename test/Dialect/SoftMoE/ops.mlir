// RUN: softmoe-opt %s | FileCheck %s
// RUN: softmoe-opt %s | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --emit-bytecode | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
//
// Every op at CONTRACT.md's static S-32 and B-128 shapes (f32, no optional operand):
// printed ops, operands and the inferred result types (the GENERIC prefix reads them
// off the generic form; the custom form does not print them).

// S-32 (B=8 M=196 D=384 N=32 P=4 H=1536): router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_s32(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x32x4xf32>
// GENERIC-LABEL: sym_name = "router_s32"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>) -> tensor<8x196x32x4xf32>
func.func @router_s32(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>) -> tensor<8x196x32x4xf32> {
  %l = softmoe.router %x, %phi : tensor<8x196x384xf32>, tensor<384x32x4xf32>
  return %l : tensor<8x196x32x4xf32>
}

// CHECK-LABEL: func.func @dispatch_s32(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
// CHECK-NEXT:    return %[[S]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "dispatch_s32"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x196x384xf32>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x32x4xf32>, tensor<8x196x384xf32>) -> tensor<8x32x4x384xf32>
func.func @dispatch_s32(%l: tensor<8x196x32x4xf32>, %x: tensor<8x196x384xf32>) -> tensor<8x32x4x384xf32> {
  %s = softmoe.dispatch %l, %x : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
  return %s : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @expert_apply_s32(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_s32"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x32x4x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
func.func @expert_apply_s32(%s: tensor<8x32x4x384xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x32x4x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %o : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @combine_s32(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "combine_s32"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x32x4x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>) -> tensor<8x196x384xf32>
func.func @combine_s32(%l: tensor<8x196x32x4xf32>, %o: tensor<8x32x4x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.combine %l, %o : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_s32(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_s32"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x196x384xf32>
func.func @layer_s32(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_s32(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "stages_s32"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>) -> tensor<8x196x32x4xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<8x196x32x4xf32>, tensor<8x196x384xf32>) -> tensor<8x32x4x384xf32>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>) -> tensor<8x196x384xf32>
func.func @stages_s32(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %l = softmoe.router %x, %phi : tensor<8x196x384xf32>, tensor<384x32x4xf32>
  %s = softmoe.dispatch %l, %x : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  %y = softmoe.combine %l, %o : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
  return %y : tensor<8x196x384xf32>
}

// B-128 (B=8 M=196 D=768 N=128 P=1 H=3072): router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_b128(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x768xf32>, tensor<768x128x1xf32>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x128x1xf32>
// GENERIC-LABEL: sym_name = "router_b128"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf32>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x768xf32>, tensor<768x128x1xf32>) -> tensor<8x196x128x1xf32>
func.func @router_b128(%x: tensor<8x196x768xf32>, %phi: tensor<768x128x1xf32>) -> tensor<8x196x128x1xf32> {
  %l = softmoe.router %x, %phi : tensor<8x196x768xf32>, tensor<768x128x1xf32>
  return %l : tensor<8x196x128x1xf32>
}

// CHECK-LABEL: func.func @dispatch_b128(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<8x196x128x1xf32>, tensor<8x196x768xf32>
// CHECK-NEXT:    return %[[S]] : tensor<8x128x1x768xf32>
// GENERIC-LABEL: sym_name = "dispatch_b128"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x128x1xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x196x768xf32>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x128x1xf32>, tensor<8x196x768xf32>) -> tensor<8x128x1x768xf32>
func.func @dispatch_b128(%l: tensor<8x196x128x1xf32>, %x: tensor<8x196x768xf32>) -> tensor<8x128x1x768xf32> {
  %s = softmoe.dispatch %l, %x : tensor<8x196x128x1xf32>, tensor<8x196x768xf32>
  return %s : tensor<8x128x1x768xf32>
}

// CHECK-LABEL: func.func @expert_apply_b128(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
// CHECK-NEXT:    return %[[O]] : tensor<8x128x1x768xf32>
// GENERIC-LABEL: sym_name = "expert_apply_b128"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x128x1x768xf32>, %[[ARG1:[a-z0-9]+]]: tensor<128x768x3072xf32>, %[[ARG2:[a-z0-9]+]]: tensor<128x3072xf32>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072x768xf32>, %[[ARG4:[a-z0-9]+]]: tensor<128x768xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>) -> tensor<8x128x1x768xf32>
func.func @expert_apply_b128(%s: tensor<8x128x1x768xf32>, %w1: tensor<128x768x3072xf32>, %b1: tensor<128x3072xf32>, %w2: tensor<128x3072x768xf32>, %b2: tensor<128x768xf32>) -> tensor<8x128x1x768xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
  return %o : tensor<8x128x1x768xf32>
}

// CHECK-LABEL: func.func @combine_b128(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf32>
// GENERIC-LABEL: sym_name = "combine_b128"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x128x1xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x128x1x768xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>) -> tensor<8x196x768xf32>
func.func @combine_b128(%l: tensor<8x196x128x1xf32>, %o: tensor<8x128x1x768xf32>) -> tensor<8x196x768xf32> {
  %y = softmoe.combine %l, %o : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>
  return %y : tensor<8x196x768xf32>
}

// CHECK-LABEL: func.func @layer_b128(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<8x196x768xf32>, tensor<768x128x1xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf32>
// GENERIC-LABEL: sym_name = "layer_b128"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf32>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf32>, %[[ARG2:[a-z0-9]+]]: tensor<128x768x3072xf32>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072xf32>, %[[ARG4:[a-z0-9]+]]: tensor<128x3072x768xf32>, %[[ARG5:[a-z0-9]+]]: tensor<128x768xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x768xf32>, tensor<768x128x1xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>) -> tensor<8x196x768xf32>
func.func @layer_b128(%x: tensor<8x196x768xf32>, %phi: tensor<768x128x1xf32>, %w1: tensor<128x768x3072xf32>, %b1: tensor<128x3072xf32>, %w2: tensor<128x3072x768xf32>, %b2: tensor<128x768xf32>) -> tensor<8x196x768xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<8x196x768xf32>, tensor<768x128x1xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
  return %y : tensor<8x196x768xf32>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_b128(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<8x196x768xf32>, tensor<768x128x1xf32>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<8x196x128x1xf32>, tensor<8x196x768xf32>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf32>
// GENERIC-LABEL: sym_name = "stages_b128"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x768xf32>, %[[ARG1:[a-z0-9]+]]: tensor<768x128x1xf32>, %[[ARG2:[a-z0-9]+]]: tensor<128x768x3072xf32>, %[[ARG3:[a-z0-9]+]]: tensor<128x3072xf32>, %[[ARG4:[a-z0-9]+]]: tensor<128x3072x768xf32>, %[[ARG5:[a-z0-9]+]]: tensor<128x768xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<8x196x768xf32>, tensor<768x128x1xf32>) -> tensor<8x196x128x1xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<8x196x128x1xf32>, tensor<8x196x768xf32>) -> tensor<8x128x1x768xf32>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>) -> tensor<8x128x1x768xf32>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>) -> tensor<8x196x768xf32>
func.func @stages_b128(%x: tensor<8x196x768xf32>, %phi: tensor<768x128x1xf32>, %w1: tensor<128x768x3072xf32>, %b1: tensor<128x3072xf32>, %w2: tensor<128x3072x768xf32>, %b2: tensor<128x768xf32>) -> tensor<8x196x768xf32> {
  %l = softmoe.router %x, %phi : tensor<8x196x768xf32>, tensor<768x128x1xf32>
  %s = softmoe.dispatch %l, %x : tensor<8x196x128x1xf32>, tensor<8x196x768xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
  %y = softmoe.combine %l, %o : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>
  return %y : tensor<8x196x768xf32>
}

// tiny (B=2 M=16 D=32 N=4 P=2 H=64): router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_tiny(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<2x16x32xf32>, tensor<32x4x2xf32>
// CHECK-NEXT:    return %[[L]] : tensor<2x16x4x2xf32>
// GENERIC-LABEL: sym_name = "router_tiny"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<2x16x32xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x4x2xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
func.func @router_tiny(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// CHECK-LABEL: func.func @dispatch_tiny(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
// CHECK-NEXT:    return %[[S]] : tensor<2x4x2x32xf32>
// GENERIC-LABEL: sym_name = "dispatch_tiny"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<2x16x4x2xf32>, %[[ARG1:[a-z0-9]+]]: tensor<2x16x32xf32>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) -> tensor<2x4x2x32xf32>
func.func @dispatch_tiny(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>) -> tensor<2x4x2x32xf32> {
  %s = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return %s : tensor<2x4x2x32xf32>
}

// CHECK-LABEL: func.func @expert_apply_tiny(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NEXT:    return %[[O]] : tensor<2x4x2x32xf32>
// GENERIC-LABEL: sym_name = "expert_apply_tiny"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<2x4x2x32xf32>, %[[ARG1:[a-z0-9]+]]: tensor<4x32x64xf32>, %[[ARG2:[a-z0-9]+]]: tensor<4x64xf32>, %[[ARG3:[a-z0-9]+]]: tensor<4x64x32xf32>, %[[ARG4:[a-z0-9]+]]: tensor<4x32xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
func.func @expert_apply_tiny(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// CHECK-LABEL: func.func @combine_tiny(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<2x16x32xf32>
// GENERIC-LABEL: sym_name = "combine_tiny"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<2x16x4x2xf32>, %[[ARG1:[a-z0-9]+]]: tensor<2x4x2x32xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32>
func.func @combine_tiny(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @layer_tiny(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<2x16x32xf32>
// GENERIC-LABEL: sym_name = "layer_tiny"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<2x16x32xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x4x2xf32>, %[[ARG2:[a-z0-9]+]]: tensor<4x32x64xf32>, %[[ARG3:[a-z0-9]+]]: tensor<4x64xf32>, %[[ARG4:[a-z0-9]+]]: tensor<4x64x32xf32>, %[[ARG5:[a-z0-9]+]]: tensor<4x32xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf32>
func.func @layer_tiny(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_tiny(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<2x16x32xf32>, tensor<32x4x2xf32>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<2x16x32xf32>
// GENERIC-LABEL: sym_name = "stages_tiny"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<2x16x32xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x4x2xf32>, %[[ARG2:[a-z0-9]+]]: tensor<4x32x64xf32>, %[[ARG3:[a-z0-9]+]]: tensor<4x64xf32>, %[[ARG4:[a-z0-9]+]]: tensor<4x64x32xf32>, %[[ARG5:[a-z0-9]+]]: tensor<4x32xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) -> tensor<2x4x2x32xf32>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32>
func.func @stages_tiny(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  %s = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  %y = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return %y : tensor<2x16x32xf32>
}
