// RUN: softmoe-opt %s --split-input-file --convert-softmoe-to-linalg | FileCheck %s

// Softmax over (N, P) jointly per token (two reduction loops), then
// y[b,m,d] = sum_{n,p} c[b,m,n,p] * out[b,n,p,d].
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$BM:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-DAG: #[[$C:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>
// CHECK-DAG: #[[$O:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>
// CHECK-DAG: #[[$Y:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>
// CHECK-LABEL: func @combine_static
// CHECK-SAME: (%[[L:.+]]: tensor<2x16x4x2xf32>, %[[O:.+]]: tensor<2x4x2x32xf32>)
// CHECK-DAG: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[MXI:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<2x16xf32>)
// CHECK: %[[MX:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$BM]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[L]] : tensor<2x16x4x2xf32>) outs(%[[MXI]] : tensor<2x16xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[E:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$BM]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[L]], %[[MX]] : tensor<2x16x4x2xf32>, tensor<2x16xf32>)
// CHECK:   arith.subf
// CHECK:   math.exp
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$BM]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%[[E]] : tensor<2x16x4x2xf32>)
// CHECK: %[[CW:.+]] = linalg.generic {indexing_maps = [#[[$BM]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SUM]] : tensor<2x16xf32>) outs(%[[E]] : tensor<2x16x4x2xf32>)
// CHECK:   arith.divf
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x16x32xf32>)
// CHECK: %[[Y:.+]] = linalg.generic {indexing_maps = [#[[$C]], #[[$O]], #[[$Y]]], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%[[CW]], %[[O]] : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%[[ACC]] : tensor<2x16x32xf32>)
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @combine_static(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.combine %l, %o : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

// A masked token's combine weights are all zero, so its output row is zero.
// CHECK-LABEL: func @combine_mask_f16
// CHECK-SAME: (%[[L:.+]]: tensor<2x16x4x2xf32>, %[[O:.+]]: tensor<2x4x2x32xf16>, %[[M:.+]]: tensor<2x16xi1>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: math.exp
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction", "reduction"]
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[SUM]], %[[M]] : tensor<2x16xf32>, tensor<2x16xi1>)
// CHECK:   ^bb0(%[[S:.+]]: f32, %[[MV:.+]]: i1, %[[EV:.+]]: f32):
// CHECK:   %[[Q:.+]] = arith.divf %[[EV]], %[[S]] : f32
// CHECK:   %[[SEL:.+]] = arith.select %[[MV]], %[[Q]], %[[ZERO]] : f32
// CHECK:   linalg.yield %[[SEL]]
// CHECK: linalg.generic
// CHECK-SAME: tensor<2x4x2x32xf16>) outs(%{{.+}} : tensor<2x16x32xf32>)
// CHECK:   arith.extf %{{.+}} : f16 to f32
// CHECK: linalg.generic
// CHECK:   arith.truncf %{{.+}} : f32 to f16
// CHECK: return %{{.+}} : tensor<2x16x32xf16>
func.func @combine_mask_f16(%l: tensor<2x16x4x2xf32>, %o: tensor<2x4x2x32xf16>, %m: tensor<2x16xi1>) -> tensor<2x16x32xf16> {
  %y = softmoe.combine %l, %o mask(%m : tensor<2x16xi1>) : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf16>
  return %y : tensor<2x16x32xf16>
}

// -----

// Every size dynamic: B, M from the logits, D from the expert outputs.
// CHECK-LABEL: func @combine_dynamic
// CHECK-SAME: (%[[L:.+]]: tensor<?x?x?x?xf32>, %[[O:.+]]: tensor<?x?x?x?xbf16>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG: %[[B:.+]] = tensor.dim %[[L]], %[[C0]]
// CHECK-DAG: %[[M:.+]] = tensor.dim %[[L]], %[[C1]]
// CHECK-DAG: %[[D:.+]] = tensor.dim %[[O]], %[[C3]]
// CHECK: tensor.empty(%[[B]], %[[M]], %[[D]]) : tensor<?x?x?xf32>
// CHECK: tensor.empty(%[[B]], %[[M]], %[[D]]) : tensor<?x?x?xbf16>
func.func @combine_dynamic(%l: tensor<?x?x?x?xf32>, %o: tensor<?x?x?x?xbf16>) -> tensor<?x?x?xbf16> {
  %y = softmoe.combine %l, %o : tensor<?x?x?x?xf32>, tensor<?x?x?x?xbf16>
  return %y : tensor<?x?x?xbf16>
}
