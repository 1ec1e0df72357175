// Debian's own mlir-opt (libMLIR.so) parses, verifies and prints softmoe IR
// once the dialect plugin is loaded; without it the dialect is unknown.
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext | FileCheck %s
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext --mlir-print-op-generic \
// RUN:   | mlir-opt --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext | FileCheck %s
// RUN: not mlir-opt %s 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// NOPLUGIN: Dialect `softmoe' not found for custom op 'softmoe.layer'

// CHECK-LABEL: func @layer_tiny
// CHECK: softmoe.layer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<f32>) mask(%{{.*}} : tensor<2x16xi1>) normalize activation<relu> : tensor<2x16x32xf32>
func.func @layer_tiny(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                      %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>,
                      %s: tensor<f32>, %m: tensor<2x16xi1>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) mask(%m : tensor<2x16xi1>)
      normalize activation<relu>
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>,
        tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}

// CHECK-LABEL: func @stages_bf16
// CHECK: %[[L:.*]] = softmoe.router %{{.*}}, %{{.*}} : tensor<?x16x32xbf16>, tensor<32x4x2xbf16>
// CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %{{.*}} : tensor<?x16x4x2xf32>, tensor<?x16x32xbf16>
// CHECK: %[[O:.*]] = softmoe.expert_apply %[[S]], {{.*}} activation<silu> : tensor<?x4x2x32xbf16>
// CHECK: softmoe.combine %[[L]], %[[O]] : tensor<?x16x4x2xf32>, tensor<?x4x2x32xbf16>
func.func @stages_bf16(%x: tensor<?x16x32xbf16>, %phi: tensor<32x4x2xbf16>, %w1: tensor<4x32x64xbf16>,
                       %b1: tensor<4x64xbf16>, %w2: tensor<4x64x32xbf16>, %b2: tensor<4x32xbf16>)
    -> tensor<?x16x32xbf16> {
  %l = softmoe.router %x, %phi : tensor<?x16x32xbf16>, tensor<32x4x2xbf16>
  %s = softmoe.dispatch %l, %x : tensor<?x16x4x2xf32>, tensor<?x16x32xbf16>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<silu>
      : tensor<?x4x2x32xbf16>, tensor<4x32x64xbf16>, tensor<4x64xbf16>, tensor<4x64x32xbf16>, tensor<4x32xbf16>
  %y = softmoe.combine %l, %o : tensor<?x16x4x2xf32>, tensor<?x4x2x32xbf16>
  return %y : tensor<?x16x32xbf16>
}
