// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// One split per verifier error path of softmoe.expert_apply (ShapeBinder::bind in
// lib/Dialect/SoftMoE/IR/SoftMoEOps.cpp), in the custom form, where the parser
// runs type inference. Tiny shapes: B=2 M=16 D=32 N=4 P=2 H=64.
// invalid-generic.mlir has the same checks through the verifier (generic form).

// Ranks.
func.func @expert_apply(%s: tensor<2x8x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{slots must have rank 4 (B, N, P, D), but has rank 3}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x8x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 must have rank 3 (N, D, H), but has rank 2}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 must have rank 2 (N, H), but has rank 1}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 must have rank 3 (N, H, D), but has rank 2}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x1x32xf32>) {
  // expected-error @+1 {{b2 must have rank 2 (N, D), but has rank 3}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x1x32xf32>
  return
}

// -----

// Element types: one data type for all five operands.
func.func @expert_apply(%s: tensor<2x4x2x32xf64>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{slots element type must be f32, bf16 or f16, but is f64}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf64>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xi8>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 element type must be f32, bf16 or f16, but is i8}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xi8>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xbf16>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 element type bf16 differs from slots element type f32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xbf16>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf16>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 element type f16 differs from slots element type f32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf16>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xbf16>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 element type bf16 differs from slots element type f32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xbf16>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf16>) {
  // expected-error @+1 {{b2 element type f16 differs from slots element type f32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf16>
  return
}

// -----

// N: every weight against slots.
func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<5x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 0 (N) is 5 but slots dim 1 (N) is 4}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<5x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<5x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 dim 0 (N) is 5 but slots dim 1 (N) is 4}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<5x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<5x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 0 (N) is 5 but slots dim 1 (N) is 4}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<5x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<5x32xf32>) {
  // expected-error @+1 {{b2 dim 0 (N) is 5 but slots dim 1 (N) is 4}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<5x32xf32>
  return
}

// -----

// D.
func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x100x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 1 (D) is 100 but slots dim 3 (D) is 32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x100x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x100xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 2 (D) is 100 but slots dim 3 (D) is 32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x100xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x100xf32>) {
  // expected-error @+1 {{b2 dim 1 (D) is 100 but slots dim 3 (D) is 32}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x100xf32>
  return
}

// -----

// H.
func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x65xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 dim 1 (H) is 65 but w1 dim 2 (H) is 64}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x65xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x65x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 1 (H) is 65 but w1 dim 2 (H) is 64}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x65x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x?xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x65x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 1 (H) is 65 but b1 dim 1 (H) is 64}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x2x32xf32>, tensor<4x32x?xf32>, tensor<4x64xf32>, tensor<4x65x32xf32>, tensor<4x32xf32>
  return
}

// -----

// Unknown activation.
func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+2 {{failed to parse SoftMoE_ActivationAttr parameter}}
  // expected-error @+1 {{expected ::mlir::softmoe::Activation to be one of: gelu_tanh, gelu_erf, relu, silu, geglu, swiglu}}
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<gelu> : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}
