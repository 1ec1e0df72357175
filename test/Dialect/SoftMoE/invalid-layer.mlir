// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// One split per verifier error path of softmoe.layer (ShapeBinder::bind and checkNormalize in
// lib/Dialect/SoftMoE/IR/SoftMoEOps.cpp), in the custom form, where the parser
// runs type inference. Tiny shapes: B=2 M=16 D=32 N=4 P=2 H=64.
// invalid-generic.mlir has the same checks through the verifier (generic form).

// Ranks.
func.func @layer(%x: tensor<32x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{x must have rank 3 (B, M, D), but has rank 2}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<32x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x8xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{phi must have rank 3 (D, N, P), but has rank 2}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x8xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64x1xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 must have rank 3 (N, D, H), but has rank 4}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64x1xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<256xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 must have rank 2 (N, H), but has rank 1}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<256xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 must have rank 3 (N, H, D), but has rank 2}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<128xf32>) {
  // expected-error @+1 {{b2 must have rank 2 (N, D), but has rank 1}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<128xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<1x1xf32>) {
  // expected-error @+1 {{scale must be a rank-0 tensor, but has rank 2}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<1x1xf32>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %m: tensor<32xi1>) {
  // expected-error @+1 {{mask must have rank 2 (B, M), but has rank 1}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<32xi1>) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// Element types.
func.func @layer(%x: tensor<2x16x32xi32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{x element type must be f32, bf16 or f16, but is i32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xi32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xbf16>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{phi element type bf16 differs from x element type f32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xbf16>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf16>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 element type f16 differs from x element type f32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf16>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xbf16>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 element type bf16 differs from x element type f32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xbf16>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf16>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 element type f16 differs from x element type f32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf16>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf64>) {
  // expected-error @+1 {{b2 element type must be f32, bf16 or f16, but is f64}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf64>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<bf16>) {
  // expected-error @+1 {{scale element type bf16 differs from x element type f32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<bf16>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %m: tensor<2x16xi32>) {
  // expected-error @+1 {{mask element type must be i1, but is i32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<2x16xi32>) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// D: every operand with D against x.
func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<31x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{phi dim 0 (D) is 31 but x dim 2 (D) is 32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<31x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x100x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 1 (D) is 100 but x dim 2 (D) is 32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x100x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x100xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 2 (D) is 100 but x dim 2 (D) is 32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x100xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x100xf32>) {
  // expected-error @+1 {{b2 dim 1 (D) is 100 but x dim 2 (D) is 32}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x100xf32>
  return
}

// -----

// With a dynamic D in x, phi is the reference.
func.func @layer(%x: tensor<2x16x?xf32>, %phi: tensor<96x4x2xf32>, %w1: tensor<4x100x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 1 (D) is 100 but phi dim 0 (D) is 96}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x?xf32>, tensor<96x4x2xf32>, tensor<4x100x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// N: every weight against phi.
func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<5x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w1 dim 0 (N) is 5 but phi dim 1 (N) is 4}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<5x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<5x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 dim 0 (N) is 5 but phi dim 1 (N) is 4}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<5x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<5x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 0 (N) is 5 but phi dim 1 (N) is 4}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<5x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<5x32xf32>) {
  // expected-error @+1 {{b2 dim 0 (N) is 5 but phi dim 1 (N) is 4}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<5x32xf32>
  return
}

// -----

// H.
func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x63xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{b1 dim 1 (H) is 63 but w1 dim 2 (H) is 64}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x63xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x63x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{w2 dim 1 (H) is 63 but w1 dim 2 (H) is 64}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x63x32xf32>, tensor<4x32xf32>
  return
}

// -----

// B and M: the mask against x (P appears once).
func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %m: tensor<3x16xi1>) {
  // expected-error @+1 {{mask dim 0 (B) is 3 but x dim 0 (B) is 2}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<3x16xi1>) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %m: tensor<2x17xi1>) {
  // expected-error @+1 {{mask dim 1 (M) is 17 but x dim 1 (M) is 16}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<2x17xi1>) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

// normalize, scale and epsilon.
func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{normalize is set but no scale operand is given}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{a scale operand is given but normalize is not set}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<f32>, %m: tensor<2x16xi1>) {
  // expected-error @+1 {{a scale operand is given but normalize is not set}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) mask(%m : tensor<2x16xi1>) epsilon(1.0e-5) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, but is 0}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) normalize epsilon(0.0) : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<f32>, %m: tensor<2x16xi1>) {
  // expected-error @+1 {{epsilon must be positive, but is -0.5}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) mask(%m : tensor<2x16xi1>) normalize epsilon(-0.5) activation<relu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, but is -1}}
  %r = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) {epsilon = -1.0 : f32, normalize} : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}
