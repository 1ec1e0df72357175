// A small Soft MoE layer for the stage tests (cpu-codegen-stage-*.mlir),
// bufferized by their RUN lines before softmoe-cpu-codegen: 2 groups of 8
// tokens of width 32, 2 experts of 2 slots, hidden width 64.
func.func @layer(%x: tensor<2x8x32xf32>, %phi: tensor<32x2x2xf32>, %w1: tensor<2x32x64xf32>, %b1: tensor<2x64xf32>,
                 %w2: tensor<2x64x32xf32>, %b2: tensor<2x32xf32>) -> tensor<2x8x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_tanh>
      : tensor<2x8x32xf32>, tensor<32x2x2xf32>, tensor<2x32x64xf32>, tensor<2x64xf32>, tensor<2x64x32xf32>, tensor<2x32xf32>
  return %y : tensor<2x8x32xf32>
}
