// RUN: softmoe-opt %s --split-input-file --convert-softmoe-to-linalg | FileCheck %s

// h[b,n,p,k] = sum_d slots[b,n,p,d] * w1[n,d,k]; bias + activation in place;
// out[b,n,p,d] = sum_k h[b,n,p,k] * w2[n,k,d]; bias in place (f32).
// CHECK-DAG: #[[$SL:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @expert_relu
// CHECK-SAME: (%[[S:.+]]: tensor<2x4x2x32xf32>, %[[W1:.+]]: tensor<4x32x64xf32>, %[[B1:.+]]: tensor<4x64xf32>, %[[W2:.+]]: tensor<4x64x32xf32>, %[[B2:.+]]: tensor<4x32xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[HI:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x4x2x64xf32>)
// CHECK: %[[H:.+]] = linalg.generic {indexing_maps = [#[[$SL]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[S]], %[[W1]] : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>) outs(%[[HI]] : tensor<2x4x2x64xf32>)
// CHECK: %[[A:.+]] = linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[B1]] : tensor<4x64xf32>) outs(%[[H]] : tensor<2x4x2x64xf32>)
// CHECK:   ^bb0(%[[BV:.+]]: f32, %[[HV:.+]]: f32):
// CHECK:   %[[V:.+]] = arith.addf %[[HV]], %[[BV]] : f32
// CHECK:   %[[Z:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK:   %[[R:.+]] = arith.maximumf %[[V]], %[[Z]] : f32
// CHECK:   linalg.yield %[[R]] : f32
// CHECK: %[[OI:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x4x2x32xf32>)
// CHECK: %[[O:.+]] = linalg.generic {indexing_maps = [#[[$SL]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[A]], %[[W2]] : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%[[OI]] : tensor<2x4x2x32xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[B2]] : tensor<4x32xf32>) outs(%[[O]] : tensor<2x4x2x32xf32>)
// CHECK:   ^bb0(%[[BV:.+]]: f32, %[[OV:.+]]: f32):
// CHECK:   %[[V:.+]] = arith.addf %[[OV]], %[[BV]] : f32
// CHECK:   linalg.yield %[[V]] : f32
// CHECK: return %[[Y]]
func.func @expert_relu(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<relu>
      : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// -----

// The default activation is gelu_tanh: 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))).
// CHECK-LABEL: func @expert_gelu_tanh
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK:   %[[V:.+]] = arith.addf
// CHECK:   %[[V2:.+]] = arith.mulf %[[V]], %[[V]] : f32
// CHECK:   %[[V3:.+]] = arith.mulf %[[V]], %[[V2]] : f32
// CHECK:   %[[C:.+]] = arith.constant 4.471500e-02 : f32
// CHECK:   %[[CV3:.+]] = arith.mulf %[[C]], %[[V3]] : f32
// CHECK:   %[[IN:.+]] = arith.addf %[[V]], %[[CV3]] : f32
// CHECK:   %[[K:.+]] = arith.constant 0.797884583 : f32
// CHECK:   %[[ARG:.+]] = arith.mulf %[[K]], %[[IN]] : f32
// CHECK:   %[[T:.+]] = math.tanh %[[ARG]] : f32
// CHECK:   %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:   %[[HV:.+]] = arith.mulf %[[HALF]], %[[V]] : f32
// CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[OPT:.+]] = arith.addf %[[ONE]], %[[T]] : f32
// CHECK:   %[[R:.+]] = arith.mulf %[[HV]], %[[OPT]] : f32
// CHECK:   linalg.yield %[[R]] : f32
func.func @expert_gelu_tanh(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2
      : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// -----

// gelu_erf: 0.5 v (1 + erf(v / sqrt(2))).
// CHECK-LABEL: func @expert_gelu_erf
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK:   %[[V:.+]] = arith.addf
// CHECK:   %[[K:.+]] = arith.constant 0.707106769 : f32
// CHECK:   %[[ARG:.+]] = arith.mulf %[[V]], %[[K]] : f32
// CHECK:   %[[E:.+]] = math.erf %[[ARG]] : f32
// CHECK:   %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:   %[[HV:.+]] = arith.mulf %[[HALF]], %[[V]] : f32
// CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[OPE:.+]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK:   %[[R:.+]] = arith.mulf %[[HV]], %[[OPE]] : f32
// CHECK:   linalg.yield %[[R]] : f32
func.func @expert_gelu_erf(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<gelu_erf>
      : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// -----

// silu on bf16: v / (1 + exp(-v)) in f32, the hidden activation rounded to a
// fresh bf16 tensor (so the second contraction multiplies bf16 by bf16); the
// weights are extended inside the contractions and the output bias +
// truncation write a fresh bf16 tensor.
// CHECK-LABEL: func @expert_silu_bf16
// CHECK-SAME: %[[B2:[a-z0-9]+]]: tensor<4x32xbf16>)
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x4x2x64xf32>)
// CHECK:   ^bb0(%[[SV:.+]]: bf16, %[[WV:.+]]: bf16, %[[ACC:.+]]: f32):
// CHECK:   %[[SF:.+]] = arith.extf %[[SV]] : bf16 to f32
// CHECK:   %[[WF:.+]] = arith.extf %[[WV]] : bf16 to f32
// CHECK:   %[[P:.+]] = arith.mulf %[[SF]], %[[WF]] : f32
// CHECK:   arith.addf %[[ACC]], %[[P]] : f32
// CHECK: %[[H:.+]] = linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x4x2x64xbf16>)
// CHECK:   ^bb0(%[[BV:.+]]: bf16, %[[HV:.+]]: f32, %{{.+}}: bf16):
// CHECK:   %[[BF:.+]] = arith.extf %[[BV]] : bf16 to f32
// CHECK:   %[[V:.+]] = arith.addf %[[HV]], %[[BF]] : f32
// CHECK:   %[[NV:.+]] = arith.negf %[[V]] : f32
// CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[EX:.+]] = math.exp %[[NV]] : f32
// CHECK:   %[[DEN:.+]] = arith.addf %[[ONE]], %[[EX]] : f32
// CHECK:   %[[R:.+]] = arith.divf %[[V]], %[[DEN]] : f32
// CHECK:   %[[RT:.+]] = arith.truncf %[[R]] : f32 to bf16
// CHECK:   linalg.yield %[[RT]] : bf16
// CHECK: %[[O:.+]] = linalg.generic
// CHECK-SAME: ins(%[[H]], %{{.+}} : tensor<2x4x2x64xbf16>, tensor<4x64x32xbf16>) outs(%{{.+}} : tensor<2x4x2x32xf32>)
// CHECK:   ^bb0(%{{.+}}: bf16, %{{.+}}: bf16, %{{.+}}: f32):
// CHECK: %[[Y:.+]] = linalg.generic
// CHECK-SAME: ins(%[[O]], %[[B2]] : tensor<2x4x2x32xf32>, tensor<4x32xbf16>) outs(%{{.+}} : tensor<2x4x2x32xbf16>)
// CHECK:   ^bb0(%[[OV:.+]]: f32, %[[BV:.+]]: bf16, %{{.+}}: bf16):
// CHECK:   %[[BF:.+]] = arith.extf %[[BV]] : bf16 to f32
// CHECK:   %[[V:.+]] = arith.addf %[[OV]], %[[BF]] : f32
// CHECK:   %[[T:.+]] = arith.truncf %[[V]] : f32 to bf16
// CHECK:   linalg.yield %[[T]] : bf16
// CHECK: return %[[Y]] : tensor<2x4x2x32xbf16>
func.func @expert_silu_bf16(%s: tensor<2x4x2x32xbf16>, %w1: tensor<4x32x64xbf16>, %b1: tensor<4x64xbf16>, %w2: tensor<4x64x32xbf16>, %b2: tensor<4x32xbf16>) -> tensor<2x4x2x32xbf16> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<silu>
      : tensor<2x4x2x32xbf16>, tensor<4x32x64xbf16>, tensor<4x64xbf16>, tensor<4x64x32xbf16>, tensor<4x32xbf16>
  return %o : tensor<2x4x2x32xbf16>
}

// -----

// Dynamic B: from the slots; N, P, D, H static on the weights win over the
// slots' dynamic sizes. (The function's less static result type comes from an
// explicit cast: a declared result type must be the inferred one.)
// CHECK-LABEL: func @expert_dynamic
// CHECK-SAME: (%[[S:.+]]: tensor<?x?x?x?xf16>
// CHECK: %[[B:.+]] = tensor.dim %[[S]], %{{.+}} : tensor<?x?x?x?xf16>
// CHECK: %[[P:.+]] = tensor.dim %[[S]], %{{.+}} : tensor<?x?x?x?xf16>
// CHECK: tensor.empty(%[[B]], %[[P]]) : tensor<?x4x?x64xf32>
// CHECK: tensor.empty(%[[B]], %[[P]]) : tensor<?x4x?x32xf16>
// CHECK: %[[C:.+]] = tensor.cast %{{.+}} : tensor<?x4x?x32xf16> to tensor<?x?x?x?xf16>
// CHECK: return %[[C]]
func.func @expert_dynamic(%s: tensor<?x?x?x?xf16>, %w1: tensor<4x32x64xf16>, %b1: tensor<4x64xf16>, %w2: tensor<4x64x32xf16>, %b2: tensor<4x32xf16>) -> tensor<?x?x?x?xf16> {
  %o = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2)
      : (tensor<?x?x?x?xf16>, tensor<4x32x64xf16>, tensor<4x64xf16>, tensor<4x64x32xf16>, tensor<4x32xf16>) -> tensor<?x4x?x32xf16>
  %c = tensor.cast %o : tensor<?x4x?x32xf16> to tensor<?x?x?x?xf16>
  return %c : tensor<?x?x?x?xf16>
}
