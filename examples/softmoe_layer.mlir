// The S-32 Soft MoE layer of CONTRACT.md (ViT-S/16 width), batch and tokens left dynamic.
func.func @softmoe_layer(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>,
                         %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>,
                         %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<?x?x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<?x?x384xf32>
}
