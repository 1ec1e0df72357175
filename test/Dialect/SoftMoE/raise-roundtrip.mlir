// RUN: softmoe-opt %s --convert-softmoe-to-linalg | FileCheck %s --check-prefix=LOWERED
// RUN: softmoe-opt %s --convert-softmoe-to-linalg | softmoe-opt --softmoe-raise-from-linalg | FileCheck %s

// What convert-softmoe-to-linalg emits raises back to the ops it came from.
// LOWERED-NOT: softmoe.

// CHECK-LABEL: func.func @gelu_tanh(
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<2x16x32xf32>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @gelu_tanh(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                     %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @gelu_erf(
// CHECK: softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<gelu_erf> : tensor<2x16x32xf32>
func.func @gelu_erf(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                    %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf>
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @relu(
// CHECK: softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<relu> : tensor<2x16x32xf32>
func.func @relu(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<relu>
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @silu(
// CHECK: softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<silu> : tensor<2x16x32xf32>
func.func @silu(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<silu>
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// Dynamic batch and tokens, normalised with a scale and a non-default epsilon.
// CHECK-LABEL: func.func @normalize_dynamic(
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) normalize epsilon(9.99999974E-6) : tensor<?x?x32xf32>
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
func.func @normalize_dynamic(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                             %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>,
                             %s: tensor<f32>) -> tensor<?x?x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) normalize epsilon(1.0e-5)
      : tensor<?x?x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<?x?x32xf32>
}

// Stage ops used apart: the router's logits feed a dispatch and a combine of
// other expert outputs, so they come back as stages around one router.
// CHECK-LABEL: func.func @stages(
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<2x16x32xf32>, tensor<32x4x2xf32>
// CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
// CHECK: %[[Y:.*]] = softmoe.combine %[[L]], %arg2 : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
// CHECK: return %[[S]], %[[Y]]
func.func @stages(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %o: tensor<2x4x2x32xf32>)
    -> (tensor<2x4x2x32xf32>, tensor<2x16x32xf32>) {
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  %s = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  %y = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return %s, %y : tensor<2x4x2x32xf32>, tensor<2x16x32xf32>
}

// A dispatch whose slots go through the experts and a combine: the layer.
// CHECK-LABEL: func.func @stages_to_layer(
// CHECK: softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<relu>
// CHECK-NOT: softmoe.router
func.func @stages_to_layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                           %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  %s = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  %e = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<relu>
      : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  %y = softmoe.combine %l, %e : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return %y : tensor<2x16x32xf32>
}

// Gated experts: w1 and b1 are 2H wide; the lowering's extract_slice halves
// and a * f(g) come back as the activation.
// CHECK-LABEL: func.func @geglu(
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<geglu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]]
func.func @geglu(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>,
                 %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<geglu>
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func.func @swiglu_odd(
// CHECK: softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) normalize activation<swiglu> : tensor<?x13x17xf32>, tensor<17x3x3xf32>, tensor<3x17x42xf32>, tensor<3x42xf32>, tensor<3x21x17xf32>, tensor<3x17xf32>
func.func @swiglu_odd(%x: tensor<?x13x17xf32>, %phi: tensor<17x3x3xf32>, %w1: tensor<3x17x42xf32>,
                      %b1: tensor<3x42xf32>, %w2: tensor<3x21x17xf32>, %b2: tensor<3x17xf32>, %s: tensor<f32>) -> tensor<?x13x17xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) normalize activation<swiglu>
      : tensor<?x13x17xf32>, tensor<17x3x3xf32>, tensor<3x17x42xf32>, tensor<3x42xf32>, tensor<3x21x17xf32>, tensor<3x17xf32>
  return %y : tensor<?x13x17xf32>
}
