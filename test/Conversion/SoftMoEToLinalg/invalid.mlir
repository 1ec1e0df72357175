// RUN: softmoe-opt %s --split-input-file --mlir-very-unsafe-disable-verifier-on-parsing --convert-softmoe-to-linalg --verify-diagnostics

// IR that skipped the verifier (built in C++, or parsed unverified as here)
// must fail the pass with a diagnostic at the op, never crash in a pattern.

func.func @unranked(%x: tensor<*xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: x must be a ranked tensor, but is 'tensor<*xf32>'}}
  %l = "softmoe.router"(%x, %phi) : (tensor<*xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @f64_data(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf64>) -> tensor<2x4x2x32xf64> {
  // expected-error @+1 {{'softmoe.dispatch' op cannot be lowered to linalg: x has unsupported element type 'f64' (expected f32, bf16 or f16)}}
  %s = "softmoe.dispatch"(%l, %x) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf64>) -> tensor<2x4x2x32xf64>
  return %s : tensor<2x4x2x32xf64>
}

// -----

func.func @bf16_logits(%l: tensor<2x16x4x2xbf16>, %o: tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'softmoe.combine' op cannot be lowered to linalg: logits has unsupported element type 'bf16' (expected f32)}}
  %y = "softmoe.combine"(%l, %o) : (tensor<2x16x4x2xbf16>, tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @i32_mask(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x16xi32>) -> tensor<2x4x2x32xf32> {
  // expected-error @+1 {{'softmoe.dispatch' op cannot be lowered to linalg: mask has unsupported element type 'i32' (expected i1)}}
  %s = "softmoe.dispatch"(%l, %x, %m) : (tensor<2x16x4x2xf32>, tensor<2x16x32xf32>, tensor<2x16xi32>) -> tensor<2x4x2x32xf32>
  return %s : tensor<2x4x2x32xf32>
}

// -----

func.func @rank(%s: tensor<2x4x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  // expected-error @+1 {{'softmoe.expert_apply' op cannot be lowered to linalg: slots must have rank 4, but has rank 3}}
  %o = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2)
      : (tensor<2x4x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// -----

func.func @size_mismatch(%x: tensor<2x16x32xf32>, %phi: tensor<16x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+2 {{phi dim 0 (D) is 16 but x dim 2 (D) is 32}}
  // expected-error @+1 {{'softmoe.router' op failed to infer returned types}}
  %l = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<16x4x2xf32>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @unranked_result(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: result must be a ranked tensor of f32, bf16 or f16, but is 'tensor<*xf32>'}}
  %l = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<*xf32>
  return %l : tensor<*xf32>
}

// -----

func.func @normalize_without_scale(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: normalize and the scale operand must come together}}
  %l = "softmoe.router"(%x, %phi) <{normalize}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @layer_f64(%x: tensor<2x16x32xf64>, %phi: tensor<32x4x2xf64>, %w1: tensor<4x32x64xf64>, %b1: tensor<4x64xf64>,
                     %w2: tensor<4x64x32xf64>, %b2: tensor<4x32xf64>) -> tensor<2x16x32xf64> {
  // expected-error @+1 {{'softmoe.layer' op cannot be lowered to linalg: x has unsupported element type 'f64'}}
  %y = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}>
      : (tensor<2x16x32xf64>, tensor<32x4x2xf64>, tensor<4x32x64xf64>, tensor<4x64xf64>, tensor<4x64x32xf64>, tensor<4x32xf64>) -> tensor<2x16x32xf64>
  return %y : tensor<2x16x32xf64>
}
