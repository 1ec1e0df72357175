// The S-32 Soft MoE layer of CONTRACT.md (ViT-S/16 width) at batch 8 and 196 tokens. Static shapes get the
// register-tiled kernels of softmoe-cpu-codegen. Any size may be dynamic (`?`): softmoe-run compiles such a function
// for the sizes of its inputs, and ahead of time (or with --specialize-shapes=false) a `?` batch or token count gets
// the same kernels, planned for `expected-size` and peeled at run time (docs/benchmarks.md: within 1.15x of static).
func.func @softmoe_layer(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>,
                         %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>,
                         %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}
