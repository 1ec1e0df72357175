// The S-32 Soft MoE layer of CONTRACT.md (ViT-S/16 width) at batch 8 and 196 tokens. Static shapes get the
// register-tiled kernels of softmoe-cpu-codegen; any size may be dynamic (`?`): softmoe-run compiles such a function
// for the sizes of its inputs, but ahead of time it gets the plain-loop lowering for now (correct, ~100x slower).
func.func @softmoe_layer(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>,
                         %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>,
                         %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}
