// Hand-written models with dynamic batch and token counts, run by softmoe-run
// at several B and M against the reference. D=32 N=4 P=2 H=64 are static.

func.func @layer(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                 %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<?x?x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf>
      : tensor<?x?x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>,
        tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<?x?x32xf32>
}

// The four stages spelled out, with normalize and a mask.
func.func @stages(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                  %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>,
                  %scale: tensor<f32>, %mask: tensor<?x?xi1>) -> tensor<?x?x32xf32> {
  %logits = softmoe.router %x, %phi scale(%scale : tensor<f32>) normalize
      : tensor<?x?x32xf32>, tensor<32x4x2xf32>
  %slots = softmoe.dispatch %logits, %x mask(%mask : tensor<?x?xi1>)
      : tensor<?x?x4x2xf32>, tensor<?x?x32xf32>
  %out = softmoe.expert_apply %slots, %w1, %b1, %w2, %b2 activation<silu>
      : tensor<?x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  %y = softmoe.combine %logits, %out mask(%mask : tensor<?x?xi1>)
      : tensor<?x?x4x2xf32>, tensor<?x4x2x32xf32>
  return %y : tensor<?x?x32xf32>
}
