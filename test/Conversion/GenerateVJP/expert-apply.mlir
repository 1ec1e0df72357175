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
// The weight gradients: (B, P) reductions into the weights' layouts.
// CHECK:         %[[DW2:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<3x7x5xf32>)
// CHECK:         arith.cmpf ogt
// CHECK:         %[[DB1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<3x7xf32>)
// CHECK:         %[[DW1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<3x5x7xf32>)
// CHECK:         return %{{.*}}, %[[DW1]], %[[DB1]], %[[DW2]], %{{.*}} : tensor<2x3x2x5xf32>, tensor<3x5x7xf32>, tensor<3x7xf32>, tensor<3x7x5xf32>, tensor<3x5xf32>

// Activation checkpointing: no residual, and the backward recomputes
// slots @ w1 first.
// RECOMP-LABEL: func.func @e_fwd(
// RECOMP-SAME:    -> tensor<2x3x2x5xf32>
// RECOMP:         softmoe.expert_apply
// RECOMP-LABEL: func.func @e_vjp(
// RECOMP-SAME:    %{{.*}}: tensor<3x5xf32>, %{{.*}}: tensor<2x3x2x5xf32>)
// RECOMP:         linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x3x2x5xf32>, tensor<3x5x7xf32>) outs(%{{.*}} : tensor<2x3x2x7xf32>)
