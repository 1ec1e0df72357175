// The pass plugin registers softmoe-decompose (and every softmoe pass and
// pipeline) with Debian's mlir-opt; the dialect plugin lets the input parse.
// Plugins load while flags are parsed, so passes are named in --pass-pipeline.
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%softmoe_libs/libSoftMoEPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(softmoe-decompose)" | FileCheck %s
// Without the pass plugin the pass is unknown.
// RUN: not mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(softmoe-decompose)" 2>&1 | FileCheck %s --check-prefix=NOPASS
// NOPASS: 'softmoe-decompose' does not refer to a registered pass or pass pipeline

// CHECK-LABEL: func @layer_tiny
// CHECK-NOT: softmoe.layer
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg6 : tensor<f32>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>
// CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 mask(%arg7 : tensor<2x16xi1>)
// CHECK: %[[O:.*]] = softmoe.expert_apply %[[S]], %arg2, %arg3, %arg4, %arg5 activation<relu>
// CHECK: %[[Y:.*]] = softmoe.combine %[[L]], %[[O]] mask(%arg7 : tensor<2x16xi1>)
// CHECK: return %[[Y]]
func.func @layer_tiny(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                      %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>,
                      %s: tensor<f32>, %m: tensor<2x16xi1>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) mask(%m : tensor<2x16xi1>)
      normalize activation<relu>
      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>,
        tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<2x16x32xf32>
}
