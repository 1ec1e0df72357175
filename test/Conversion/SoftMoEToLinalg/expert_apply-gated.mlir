// RUN: softmoe-opt %s --split-input-file --convert-softmoe-to-linalg | FileCheck %s

// geglu: u[b,n,p,k] = sum_d slots[b,n,p,d] * w1[n,d,k] over k < 2H, b1 added
// in place, then h = a * gelu_erf(g) over the extract_slice halves a =
// u[..., :H] and g = u[..., H:] (PyTorch's x.chunk(2, dim=-1)); the second
// layer reads the H-wide h.
// CHECK-DAG: #[[$SL:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-DAG: #[[$OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$BIAS:.+]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @expert_geglu
// CHECK-SAME: (%[[S:.+]]: tensor<2x4x2x32xf32>, %[[W1:.+]]: tensor<4x32x128xf32>, %[[B1:.+]]: tensor<4x128xf32>, %[[W2:.+]]: tensor<4x64x32xf32>, %[[B2:.+]]: tensor<4x32xf32>)
// CHECK: %[[UI:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<2x4x2x128xf32>)
// CHECK: %[[U0:.+]] = linalg.generic {indexing_maps = [#[[$SL]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[S]], %[[W1]] : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>) outs(%[[UI]] : tensor<2x4x2x128xf32>)
// CHECK: %[[U:.+]] = linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[B1]] : tensor<4x128xf32>) outs(%[[U0]] : tensor<2x4x2x128xf32>)
// CHECK:   arith.addf
// CHECK: %[[A:.+]] = tensor.extract_slice %[[U]][0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
// CHECK: %[[G:.+]] = tensor.extract_slice %[[U]][0, 0, 0, 64] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
// CHECK: %[[H:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$ID4]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[A]], %[[G]] : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%{{.+}} : tensor<2x4x2x64xf32>)
// CHECK:   ^bb0(%[[AV:.+]]: f32, %[[GV:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[K:.+]] = arith.constant 0.707106769 : f32
// CHECK:   %[[ARG:.+]] = arith.mulf %[[GV]], %[[K]] : f32
// CHECK:   %[[E:.+]] = math.erf %[[ARG]] : f32
// CHECK:   %[[HALF:.+]] = arith.constant 5.000000e-01 : f32
// CHECK:   %[[HG:.+]] = arith.mulf %[[HALF]], %[[GV]] : f32
// CHECK:   %[[ONE:.+]] = arith.constant 1.000000e+00 : f32
// CHECK:   %[[OPE:.+]] = arith.addf %[[ONE]], %[[E]] : f32
// CHECK:   %[[GELU:.+]] = arith.mulf %[[HG]], %[[OPE]] : f32
// CHECK:   %[[R:.+]] = arith.mulf %[[AV]], %[[GELU]] : f32
// CHECK:   linalg.yield %[[R]] : f32
// CHECK: %[[O:.+]] = linalg.generic {indexing_maps = [#[[$SL]], #[[$W]], #[[$OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[H]], %[[W2]] : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[$BIAS]], #[[$ID4]]], {{.*}} ins(%[[B2]] : tensor<4x32xf32>) outs(%[[O]] : tensor<2x4x2x32xf32>)
func.func @expert_geglu(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<geglu>
      : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// -----

// swiglu on bf16 with H unknown: the halves start at H, w2's dimension 1;
// u stays f32, h = a * silu(g) is rounded to bf16 for the second layer.
// CHECK-LABEL: func @expert_swiglu_bf16
// CHECK-SAME: %[[W2:[a-z0-9]+]]: tensor<4x?x32xbf16>
// CHECK: %[[U0:.+]] = linalg.generic {{.*}} outs(%{{.+}} : tensor<2x4x2x?xf32>)
// CHECK: %[[U:.+]] = linalg.generic {{.*}} ins(%{{.+}} : tensor<4x?xbf16>) outs(%[[U0]] : tensor<2x4x2x?xf32>)
// CHECK:   arith.extf %{{.+}} : bf16 to f32
// CHECK: %[[H:.+]] = tensor.dim %[[W2]], %{{.+}} : tensor<4x?x32xbf16>
// CHECK: %[[A:.+]] = tensor.extract_slice %[[U]][0, 0, 0, 0] [2, 4, 2, %[[H]]] [1, 1, 1, 1] : tensor<2x4x2x?xf32> to tensor<2x4x2x?xf32>
// CHECK: %[[G:.+]] = tensor.extract_slice %[[U]][0, 0, 0, %[[H]]] [2, 4, 2, %[[H]]] [1, 1, 1, 1] : tensor<2x4x2x?xf32> to tensor<2x4x2x?xf32>
// CHECK: linalg.generic {{.*}} ins(%[[A]], %[[G]] : tensor<2x4x2x?xf32>, tensor<2x4x2x?xf32>) outs(%{{.+}} : tensor<2x4x2x?xbf16>)
// CHECK:   ^bb0(%[[AV:.+]]: f32, %[[GV:.+]]: f32, %{{.+}}: bf16):
// CHECK:   %[[NG:.+]] = arith.negf %[[GV]] : f32
// CHECK:   %[[EX:.+]] = math.exp %[[NG]] : f32
// CHECK:   %[[DEN:.+]] = arith.addf %{{.+}}, %[[EX]] : f32
// CHECK:   %[[SILU:.+]] = arith.divf %[[GV]], %[[DEN]] : f32
// CHECK:   %[[R:.+]] = arith.mulf %[[AV]], %[[SILU]] : f32
// CHECK:   %[[RT:.+]] = arith.truncf %[[R]] : f32 to bf16
// CHECK:   linalg.yield %[[RT]] : bf16
func.func @expert_swiglu_bf16(%s: tensor<2x4x2x32xbf16>, %w1: tensor<4x32x?xbf16>, %b1: tensor<4x?xbf16>, %w2: tensor<4x?x32xbf16>, %b2: tensor<4x32xbf16>) -> tensor<2x4x2x32xbf16> {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<swiglu>
      : tensor<2x4x2x32xbf16>, tensor<4x32x?xbf16>, tensor<4x?xbf16>, tensor<4x?x32xbf16>, tensor<4x32xbf16>
  return %o : tensor<2x4x2x32xbf16>
}
