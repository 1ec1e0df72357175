func.func @softmoe_layer(%x: tensor<2x16x32xDT>, %phi: tensor<32x4x1xDT>, %w1: tensor<4x32x64xDT>, %b1: tensor<4x64xDT>, %w2: tensor<4x64x32xDT>, %b2: tensor<4x32xDT>) -> tensor<2x16x32xDT> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xDT>, tensor<32x4x1xDT>, tensor<4x32x64xDT>, tensor<4x64xDT>, tensor<4x64x32xDT>, tensor<4x32xDT>
  return %y : tensor<2x16x32xDT>
}
