// A file that ends in the middle of an op (input of malformed.mlir).
func.func @cut(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
               %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x
