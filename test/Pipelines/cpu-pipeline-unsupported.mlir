// RUN: softmoe-opt %s --split-input-file --allow-unregistered-dialect --mlir-very-unsafe-disable-verifier-on-parsing --softmoe-cpu-pipeline --verify-diagnostics

// What softmoe-cpu-pipeline cannot compile is an error at the op that stops
// it, never a crash and never a module that only looks lowered: ops of
// dialects the pipeline does not lower, functions in nested modules (which
// mlir-translate would silently drop), tensors with encodings, layers that
// skipped the verifier, and static sizes beyond i64.

func.func @tosa_after_layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  // expected-error @+1 {{op was not bufferized}}
  %z = tosa.add %y, %x : (tensor<2x16x32xf32>, tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %z : tensor<2x16x32xf32>
}

// -----

func.func @unregistered_producer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{op was not bufferized}}
  %x2 = "foo.bar"(%x) : (tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = softmoe.layer %x2, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

// An op that needs no bufferization and that no conversion of the pipeline
// handles reaches the end untouched: the final check reports it.
func.func @complex_left(%a: f32, %b: f32) -> f32 {
  // expected-error @+1 {{'complex.create' op is not in the LLVM dialect after lowering: the pipeline has no conversion for it here}}
  %c = complex.create %a, %b : complex<f32>
  // expected-error @+1 {{'complex.abs' op is not in the LLVM dialect after lowering}}
  %r = complex.abs %c : complex<f32>
  return %r : f32
}

// -----

module {
  // expected-error @+1 {{'builtin.module' op is not lowered: the pipeline lowers the functions of the top-level module only}}
  module @inner {
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      return %x : tensor<4xf32>
    }
  }
}

// -----

// expected-error @+1 {{'gpu.module' op is not lowered: the pipeline lowers the functions of the top-level module only}}
gpu.module @kernels {
  func.func @f(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
    %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
    return %y : tensor<2x16x32xf32>
  }
}

// -----

#sparse = #sparse_tensor.encoding<{ map = (d0, d1) -> (d0 : dense, d1 : compressed) }>
func.func @sparse_mask(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %m: tensor<2x16xi1, #sparse>) -> tensor<2x16x32xf32> {
  // expected-error @+2 {{'softmoe.dispatch' op cannot be lowered to linalg: mask has a tensor encoding}}
  // expected-error @+1 {{'softmoe.combine' op cannot be lowered to linalg: mask has a tensor encoding}}
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<2x16xi1, #sparse>)
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @unranked_unverified(%x: tensor<*xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                               %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'softmoe.layer' op operand #0 must be ranked [B, M, D] tensor of the data type (f32, bf16 or f16), but got 'tensor<*xf32>'}}
  %y = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}>
      : (tensor<*xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

// 2^30 groups of 2^30 tokens of width 4: 2^64 bytes of x alone.
func.func @beyond_i64(%x: tensor<1073741824x1073741824x4xf32>, %phi: tensor<4x4x2xf32>, %w1: tensor<4x4x8xf32>, %b1: tensor<4x8xf32>,
                      %w2: tensor<4x8x4xf32>, %b2: tensor<4x4xf32>) -> tensor<1073741824x1073741824x4xf32> {
  // expected-error @+3 {{'softmoe.router' op cannot be lowered to linalg: its BMD tensor would hold more than 2^63 bytes}}
  // expected-error @+2 {{'softmoe.dispatch' op cannot be lowered to linalg: its BMNP tensor would hold more than 2^63 bytes}}
  // expected-error @+1 {{'softmoe.combine' op cannot be lowered to linalg: its BMNP tensor would hold more than 2^63 bytes}}
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<1073741824x1073741824x4xf32>, tensor<4x4x2xf32>, tensor<4x4x8xf32>, tensor<4x8xf32>, tensor<4x8x4xf32>, tensor<4x4xf32>
  return %y : tensor<1073741824x1073741824x4xf32>
}
