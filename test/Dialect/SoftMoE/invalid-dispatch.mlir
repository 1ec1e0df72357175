// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// One split per verifier error path of softmoe.dispatch (ShapeBinder::bind in
// lib/Dialect/SoftMoE/IR/SoftMoEOps.cpp), in the custom form, where the parser
// runs type inference. Tiny shapes: B=2 M=16 D=32 N=4 P=2 H=64.
// invalid-generic.mlir has the same checks through the verifier (generic form).

// Ranks.
func.func @dispatch(%l: tensor<2x16x8xf32>, %x: tensor<2x16x32xf32>) {
  // expected-error @+1 {{logits must have rank 4 (B, M, N, P), but has rank 3}}
  %r = softmoe.dispatch %l, %x : tensor<2x16x8xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32x1xf32>) {
  // expected-error @+1 {{x must have rank 3 (B, M, D), but has rank 4}}
  %r = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32x1xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<16xi1>) {
  // expected-error @+1 {{mask must have rank 2 (B, M), but has rank 1}}
  %r = softmoe.dispatch %l, %x mask(%m : tensor<16xi1>) : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return
}

// -----

// Element types: logits are always f32, the mask i1.
func.func @dispatch(%l: tensor<2x16x4x2xbf16>, %x: tensor<2x16x32xbf16>) {
  // expected-error @+1 {{logits element type must be f32, but is bf16}}
  %r = softmoe.dispatch %l, %x : tensor<2x16x4x2xbf16>, tensor<2x16x32xbf16>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf64>) {
  // expected-error @+1 {{x element type must be f32, bf16 or f16, but is f64}}
  %r = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf64>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x16xi8>) {
  // expected-error @+1 {{mask element type must be i1, but is i8}}
  %r = softmoe.dispatch %l, %x mask(%m : tensor<2x16xi8>) : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return
}

// -----

// B and M are shared; D, N and P appear once.
func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<3x16x32xf32>) {
  // expected-error @+1 {{x dim 0 (B) is 3 but logits dim 0 (B) is 2}}
  %r = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<3x16x32xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x17x32xf32>) {
  // expected-error @+1 {{x dim 1 (M) is 17 but logits dim 1 (M) is 16}}
  %r = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x17x32xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<3x16xi1>) {
  // expected-error @+1 {{mask dim 0 (B) is 3 but logits dim 0 (B) is 2}}
  %r = softmoe.dispatch %l, %x mask(%m : tensor<3x16xi1>) : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x15xi1>) {
  // expected-error @+1 {{mask dim 1 (M) is 15 but logits dim 1 (M) is 16}}
  %r = softmoe.dispatch %l, %x mask(%m : tensor<2x15xi1>) : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return
}

// -----

// With dynamic logits the first static size is the reference.
func.func @dispatch(%l: tensor<?x?x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x15xi1>) {
  // expected-error @+1 {{mask dim 1 (M) is 15 but x dim 1 (M) is 16}}
  %r = softmoe.dispatch %l, %x mask(%m : tensor<2x15xi1>) : tensor<?x?x4x2xf32>, tensor<2x16x32xf32>
  return
}
