// RUN: softmoe-opt %s --softmoe-generate-vjp | FileCheck %s
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(softmoe-generate-vjp{recompute-hidden=true})" | FileCheck %s --check-prefix=RECOMP

// A gated expert_apply's VJP (swiglu, H = 6, 2H = 12). The saved hidden
// layer is the 2H-wide slots @ w1; the backward reads its halves a and t
// (and b1's) through tensor.extract_slice, recomputes h = a * silu(t) for
// dw2, and writes du = [dh * silu(t), dh * a * silu'(t)] in place into the
// two halves of one [B,N,P,2H] tensor, from which db1, dw1 and dslots
// contract over 2H.

func.func @e(%s: tensor<2x2x1x8xf32>, %w1: tensor<2x8x12xf32>, %b1: tensor<2x12xf32>, %w2: tensor<2x6x8xf32>, %b2: tensor<2x8xf32>) -> tensor<2x2x1x8xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<swiglu>
      : tensor<2x2x1x8xf32>, tensor<2x8x12xf32>, tensor<2x12xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>
  return %o : tensor<2x2x1x8xf32>
}

// CHECK-LABEL: func.func @e_fwd(
// CHECK-SAME:    -> (tensor<2x2x1x8xf32>, tensor<2x2x1x12xf32>)
// CHECK:         %[[Z:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x2x1x8xf32>, tensor<2x8x12xf32>) outs(%{{.*}} : tensor<2x2x1x12xf32>)
// The bias goes to a fresh tensor: the sum before it is returned.
// CHECK:         %[[U:.*]] = linalg.generic {{.*}} ins(%arg2, %[[Z]] : tensor<2x12xf32>, tensor<2x2x1x12xf32>) outs(%{{.*}} : tensor<2x2x1x12xf32>)
// CHECK:         tensor.extract_slice %[[U]][0, 0, 0, 0] [2, 2, 1, 6]
// CHECK:         tensor.extract_slice %[[U]][0, 0, 0, 6] [2, 2, 1, 6]
// CHECK:         return %{{.*}}, %[[Z]] : tensor<2x2x1x8xf32>, tensor<2x2x1x12xf32>
// CHECK-LABEL: func.func @e_vjp(
// CHECK-SAME:    %[[SAVED:[a-z0-9]+]]: tensor<2x2x1x12xf32>, %{{[a-z0-9]+}}: tensor<2x2x1x8xf32>)
// CHECK-SAME:    -> (tensor<2x2x1x8xf32>, tensor<2x8x12xf32>, tensor<2x12xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>)
// CHECK:         %[[ZA:.*]] = tensor.extract_slice %[[SAVED]][0, 0, 0, 0] [2, 2, 1, 6] [1, 1, 1, 1]
// CHECK:         %[[ZT:.*]] = tensor.extract_slice %[[SAVED]][0, 0, 0, 6] [2, 2, 1, 6] [1, 1, 1, 1]
// CHECK:         %[[BA:.*]] = tensor.extract_slice %arg2[0, 0] [2, 6] [1, 1]
// CHECK:         %[[BT:.*]] = tensor.extract_slice %arg2[0, 6] [2, 6] [1, 1]
// h, transposed to [N,H,B,P] for dw2.
// CHECK:         %[[HT:.*]] = linalg.generic {{.*}} ins(%[[ZA]], %[[ZT]], %[[BA]], %[[BT]] : {{.*}}) outs(%{{.*}} : tensor<2x6x2x1xf32>)
// CHECK:         %[[HQ:.*]] = tensor.collapse_shape %[[HT]] {{\[}}[0], [1], [2, 3]] : tensor<2x6x2x1xf32> into tensor<2x6x2xf32>
// CHECK:         %[[DW2:.*]] = linalg.generic {{.*}} ins(%[[HQ]], {{.*}} outs(%{{.*}} : tensor<2x6x8xf32>)
// The two halves of du, written in place.
// CHECK:         %[[DU0:.*]] = tensor.empty() : tensor<2x2x1x12xf32>
// CHECK:         %[[DUA:.*]] = tensor.extract_slice %[[DU0]][0, 0, 0, 0] [2, 2, 1, 6]
// CHECK:         %[[DA:.*]] = linalg.generic {{.*}} ins(%[[ZA]], %[[ZT]], %[[BA]], %[[BT]], %{{.*}} : {{.*}}) outs(%[[DUA]] : tensor<2x2x1x6xf32>)
// CHECK:         %[[DU1:.*]] = tensor.insert_slice %[[DA]] into %[[DU0]][0, 0, 0, 0] [2, 2, 1, 6]
// CHECK:         %[[DUT:.*]] = tensor.extract_slice %[[DU1]][0, 0, 0, 6] [2, 2, 1, 6]
// CHECK:         %[[DT:.*]] = linalg.generic {{.*}} outs(%[[DUT]] : tensor<2x2x1x6xf32>)
// silu' of the gate half: s (1 + t (1 - s)).
// CHECK:           math.exp
// CHECK:         %[[DU:.*]] = tensor.insert_slice %[[DT]] into %[[DU1]][0, 0, 0, 6] [2, 2, 1, 6]
// CHECK:         %[[DB1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<2x12xf32>)
// CHECK:         %[[DW1:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<2x8x12xf32>)
// CHECK:         return %{{.*}}, %[[DW1]], %[[DB1]], %[[DW2]], %{{.*}} : tensor<2x2x1x8xf32>, tensor<2x8x12xf32>, tensor<2x12xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>

// Activation checkpointing: the 2H-wide slots @ w1 recomputed in the backward.
// RECOMP-LABEL: func.func @e_fwd(
// RECOMP-SAME:    -> tensor<2x2x1x8xf32>
// RECOMP-LABEL: func.func @e_vjp(
// RECOMP:         %[[Z:.*]] = linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<2x2x1x8xf32>, tensor<2x8x12xf32>) outs(%{{.*}} : tensor<2x2x1x12xf32>)
// RECOMP:         tensor.extract_slice %[[Z]][0, 0, 0, 6] [2, 2, 1, 6]
