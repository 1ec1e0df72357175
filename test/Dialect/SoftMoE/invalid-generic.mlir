// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// The generic form reaches the verifier instead of the parser's type inference:
// a declared result type that is not exactly the inferred one, the operand rules
// of invalid-<op>.mlir through the verifier (which adds "failed to infer returned
// types"), and the ODS-level checks (ranked operands, operand counts, attribute
// kinds). Tiny shapes: B=2 M=16 D=32 N=4 P=2 H=64.

// Declared result types: a wrong size.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+2 {{'softmoe.router' op inferred type(s) 'tensor<2x16x4x2xf32>' are incompatible with return type(s) of operation 'tensor<2x16x4x3xf32>'}}
  // expected-error @+1 {{'softmoe.router' op failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x3xf32>
  return
}

// -----

// Router logits are f32 whatever the data type.
func.func @router(%x: tensor<2x16x32xbf16>, %phi: tensor<32x4x2xbf16>) {
  // expected-error @+2 {{'softmoe.router' op inferred type(s) 'tensor<2x16x4x2xf32>' are incompatible with return type(s) of operation 'tensor<2x16x4x2xbf16>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) : (tensor<2x16x32xbf16>, tensor<32x4x2xbf16>) -> tensor<2x16x4x2xbf16>
  return
}

// -----

// A wrong rank.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+2 {{'softmoe.router' op inferred type(s) 'tensor<2x16x4x2xf32>' are incompatible with return type(s) of operation 'tensor<2x16x8xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x8xf32>
  return
}

// -----

// A less static type is rejected too: the custom form does not print result
// types, so it would come back static after a round trip.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+2 {{'softmoe.router' op inferred type(s) 'tensor<2x16x4x2xf32>' are incompatible with return type(s) of operation 'tensor<?x?x?x?xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// ... and so is a more static one.
func.func @router(%x: tensor<?x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+2 {{'softmoe.router' op inferred type(s) 'tensor<?x16x4x2xf32>' are incompatible with return type(s) of operation 'tensor<2x16x4x2xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) : (tensor<?x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf16>) {
  // expected-error @+2 {{'softmoe.dispatch' op inferred type(s) 'tensor<2x4x2x32xf16>' are incompatible with return type(s) of operation 'tensor<2x4x2x32xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.dispatch"(%l, %x) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf16>) -> tensor<2x4x2x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+2 {{'softmoe.expert_apply' op inferred type(s) 'tensor<2x4x2x32xf32>' are incompatible with return type(s) of operation 'tensor<2x4x2x64xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2) : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x64xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>) {
  // expected-error @+2 {{'softmoe.combine' op inferred type(s) 'tensor<2x16x32xf32>' are incompatible with return type(s) of operation 'tensor<2x4x32xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.combine"(%l, %o) : (tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) -> tensor<2x4x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+2 {{'softmoe.layer' op inferred type(s) 'tensor<?x?x32xf32>' are incompatible with return type(s) of operation 'tensor<?x?x?xf32>'}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}> : (tensor<?x?x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<?x?x?xf32>
  return
}

// -----

// Operand rules through the verifier: one per op.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<30x4x2xf32>) {
  // expected-error @+2 {{phi dim 0 (D) is 30 but x dim 2 (D) is 32}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<30x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x16xi8>) {
  // expected-error @+2 {{mask element type must be i1, but is i8}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.dispatch"(%l, %x, %m) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf32>, tensor<2x16xi8>) -> tensor<2x4x2x32xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x65x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+2 {{w2 dim 1 (H) is 65 but w1 dim 2 (H) is 64}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2) : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x65x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xbf16>, %o: tensor<2x4x2x32xbf16>) {
  // expected-error @+2 {{logits element type must be f32, but is bf16}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.combine"(%l, %o) : (tensor<2x16x4x2xbf16>, tensor<2x4x2x32xbf16>) -> tensor<2x16x32xbf16>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<1xf32>) {
  // expected-error @+2 {{scale must be a rank-0 tensor, but has rank 1}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2, %sc) <{normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0>}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>, tensor<1xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

// normalize, scale and epsilon in the properties.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+2 {{normalize is set but no scale operand is given}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi) <{normalize}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+2 {{a scale operand is given but normalize is not set}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.router"(%x, %phi, %sc) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<f32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %sc: tensor<f32>) {
  // expected-error @+2 {{epsilon must be positive, but is -1e-06}}
  // expected-error @+1 {{failed to infer returned types}}
  %r = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2, %sc) <{epsilon = -1.0e-6 : f32, normalize, operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0>}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>, tensor<f32>) -> tensor<2x16x32xf32>
  return
}

// -----

// ODS: ranked tensors only; the constraint's summary says the whole rule.
func.func @router(%x: tensor<*xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{'softmoe.router' op operand #0 must be ranked [B, M, D] tensor of the data type (f32, bf16 or f16), but got 'tensor<*xf32>'}}
  %r = "softmoe.router"(%x, %phi) : (tensor<*xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @combine(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>, %m: memref<2x16xi1>) {
  // expected-error @+1 {{'softmoe.combine' op operand #2 must be ranked [B, M] tensor of i1, but got 'memref<2x16xi1>'}}
  %r = "softmoe.combine"(%l, %o, %m) : (tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>, memref<2x16xi1>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'softmoe.dispatch' op result #0 must be ranked [B, N, P, D] tensor of the data type (f32, bf16 or f16), but got 'tensor<*xf32>'}}
  %r = "softmoe.dispatch"(%l, %x) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) -> tensor<*xf32>
  return
}

// -----

// ODS: operand counts.
func.func @router(%x: tensor<2x16x32xf32>) {
  // expected-error @+1 {{'softmoe.router' op expected 2 or more operands, but found 1}}
  %r = "softmoe.router"(%x) : (tensor<2x16x32xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @dispatch(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x16xi1>) {
  // expected-error @+1 {{'softmoe.dispatch' op operand group starting at #2 requires 0 or 1 element, but found 2}}
  %r = "softmoe.dispatch"(%l, %x, %m, %m) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf32>, tensor<2x16xi1>, tensor<2x16xi1>) -> tensor<2x4x2x32xf32>
  return
}

// -----

func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{'softmoe.layer' op operand count (6) does not match with the total size (7) specified in attribute 'operandSegmentSizes'}}
  %r = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 0>}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

// ODS: attribute kinds, in the properties and in the attribute dictionary.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{Invalid attribute `epsilon` in property conversion: 1 : i32}}
  %r = "softmoe.router"(%x, %phi) <{epsilon = 1 : i32}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{'softmoe.router' op attribute 'epsilon' failed to satisfy constraint: 32-bit float attribute}}
  %r = "softmoe.router"(%x, %phi) {epsilon = 1.0 : f64} : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @expert_apply(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // expected-error @+1 {{Invalid attribute `activation` in property conversion: "relu"}}
  %r = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2) <{activation = "relu"}> : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{Invalid attribute `normalize` in property conversion: true}}
  %r = "softmoe.router"(%x, %phi, %sc) <{normalize = true}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<f32>) -> tensor<2x16x4x2xf32>
  return
}
