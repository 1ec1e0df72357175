// RUN: softmoe-opt %s -split-input-file -verify-diagnostics
//
// One split per verifier error path of softmoe.router (ShapeBinder::bind and checkNormalize in
// lib/Dialect/SoftMoE/IR/SoftMoEOps.cpp), in the custom form, where the parser
// runs type inference. Tiny shapes: B=2 M=16 D=32 N=4 P=2 H=64.
// invalid-generic.mlir has the same checks through the verifier (generic form).

// Ranks.
func.func @router(%x: tensor<16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{x must have rank 3 (B, M, D), but has rank 2}}
  %r = softmoe.router %x, %phi : tensor<16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2x1xf32>) {
  // expected-error @+1 {{phi must have rank 3 (D, N, P), but has rank 4}}
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2x1xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<1xf32>) {
  // expected-error @+1 {{scale must be a rank-0 tensor, but has rank 1}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<1xf32>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

// Element types.
func.func @router(%x: tensor<2x16x32xf64>, %phi: tensor<32x4x2xf64>) {
  // expected-error @+1 {{x element type must be f32, bf16 or f16, but is f64}}
  %r = softmoe.router %x, %phi : tensor<2x16x32xf64>, tensor<32x4x2xf64>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xi32>) {
  // expected-error @+1 {{phi element type must be f32, bf16 or f16, but is i32}}
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xi32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xbf16>) {
  // expected-error @+1 {{phi element type bf16 differs from x element type f32}}
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xbf16>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f16>) {
  // expected-error @+1 {{scale element type f16 differs from x element type f32}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<f16>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

// D is the only letter two operands share.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<30x4x2xf32>) {
  // expected-error @+1 {{phi dim 0 (D) is 30 but x dim 2 (D) is 32}}
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<30x4x2xf32>
  return
}

// -----

// Dynamic sizes elsewhere do not hide a static mismatch.
func.func @router(%x: tensor<?x?x32xf32>, %phi: tensor<30x?x?xf32>) {
  // expected-error @+1 {{phi dim 0 (D) is 30 but x dim 2 (D) is 32}}
  %r = softmoe.router %x, %phi : tensor<?x?x32xf32>, tensor<30x?x?xf32>
  return
}

// -----

// normalize and scale go together.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{normalize is set but no scale operand is given}}
  %r = softmoe.router %x, %phi normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{a scale operand is given but normalize is not set}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<f32>) : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

// The same rules when the attributes are written in the attribute dictionary.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{normalize is set but no scale operand is given}}
  %r = softmoe.router %x, %phi {normalize} : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, but is 0}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<f32>) {epsilon = 0.0 : f32, normalize} : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

// epsilon must be positive.
func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, but is 0}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(0.0) : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, but is -1e-06}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(-1.0e-6) : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // expected-error @+1 {{epsilon must be positive, but is nan}}
  %r = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(0x7FC00000) : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

// Non-ranked operands: the parser rejects them before inference.
func.func @router(%x: tensor<*xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{invalid kind of type specified: expected builtin.tensor, but found 'tensor<*xf32>'}}
  %r = softmoe.router %x, %phi : tensor<*xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @router(%x: tensor<2x16x32xf32>, %phi: memref<32x4x2xf32>) {
  // expected-error @+1 {{invalid kind of type specified: expected builtin.tensor, but found 'memref<32x4x2xf32>'}}
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, memref<32x4x2xf32>
  return
}
