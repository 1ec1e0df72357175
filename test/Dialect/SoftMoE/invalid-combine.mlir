// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// One split per verifier error path of softmoe.combine (ShapeBinder::bind in
// lib/Dialect/SoftMoE/IR/SoftMoEOps.cpp), in the custom form, where the parser
// runs type inference. Tiny shapes: B=2 M=16 D=32 N=4 P=2 H=64.
// invalid-generic.mlir has the same checks through the verifier (generic form).

// Ranks.
func.func @combine(%l: tensor<2x16x4x2x1xf32>, %o: tensor<2x4x2x32xf32>) {
  // expected-error @+1 {{logits must have rank 4 (B, M, N, P), but has rank 5}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2x1xf32>, tensor<2x4x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x8x32xf32>) {
  // expected-error @+1 {{expert_out must have rank 4 (B, N, P, D), but has rank 3}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x8x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>, %m: tensor<2x16x1xi1>) {
  // expected-error @+1 {{mask must have rank 2 (B, M), but has rank 3}}
  %r = softmoe.combine %l, %o mask(%m : tensor<2x16x1xi1>) : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return
}

// -----

// Element types.
func.func @combine(%l: tensor<2x16x4x2xf16>, %o: tensor<2x4x2x32xf32>) {
  // expected-error @+1 {{logits element type must be f32, but is f16}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2xf16>, tensor<2x4x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xi32>) {
  // expected-error @+1 {{expert_out element type must be f32, bf16 or f16, but is i32}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x4x2x32xi32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>, %m: tensor<2x16xf32>) {
  // expected-error @+1 {{mask element type must be i1, but is f32}}
  %r = softmoe.combine %l, %o mask(%m : tensor<2x16xf32>) : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return
}

// -----

// B, N and P between logits and expert_out; B and M with the mask.
func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<3x4x2x32xf32>) {
  // expected-error @+1 {{expert_out dim 0 (B) is 3 but logits dim 0 (B) is 2}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<3x4x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x5x2x32xf32>) {
  // expected-error @+1 {{expert_out dim 1 (N) is 5 but logits dim 2 (N) is 4}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x5x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x3x32xf32>) {
  // expected-error @+1 {{expert_out dim 2 (P) is 3 but logits dim 3 (P) is 2}}
  %r = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x4x3x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>, %m: tensor<3x16xi1>) {
  // expected-error @+1 {{mask dim 0 (B) is 3 but logits dim 0 (B) is 2}}
  %r = softmoe.combine %l, %o mask(%m : tensor<3x16xi1>) : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>, %m: tensor<2x17xi1>) {
  // expected-error @+1 {{mask dim 1 (M) is 17 but logits dim 1 (M) is 16}}
  %r = softmoe.combine %l, %o mask(%m : tensor<2x17xi1>) : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<?x16x4x2xf32>, %o: tensor<2x4x2x32xf32>, %m: tensor<3x16xi1>) {
  // expected-error @+1 {{mask dim 0 (B) is 3 but expert_out dim 0 (B) is 2}}
  %r = softmoe.combine %l, %o mask(%m : tensor<3x16xi1>) : tensor<?x16x4x2xf32>, tensor<2x4x2x32xf32>
  return
}
