// RUN: softmoe-opt %s | FileCheck %s
// RUN: softmoe-opt %s | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --emit-bytecode | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
//
// Every optional operand and attribute: scale with normalize, epsilon (a default
// written explicitly is not printed), mask, and each activation (gelu_tanh is the
// default and is not printed), alone and all together.

// CHECK-LABEL: func.func @router_normalize(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f32>) normalize : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x32x4xf32>
// GENERIC-LABEL: sym_name = "router_normalize"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<f32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999997E-7 : f32, normalize}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<f32>) -> tensor<8x196x32x4xf32>
func.func @router_normalize(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %sc: tensor<f32>) -> tensor<8x196x32x4xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize : tensor<8x196x384xf32>, tensor<384x32x4xf32>
  return %l : tensor<8x196x32x4xf32>
}

// CHECK-LABEL: func.func @router_epsilon(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f32>) normalize epsilon(9.99999974E-6) : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x32x4xf32>
// GENERIC-LABEL: sym_name = "router_epsilon"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<f32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999974E-6 : f32, normalize}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<f32>) -> tensor<8x196x32x4xf32>
func.func @router_epsilon(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %sc: tensor<f32>) -> tensor<8x196x32x4xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(1.0e-5) : tensor<8x196x384xf32>, tensor<384x32x4xf32>
  return %l : tensor<8x196x32x4xf32>
}

// CHECK-LABEL: func.func @router_epsilon_half(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f32>) normalize epsilon(5.000000e-01) : tensor<?x?x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<?x?x32x4xf32>
// GENERIC-LABEL: sym_name = "router_epsilon_half"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<f32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 5.000000e-01 : f32, normalize}> : (tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<f32>) -> tensor<?x?x32x4xf32>
func.func @router_epsilon_half(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>, %sc: tensor<f32>) -> tensor<?x?x32x4xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(0.5) : tensor<?x?x384xf32>, tensor<384x32x4xf32>
  return %l : tensor<?x?x32x4xf32>
}

// CHECK-LABEL: func.func @router_epsilon_default(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f32>) normalize : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    return %[[L]] : tensor<8x196x32x4xf32>
// GENERIC-LABEL: sym_name = "router_epsilon_default"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<f32>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) <{epsilon = 9.99999997E-7 : f32, normalize}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<f32>) -> tensor<8x196x32x4xf32>
func.func @router_epsilon_default(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %sc: tensor<f32>) -> tensor<8x196x32x4xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(1.0e-6) : tensor<8x196x384xf32>, tensor<384x32x4xf32>
  return %l : tensor<8x196x32x4xf32>
}

// CHECK-LABEL: func.func @dispatch_mask(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 mask(%arg2 : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
// CHECK-NEXT:    return %[[S]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "dispatch_mask"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG2:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) : (tensor<8x196x32x4xf32>, tensor<8x196x384xf32>, tensor<8x196xi1>) -> tensor<8x32x4x384xf32>
func.func @dispatch_mask(%l: tensor<8x196x32x4xf32>, %x: tensor<8x196x384xf32>, %m: tensor<8x196xi1>) -> tensor<8x32x4x384xf32> {
  %s = softmoe.dispatch %l, %x mask(%m : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
  return %s : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @dispatch_mask_dyn(
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %arg0, %arg1 mask(%arg2 : tensor<?x?xi1>) : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
// CHECK-NEXT:    return %[[S]] : tensor<?x32x4x384xf32>
// GENERIC-LABEL: sym_name = "dispatch_mask_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG2:[a-z0-9]+]]: tensor<?x?xi1>):
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) : (tensor<?x?x32x4xf32>, tensor<?x?x384xf32>, tensor<?x?xi1>) -> tensor<?x32x4x384xf32>
func.func @dispatch_mask_dyn(%l: tensor<?x?x32x4xf32>, %x: tensor<?x?x384xf32>, %m: tensor<?x?xi1>) -> tensor<?x32x4x384xf32> {
  %s = softmoe.dispatch %l, %x mask(%m : tensor<?x?xi1>) : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
  return %s : tensor<?x32x4x384xf32>
}

// CHECK-LABEL: func.func @combine_mask(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %arg0, %arg1 mask(%arg2 : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "combine_mask"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x32x4xf32>, %[[ARG1:[a-z0-9]+]]: tensor<8x32x4x384xf32>, %[[ARG2:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[ARG0]], %[[ARG1]], %[[ARG2]]) : (tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>, tensor<8x196xi1>) -> tensor<8x196x384xf32>
func.func @combine_mask(%l: tensor<8x196x32x4xf32>, %o: tensor<8x32x4x384xf32>, %m: tensor<8x196xi1>) -> tensor<8x196x384xf32> {
  %y = softmoe.combine %l, %o mask(%m : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @expert_apply_gelu_tanh(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_gelu_tanh"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x32x4x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_tanh>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
func.func @expert_apply_gelu_tanh(%s: tensor<8x32x4x384xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x32x4x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<gelu_tanh> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %o : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @expert_apply_gelu_erf(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 activation<gelu_erf> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_gelu_erf"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x32x4x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<gelu_erf>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
func.func @expert_apply_gelu_erf(%s: tensor<8x32x4x384xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x32x4x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<gelu_erf> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %o : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @expert_apply_relu(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 activation<relu> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_relu"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x32x4x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<relu>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
func.func @expert_apply_relu(%s: tensor<8x32x4x384xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x32x4x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<relu> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %o : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @expert_apply_silu(
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 activation<silu> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[O]] : tensor<8x32x4x384xf32>
// GENERIC-LABEL: sym_name = "expert_apply_silu"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x32x4x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]]) <{activation = #softmoe.activation<silu>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
func.func @expert_apply_silu(%s: tensor<8x32x4x384xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x32x4x384xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<silu> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %o : tensor<8x32x4x384xf32>
}

// CHECK-LABEL: func.func @layer_gelu_tanh(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_gelu_tanh"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x196x384xf32>
func.func @layer_gelu_tanh(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_tanh> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_gelu_erf(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<gelu_erf> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_gelu_erf"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<gelu_erf>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x196x384xf32>
func.func @layer_gelu_erf(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_relu(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<relu> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_relu"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<relu>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x196x384xf32>
func.func @layer_relu(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<relu> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_silu(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<silu> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_silu"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<silu>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x196x384xf32>
func.func @layer_silu(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<silu> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_normalize(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) normalize : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_normalize"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>, %[[ARG6:[a-z0-9]+]]: tensor<f32>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>, tensor<f32>) -> tensor<8x196x384xf32>
func.func @layer_normalize(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>, %sc: tensor<f32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) normalize : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_mask(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 mask(%arg6 : tensor<8x196xi1>) : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_mask"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>, %[[ARG6:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]]) <{activation = #softmoe.activation<gelu_tanh>, epsilon = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 1>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>, tensor<8x196xi1>) -> tensor<8x196x384xf32>
func.func @layer_mask(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>, %m: tensor<8x196xi1>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<8x196xi1>) : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// Every optional operand and attribute at once.
// CHECK-LABEL: func.func @layer_everything(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) mask(%arg7 : tensor<8x196xi1>) normalize epsilon(1.000000e-03) activation<gelu_erf> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "layer_everything"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>, %[[ARG6:[a-z0-9]+]]: tensor<f32>, %[[ARG7:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]], %[[ARG7]]) <{activation = #softmoe.activation<gelu_erf>, epsilon = 1.000000e-03 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>, tensor<f32>, tensor<8x196xi1>) -> tensor<8x196x384xf32>
func.func @layer_everything(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>, %sc: tensor<f32>, %m: tensor<8x196xi1>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) mask(%m : tensor<8x196xi1>) normalize epsilon(1.0e-3) activation<gelu_erf> : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// CHECK-LABEL: func.func @layer_everything_dyn(
// CHECK-NEXT:    %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) mask(%arg7 : tensor<?x?xi1>) normalize epsilon(9.99999974E-6) activation<silu> : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xf32>
// GENERIC-LABEL: sym_name = "layer_everything_dyn"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>, %[[ARG6:[a-z0-9]+]]: tensor<f32>, %[[ARG7:[a-z0-9]+]]: tensor<?x?xi1>):
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.layer"(%[[ARG0]], %[[ARG1]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]], %[[ARG6]], %[[ARG7]]) <{activation = #softmoe.activation<silu>, epsilon = 9.99999974E-6 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}> : (tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>, tensor<f32>, tensor<?x?xi1>) -> tensor<?x?x384xf32>
func.func @layer_everything_dyn(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>, %sc: tensor<f32>, %m: tensor<?x?xi1>) -> tensor<?x?x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) mask(%m : tensor<?x?xi1>) normalize epsilon(1.0e-5) activation<silu> : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<?x?x384xf32>
}

// The stages with every option, as softmoe-decompose writes them.
// CHECK-LABEL: func.func @stages_everything(
// CHECK-NEXT:    %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg6 : tensor<f32>) normalize epsilon(9.99999974E-6) : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 mask(%arg7 : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
// CHECK-NEXT:    %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 activation<relu> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] mask(%arg7 : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "stages_everything"
// GENERIC-NEXT:  ^bb0(%[[ARG0:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[ARG1:[a-z0-9]+]]: tensor<384x32x4xf32>, %[[ARG2:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[ARG3:[a-z0-9]+]]: tensor<32x1536xf32>, %[[ARG4:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[ARG5:[a-z0-9]+]]: tensor<32x384xf32>, %[[ARG6:[a-z0-9]+]]: tensor<f32>, %[[ARG7:[a-z0-9]+]]: tensor<8x196xi1>):
// GENERIC-NEXT:    %[[L:.*]] = "softmoe.router"(%[[ARG0]], %[[ARG1]], %[[ARG6]]) <{epsilon = 9.99999974E-6 : f32, normalize}> : (tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<f32>) -> tensor<8x196x32x4xf32>
// GENERIC-NEXT:    %[[S:.*]] = "softmoe.dispatch"(%[[L]], %[[ARG0]], %[[ARG7]]) : (tensor<8x196x32x4xf32>, tensor<8x196x384xf32>, tensor<8x196xi1>) -> tensor<8x32x4x384xf32>
// GENERIC-NEXT:    %[[O:.*]] = "softmoe.expert_apply"(%[[S]], %[[ARG2]], %[[ARG3]], %[[ARG4]], %[[ARG5]]) <{activation = #softmoe.activation<relu>}> : (tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>) -> tensor<8x32x4x384xf32>
// GENERIC-NEXT:    %[[Y:.*]] = "softmoe.combine"(%[[L]], %[[O]], %[[ARG7]]) : (tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>, tensor<8x196xi1>) -> tensor<8x196x384xf32>
func.func @stages_everything(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>, %sc: tensor<f32>, %m: tensor<8x196xi1>) -> tensor<8x196x384xf32> {
  %l = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(1.0e-5) : tensor<8x196x384xf32>, tensor<384x32x4xf32>
  %s = softmoe.dispatch %l, %x mask(%m : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<relu> : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
  %y = softmoe.combine %l, %o mask(%m : tensor<8x196xi1>) : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
  return %y : tensor<8x196x384xf32>
}
