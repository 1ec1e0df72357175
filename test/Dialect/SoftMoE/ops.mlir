// RUN: softmoe-opt %s | FileCheck %s
// Round trip through the custom form, the generic form and bytecode.
// RUN: softmoe-opt %s --mlir-print-op-generic | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --emit-bytecode | softmoe-opt | FileCheck %s

// CHECK-LABEL: func @layer_s32
func.func @layer_s32(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>,
                     %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  // CHECK: softmoe.layer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<8x196x384xf32>
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}
