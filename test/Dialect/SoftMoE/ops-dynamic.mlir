// RUN: softmoe-opt %s | FileCheck %s
// RUN: softmoe-opt %s | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --emit-bytecode | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
//
// Dynamic shapes: B and M dynamic at S-32 widths, everything dynamic, and sizes
// that one operand leaves dynamic and another makes static (inference takes the
// static one).

// Dynamic B and M: router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_dyn_bm(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x32x4xf32>
// GENERIC-LABEL: sym_name = "router_dyn_bm"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x384xf32>, tensor<384x32x4xf32>) -> tensor<?x?x32x4xf32>
func.func @router_dyn_bm(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>) -> tensor<?x?x32x4xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x384xf32>, tensor<384x32x4xf32>
  return %l : tensor<?x?x32x4xf32>
}

// CHECK-LABEL: func.func @dispatch_dyn_bm(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
// CHECK-NEXT:    return %[[S]] : tensor<?x32x4x384xf32>
// GENERIC-LABEL: sym_name = "dispatch_dyn_bm"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x384xf32>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x32x4xf32>, tensor<?x?x384xf32>) -> tensor<?x32x4x384xf32>
func.func @dispatch_dyn_bm(%l: tensor<?x?x32x4xf32>, %x: tensor<?x?x384xf32>) -> tensor<?x32x4x384xf32> {
  %s = softmoe.dispatch %l, %x : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
  return %s : tensor<?x32x4x384xf32>
}

// CHECK-LABEL: func.func @expert_apply_dyn_bm(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<?x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<?x32x4x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_dyn_bm"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x32x4x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<?x32x4x384xf32>
func.func @expert_apply_dyn_bm(%s: tensor<?x32x4x384xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<?x32x4x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %o : tensor<?x32x4x384xf32>
}

// CHECK-LABEL: func.func @combine_dyn_bm(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xf32>
// GENERIC-LABEL: sym_name = "combine_dyn_bm"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x32x4x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>) -> tensor<?x?x384xf32>
func.func @combine_dyn_bm(%l: tensor<?x?x32x4xf32>, %o: tensor<?x32x4x384xf32>) -> tensor<?x?x384xf32> {
  %y = softmoe.combine %l, %o : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
  return %y : tensor<?x?x384xf32>
}

// CHECK-LABEL: func.func @layer_dyn_bm(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xf32>
// GENERIC-LABEL: sym_name = "layer_dyn_bm"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<?x?x384xf32>
func.func @layer_dyn_bm(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<?x?x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<?x?x384xf32>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_dyn_bm(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<?x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xf32>
// GENERIC-LABEL: sym_name = "stages_dyn_bm"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x384xf32>, tensor<384x32x4xf32>) -> tensor<?x?x32x4xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<?x?x32x4xf32>, tensor<?x?x384xf32>) -> tensor<?x32x4x384xf32>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<?x32x4x384xf32>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>) -> tensor<?x?x384xf32>
func.func @stages_dyn_bm(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<?x?x384xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x384xf32>, tensor<384x32x4xf32>
  %s = softmoe.dispatch %l, %x : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  %y = softmoe.combine %l, %o : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
  return %y : tensor<?x?x384xf32>
}

// Every size dynamic: router logits are [B, M, N, P] and always f32.
// CHECK-LABEL: func.func @router_dyn_all(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x?x?xf32>
// GENERIC-LABEL: sym_name = "router_dyn_all"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32>
func.func @router_dyn_all(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x?xf32>, tensor<?x?x?xf32>
  return %l : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @dispatch_dyn_all(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    return %[[S]] : tensor<?x?x?x?xf32>
// GENERIC-LABEL: sym_name = "dispatch_dyn_all"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf32>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32>
func.func @dispatch_dyn_all(%l: tensor<?x?x?x?xf32>, %x: tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %s = softmoe.dispatch %l, %x : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  return %s : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @expert_apply_dyn_all(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
// CHECK-NEXT:    return %[[O]] : tensor<?x?x?x?xf32>
// GENERIC-LABEL: sym_name = "expert_apply_dyn_all"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG2:[a-z0-9]+]]: tensor<?x?xf32>, %[[ARG3:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG4:[a-z0-9]+]]: tensor<?x?xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?x?xf32>
func.func @expert_apply_dyn_all(%s: tensor<?x?x?x?xf32>, %w1: tensor<?x?x?xf32>, %b1: tensor<?x?xf32>, %w2: tensor<?x?x?xf32>, %b2: tensor<?x?xf32>) -> tensor<?x?x?x?xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  return %o : tensor<?x?x?x?xf32>
}

// CHECK-LABEL: func.func @combine_dyn_all(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf32>
// GENERIC-LABEL: sym_name = "combine_dyn_all"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?x?xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?xf32>
func.func @combine_dyn_all(%l: tensor<?x?x?x?xf32>, %o: tensor<?x?x?x?xf32>) -> tensor<?x?x?xf32> {
  %y = softmoe.combine %l, %o : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// CHECK-LABEL: func.func @layer_dyn_all(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf32>
// GENERIC-LABEL: sym_name = "layer_dyn_all"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG2:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG3:[a-z0-9]+]]: tensor<?x?xf32>, %[[ARG4:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG5:[a-z0-9]+]]: tensor<?x?xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?xf32>
func.func @layer_dyn_all(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>, %w1: tensor<?x?x?xf32>, %b1: tensor<?x?xf32>, %w2: tensor<?x?x?xf32>, %b2: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// The four stages chained, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_dyn_all(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x?xf32>
// GENERIC-LABEL: sym_name = "stages_dyn_all"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG2:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG3:[a-z0-9]+]]: tensor<?x?xf32>, %[[ARG4:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG5:[a-z0-9]+]]: tensor<?x?xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>) -> tensor<?x?x?x?xf32>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]]) : (tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>) -> tensor<?x?x?xf32>
func.func @stages_dyn_all(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>, %w1: tensor<?x?x?xf32>, %b1: tensor<?x?xf32>, %w2: tensor<?x?x?xf32>, %b2: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x?xf32>, tensor<?x?x?xf32>
  %s = softmoe.dispatch %l, %x : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  %y = softmoe.combine %l, %o : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
  return %y : tensor<?x?x?xf32>
}

// D is static only on phi; N only on neither: it stays dynamic.
// CHECK-LABEL: func.func @router_refine(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<?x196x?xf32>, tensor<384x?x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<?x196x?x4xf32>
// GENERIC-LABEL: sym_name = "router_refine"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x196x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x?x4xf32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]]) <{epsilon = 9.99999997E-7 : f32}> : (tensor<?x196x?xf32>, tensor<384x?x4xf32>) -> tensor<?x196x?x4xf32>
func.func @router_refine(%x: tensor<?x196x?xf32>, %phi: tensor<384x?x4xf32>) -> tensor<?x196x?x4xf32> {
  %l = softmoe.router %x, %phi : tensor<?x196x?xf32>, tensor<384x?x4xf32>
  return %l : tensor<?x196x?x4xf32>
}

// B comes from x although logits come first.
// CHECK-LABEL: func.func @dispatch_refine(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 : tensor<?x?x?x?xf32>, tensor<8x196x384xf32>
// CHECK-NEXT:    return %[[S]] : tensor<8x?x?x384xf32>
// GENERIC-LABEL: sym_name = "dispatch_refine"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x196x384xf32>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]]) : (tensor<?x?x?x?xf32>, tensor<8x196x384xf32>) -> tensor<8x?x?x384xf32>
func.func @dispatch_refine(%l: tensor<?x?x?x?xf32>, %x: tensor<8x196x384xf32>) -> tensor<8x?x?x384xf32> {
  %s = softmoe.dispatch %l, %x : tensor<?x?x?x?xf32>, tensor<8x196x384xf32>
  return %s : tensor<8x?x?x384xf32>
}

// Only the mask fixes B.
// CHECK-LABEL: func.func @dispatch_refine_mask(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 mask(%arg2 : tensor<8x196xi1>) : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
// CHECK-NEXT:    return %[[S]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "dispatch_refine_mask"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG2:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) : (tensor<?x?x32x4xf32>, tensor<?x?x384xf32>, tensor<8x196xi1>) -> tensor<8x32x4x384xf32>
func.func @dispatch_refine_mask(%l: tensor<?x?x32x4xf32>, %x: tensor<?x?x384xf32>, %m: tensor<8x196xi1>) -> tensor<8x32x4x384xf32> {
  %s = softmoe.dispatch %l, %x mask(%m : tensor<8x196xi1>) : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
  return %s : tensor<8x32x4x384xf32>
}

// N from w1, D from b2.
// CHECK-LABEL: func.func @expert_apply_refine(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<?x?x?x?xf32>, tensor<32x?x1536xf32>, tensor<?x1536xf32>, tensor<?x?x?xf32>, tensor<?x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<?x32x?x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_refine"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x?x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<?x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG4:[a-z0-9]+]]: tensor<?x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<?x?x?x?xf32>, tensor<32x?x1536xf32>, tensor<?x1536xf32>, tensor<?x?x?xf32>, tensor<?x384xf32>) -> tensor<?x32x?x384xf32>
func.func @expert_apply_refine(%s: tensor<?x?x?x?xf32>, %w1: tensor<32x?x1536xf32>, %b1: tensor<?x1536xf32>, %w2: tensor<?x?x?xf32>, %b2: tensor<?x384xf32>) -> tensor<?x32x?x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<?x?x?x?xf32>, tensor<32x?x1536xf32>, tensor<?x1536xf32>, tensor<?x?x?xf32>, tensor<?x384xf32>
  return %o : tensor<?x32x?x384xf32>
}

// B and M from the mask, D from expert_out.
// CHECK-LABEL: func.func @combine_refine(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 mask(%arg2 : tensor<8x196xi1>) : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "combine_refine"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x32x4x384xf32>, %[[ARG2:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) : (tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>, tensor<8x196xi1>) -> tensor<8x196x384xf32>
func.func @combine_refine(%l: tensor<?x?x32x4xf32>, %o: tensor<?x32x4x384xf32>, %m: tensor<8x196xi1>) -> tensor<8x196x384xf32> {
  %y = softmoe.combine %l, %o mask(%m : tensor<8x196xi1>) : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
  return %y : tensor<8x196x384xf32>
}

// D from w1, M from the mask, B stays dynamic.
// CHECK-LABEL: func.func @layer_refine(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 mask(%arg6 : tensor<?x196xi1>) : tensor<?x?x?xf32>, tensor<?x32x4xf32>, tensor<?x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_refine"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<?x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>, %[[ARG6:[a-z0-9]+]]: tensor<?x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 1>}> : (tensor<?x?x?xf32>, tensor<?x32x4xf32>, tensor<?x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>, tensor<?x196xi1>) -> tensor<?x196x384xf32>
func.func @layer_refine(%x: tensor<?x?x?xf32>, %phi: tensor<?x32x4xf32>, %w1: tensor<?x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>, %m: tensor<?x196xi1>) -> tensor<?x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<?x196xi1>) : tensor<?x?x?xf32>, tensor<?x32x4xf32>, tensor<?x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<?x196x384xf32>
}
