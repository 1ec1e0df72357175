// RUN: softmoe-opt %s --softmoe-generate-vjp | FileCheck %s
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(softmoe-generate-vjp{recompute-hidden=true})" | FileCheck %s --check-prefix=RECOMP

// expert_apply's VJP. The forward keeps its op for inference (@e) and, in
// @e_fwd, is computed as linalg so that slots @ w1 (before the bias) can be
// returned; @e_vjp takes the arguments, that residual and dout, and returns
// the five gradients in argument order. The weight gradients contract over
// (B, P) with the weights' own layout as result; relu' is a compare.

func.func @e(%s: tensor<2x3x2x5xf32>, %w1: tensor<3x5x7xf32>, %b1: tensor<3x7xf32>, %w2: tensor<3x7x5xf32>, %b2: tensor<3x5xf32>) -> tensor<2x3x2x5xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<relu> : tensor<2x3x2x5xf32>, tensor<3x5x7xf32>, tensor<3x7xf32>, tensor<3x7x5xf32>, tensor<3x5xf32>
  return %o : tensor<2x3x2x5xf32>
}

// CHECK-LABEL: func.func @e(
// CHECK:         softmoe.expert_apply
// CHECK-LABEL: func.func @e_fwd(
// CHECK-SAME:    -> (tensor<2x3x2x5xf32>, tensor<2x3x2x7xf32>)
// CHECK-NOT:     softmoe.expert_apply
// CHECK:         %[[Z:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x3x2x5xf32>, tensor<3x5x7xf32>) outs(%{{.*}} : tensor<2x3x2x7xf32>)
// CHECK:         return %{{.*}}, %[[Z]] : tensor<2x3x2x5xf32>, tensor<2x3x2x7xf32>
// CHECK-LABEL: func.func @e_vjp(
// CHECK-SAME:    %{{.*}}: tensor<2x3x2x7xf32>, %{{.*}}: tensor<2x3x2x5xf32>)
// CHECK-SAME:    -> (tensor<2x3x2x5xf32>, tensor<3x5x7xf32>, tensor<3x7xf32>, tensor<3x7x5xf32>, tensor<3x5xf32>)
// The expert GEMMs run over Q = B * P (collapse_shape, a view once
// bufferized): the weight gradients as one reduction into the weights'
// layouts, dh and dslots with Q as the result's last dimension (expand_shape
// back to B, P).
// CHECK:         %[[HQ:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1], [2, 3]] : tensor<3x7x2x2xf32> into tensor<3x7x4xf32>
// CHECK:         %[[GQ:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3]] : tensor<3x2x2x5xf32> into tensor<3x4x5xf32>
// CHECK:         %[[DW2:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[HQ]], %[[GQ]] : {{.*}}) outs(%{{.*}} : tensor<3x7x5xf32>)
// CHECK:         arith.cmpf ogt
// CHECK:         %[[DH:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg3, %{{.*}} : tensor<3x7x5xf32>, tensor<3x5x4xf32>) outs(%{{.*}} : tensor<3x7x4xf32>)
// CHECK:         tensor.expand_shape %[[DH]] {{\[}}[0], [1], [2, 3]] output_shape [3, 7, 2, 2]
// CHECK:         %[[DB1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<3x7xf32>)
// CHECK:         %[[DW1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins({{.*}} : tensor<3x5x4xf32>, tensor<3x4x7xf32>) outs(%{{.*}} : tensor<3x5x7xf32>)
// CHECK:         %[[DS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg1, %{{.*}} : tensor<3x5x7xf32>, tensor<3x7x4xf32>) outs(%{{.*}} : tensor<3x5x4xf32>)
// CHECK:         tensor.expand_shape %[[DS]] {{\[}}[0], [1], [2, 3]] output_shape [3, 5, 2, 2]
// CHECK:         return %{{.*}}, %[[DW1]], %[[DB1]], %[[DW2]], %{{.*}} : tensor<2x3x2x5xf32>, tensor<3x5x7xf32>, tensor<3x7xf32>, tensor<3x7x5xf32>, tensor<3x5xf32>

// Activation checkpointing: no residual, and the backward recomputes
// slots @ w1 first.
// RECOMP-LABEL: func.func @e_fwd(
// RECOMP-SAME:    -> tensor<2x3x2x5xf32>
// RECOMP:         softmoe.expert_apply
// RECOMP-LABEL: func.func @e_vjp(
// RECOMP-SAME:    %{{.*}}: tensor<3x5xf32>, %{{.*}}: tensor<2x3x2x5xf32>)
// RECOMP:         linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x3x2x5xf32>, tensor<3x5x7xf32>) outs(%{{.*}} : tensor<2x3x2x7xf32>)
