// RUN: softmoe-opt %s --split-input-file --mlir-very-unsafe-disable-verifier-on-parsing --softmoe-decompose --verify-diagnostics

// softmoe-decompose on layers that skipped the verifier: the stage ops would
// infer no result type from them (their builders abort), so the pass reports
// each such layer with the verifier's diagnostic and fails, never crashes.

func.func @unranked(%x: tensor<*xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                    %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'softmoe.layer' op operand #0 must be ranked [B, M, D] tensor of the data type (f32, bf16 or f16), but got 'tensor<*xf32>'}}
  %y = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}>
      : (tensor<*xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @size_mismatch(%x: tensor<2x16x32xf32>, %phi: tensor<16x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                         %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+2 {{phi dim 0 (D) is 16 but x dim 2 (D) is 32}}
  // expected-error @+1 {{'softmoe.layer' op failed to infer returned types}}
  %y = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}>
      : (tensor<2x16x32xf32>, tensor<16x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

// No operandSegmentSizes: the accessors would read operands that are not there.
func.func @no_segments(%x: tensor<2x16x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'softmoe.layer' op expected 6 or more operands, but found 1}}
  %y = "softmoe.layer"(%x) : (tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @segments_lie(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                        %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'softmoe.layer' op operand count (6) does not match with the total size (8) specified in attribute 'operandSegmentSizes'}}
  %y = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 1, 1>}>
      : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @declared_f16(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                        %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf16> {
  // expected-error @+2 {{'softmoe.layer' op inferred type(s) 'tensor<2x16x32xf32>' are incompatible with return type(s) of operation 'tensor<2x16x32xf16>'}}
  // expected-error @+1 {{'softmoe.layer' op failed to infer returned types}}
  %y = "softmoe.layer"(%x, %phi, %w1, %b1, %w2, %b2) <{operandSegmentSizes = array<i32: 1, 1, 1, 1, 1, 1, 0, 0>}>
      : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x16x32xf16>
  return %y : tensor<2x16x32xf16>
}
