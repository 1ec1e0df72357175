// RUN: softmoe-opt %s --convert-softmoe-to-linalg | FileCheck %s

// softmoe.layer goes through the decompose patterns inside the same pass: the
// router (normalised), dispatch (masked), expert_apply and combine (masked)
// all come out as linalg, with nothing of softmoe left.
// CHECK-LABEL: func @layer
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x32xf32>, %{{.+}}: tensor<32x4x2xf32>, %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}}, %[[S:.+]]: tensor<f32>, %[[M:.+]]: tensor<?x?xi1>)
// CHECK-NOT: softmoe.
// router: two sums of squares, the scale, rsqrt
// CHECK: math.rsqrt
// CHECK: ins(%{{.+}}, %{{.+}}, %[[S]] : tensor<32x4x2xf32>, tensor<4x2xf32>, tensor<f32>)
// CHECK: math.rsqrt
// dispatch: the mask in the max and in the exp, the guarded division
// CHECK: ins(%[[L:.+]], %[[M]] : tensor<?x?x4x2xf32>, tensor<?x?xi1>)
// CHECK: ins(%[[L]], %[[M]], %{{.+}} : tensor<?x?x4x2xf32>, tensor<?x?xi1>, tensor<?x4x2xf32>)
// CHECK: arith.cmpf ogt
// CHECK: ins(%{{.+}}, %[[X]] : tensor<?x?x4x2xf32>, tensor<?x?x32xf32>) outs(%{{.+}} : tensor<?x4x2x32xf32>)
// expert_apply with gelu_erf
// CHECK: math.erf
// combine: the mask in the division
// CHECK: ins(%{{.+}}, %[[M]] : tensor<?x?xf32>, tensor<?x?xi1>)
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<?x?x32xf32>)
// CHECK: return %[[Y]] : tensor<?x?x32xf32>
// CHECK-NOT: softmoe.
func.func @layer(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                 %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %s: tensor<f32>, %m: tensor<?x?xi1>) -> tensor<?x?x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) mask(%m : tensor<?x?xi1>) normalize
      activation<gelu_erf>
      : tensor<?x?x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<?x?x32xf32>
}
