// RUN: softmoe-opt %s --softmoe-generate-vjp | FileCheck %s

// A whole layer with normalize and a mask: @f_fwd is the decomposed layer
// returning y, then the residuals (logits, slots, expert outputs, the hidden
// pre-activation); @f_vjp returns seven f32 gradients (x, phi, w1, b1, w2,
// b2, scale) and none for the mask. x and the logits each receive two
// contributions, accumulated in place.

func.func @f(%x: tensor<2x4x8xbf16>, %phi: tensor<8x2x1xbf16>, %w1: tensor<2x8x6xbf16>, %b1: tensor<2x6xbf16>, %w2: tensor<2x6x8xbf16>, %b2: tensor<2x8xbf16>, %s: tensor<bf16>, %m: tensor<2x4xi1>) -> tensor<2x4x8xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<bf16>) mask(%m : tensor<2x4xi1>) normalize activation<gelu_erf>
      : tensor<2x4x8xbf16>, tensor<8x2x1xbf16>, tensor<2x8x6xbf16>, tensor<2x6xbf16>, tensor<2x6x8xbf16>, tensor<2x8xbf16>
  return %y : tensor<2x4x8xbf16>
}

// CHECK-LABEL: func.func @f(
// CHECK:         softmoe.layer
// CHECK-LABEL: func.func @f_fwd(
// CHECK-SAME:    -> (tensor<2x4x8xbf16>, tensor<2x4x2x1xf32>, tensor<2x2x1x8xbf16>, tensor<2x2x1x8xbf16>, tensor<2x2x1x6xf32>)
// CHECK:         %[[L:.*]] = softmoe.router {{.*}} normalize
// CHECK:         %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 mask(%arg7
// CHECK-NOT:     softmoe.expert_apply
// CHECK:         %[[Y:.*]] = softmoe.combine %[[L]], %{{.*}} mask(%arg7
// CHECK:         return %[[Y]], %[[L]], %[[S]],
// CHECK-LABEL: func.func @f_vjp(
// CHECK-SAME:    %arg7: tensor<2x4xi1>, %arg8: tensor<2x4x2x1xf32>, %arg9: tensor<2x2x1x8xbf16>, %arg10: tensor<2x2x1x8xbf16>, %arg11: tensor<2x2x1x6xf32>, %arg12: tensor<2x4x8xbf16>)
// CHECK-SAME:    -> (tensor<2x4x8xf32>, tensor<8x2x1xf32>, tensor<2x8x6xf32>, tensor<2x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>, tensor<f32>)
// bf16 operands are extended inside the bodies: f32 accumulation.
// CHECK:         arith.extf %{{.*}} : bf16 to f32
// gelu_erf': the pdf term.
// CHECK:         math.erf
// CHECK:         math.exp
// The normalisation's Jacobian: rsqrt recomputed in the backward.
// CHECK:         math.rsqrt
// dscale: a full reduction into a rank-0 tensor.
// CHECK:         linalg.generic {{.*}}iterator_types = ["reduction", "reduction", "reduction"]{{.*}} outs(%{{.*}} : tensor<f32>)
// CHECK:         return {{.*}} : tensor<2x4x8xf32>, tensor<8x2x1xf32>, tensor<2x8x6xf32>, tensor<2x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>, tensor<f32>
