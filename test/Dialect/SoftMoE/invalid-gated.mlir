// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// Gated activations (geglu, swiglu): w1 is [N, D, 2H] and b1 [N, 2H], split
// into the halves a and g of slots @ w1 + b1; w2 stays [N, H, D]. The
// verifier names the first layer's width 2H (checkGatedWidth in
// lib/Dialect/SoftMoE/IR/SoftMoEOps.cpp). Tiny shapes: B=2 D=32 N=4 P=2
// H=64, 2H=128.

// An odd width cannot be split into two halves.
func.func @odd(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x127xf32>, %b1: tensor<4x127xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 2 (2H) is 127, but a gated activation (geglu) splits it into two halves of H: it must be even}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<geglu> : tensor<2x4x2x32xf32>, tensor<4x32x127xf32>, tensor<4x127xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// Odd even when H is not known.
func.func @odd_dynamic_h(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x9xf32>, %b1: tensor<4x?xf32>, %w2: tensor<4x?x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 2 (2H) is 9, but a gated activation (swiglu) splits it into two halves of H: it must be even}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<swiglu> : tensor<2x4x2x32xf32>, tensor<4x32x9xf32>, tensor<4x?xf32>, tensor<4x?x32xf32>, tensor<4x32xf32>
  return
}

// -----

// b1 must be as wide as w1.
func.func @b1_width(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 dim 1 (2H) is 64 but w1 dim 2 (2H) is 128}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<geglu> : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// w2's H must be half of w1's width.
func.func @w2_h(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x128x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 2 (2H) is 128 but w2 dim 1 (H) is 128 (swiglu: w1 and b1 hold 2H = 256 columns)}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<swiglu> : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x128x32xf32>, tensor<4x32xf32>
  return
}

// -----

// Plain-width weights with a gated activation.
func.func @plain_weights(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 2 (2H) is 64 but w2 dim 1 (H) is 64 (geglu: w1 and b1 hold 2H = 128 columns)}}
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<geglu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// Gated weights with a plain activation: H disagrees.
func.func @gated_weights(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 1 (H) is 64 but w1 dim 2 (H) is 128}}
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// Ranks name the width 2H.
func.func @rank(%s: tensor<2x4x2x32xf32>, %w1: tensor<32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 must have rank 3 (N, D, 2H), but has rank 2}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<geglu> : tensor<2x4x2x32xf32>, tensor<32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// The same checks in the generic form, with the activation in the attribute
// dictionary.
func.func @generic(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x128x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+2 {{w1 dim 2 (2H) is 128 but w2 dim 1 (H) is 128 (geglu: w1 and b1 hold 2H = 256 columns)}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2) {activation = #softmoe.activation<geglu>} : (tensor<2x4x2x32xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x128x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
  return
}
