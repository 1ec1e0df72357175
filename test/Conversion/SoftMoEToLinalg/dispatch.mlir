// RUN: softmoe-opt %s --split-input-file --convert-softmoe-to-linalg | FileCheck %s

// Softmax over M per (b, n, p): max, exp(l - max), sum, divide; then
// slots[b,n,p,d] = sum_m w[b,m,n,p] * x[b,m,d], M innermost.
// CHECK-DAG: #[[$L_BNPM:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>
// CHECK-DAG: #[[$BNP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[$ID4:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[$BNP_OF_BMNP:.+]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[$W:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>
// CHECK-DAG: #[[$X:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>
// CHECK-DAG: #[[$S:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @dispatch_static
// CHECK-SAME: (%[[L:.+]]: tensor<2x16x4x2xf32>, %[[X:.+]]: tensor<2x16x32xf32>)
// CHECK-DAG: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[MXI:.+]] = linalg.fill ins(%[[NINF]] : f32) outs(%{{.+}} : tensor<2x4x2xf32>)
// CHECK: %[[MX:.+]] = linalg.generic {indexing_maps = [#[[$L_BNPM]], #[[$BNP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[L]] : tensor<2x16x4x2xf32>) outs(%[[MXI]] : tensor<2x4x2xf32>)
// CHECK:   arith.maximumf
// CHECK: %[[E:.+]] = linalg.generic {indexing_maps = [#[[$ID4]], #[[$BNP_OF_BMNP]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[L]], %[[MX]] : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%{{.+}} : tensor<2x16x4x2xf32>)
// CHECK:   %[[D:.+]] = arith.subf
// CHECK:   %[[EX:.+]] = math.exp %[[D]] : f32
// CHECK:   linalg.yield %[[EX]] : f32
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[$L_BNPM]], #[[$BNP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[E]] : tensor<2x16x4x2xf32>)
// CHECK:   arith.addf
// Without a mask the sum is at least 1: a plain division, in place over e.
// CHECK: %[[W:.+]] = linalg.generic {indexing_maps = [#[[$BNP_OF_BMNP]], #[[$ID4]]], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[SUM]] : tensor<2x4x2xf32>) outs(%[[E]] : tensor<2x16x4x2xf32>)
// CHECK:   ^bb0(%[[S:.+]]: f32, %[[EV:.+]]: f32):
// CHECK:   %[[Q:.+]] = arith.divf %[[EV]], %[[S]] : f32
// CHECK:   linalg.yield %[[Q]] : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x4x2x32xf32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[$W]], #[[$X]], #[[$S]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]} ins(%[[W]], %[[X]] : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%[[ACC]] : tensor<2x4x2x32xf32>)
// CHECK: return %[[R]] : tensor<2x4x2x32xf32>
func.func @dispatch_static(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>) -> tensor<2x4x2x32xf32> {
  %s = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return %s : tensor<2x4x2x32xf32>
}

// -----

// Masked tokens: -inf in the max, 0 in the exp; a zero sum (every token of the
// group masked) gives zero weights, not 0/0. bf16 x is extended in the
// contraction and the f32 slots truncated back. B and M are dynamic.
// CHECK-LABEL: func @dispatch_mask_bf16_dynamic
// CHECK-SAME: (%[[L:.+]]: tensor<?x?x4x2xf32>, %[[X:.+]]: tensor<?x?x32xbf16>, %[[M:.+]]: tensor<?x?xi1>)
// CHECK-DAG: %[[NINF:.+]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[B:.+]] = tensor.dim %[[L]], %{{.+}} : tensor<?x?x4x2xf32>
// CHECK: tensor.empty(%[[B]]) : tensor<?x4x2xf32>
// CHECK: %[[MX:.+]] = linalg.generic
// CHECK-SAME: ins(%[[L]], %[[M]] : tensor<?x?x4x2xf32>, tensor<?x?xi1>)
// CHECK:   ^bb0(%[[LV:.+]]: f32, %[[MV:.+]]: i1, %[[ACC:.+]]: f32):
// CHECK:   %[[SEL:.+]] = arith.select %[[MV]], %[[LV]], %[[NINF]] : f32
// CHECK:   arith.maximumf %[[ACC]], %[[SEL]] : f32
// CHECK: %[[E:.+]] = linalg.generic
// CHECK-SAME: ins(%[[L]], %[[M]], %[[MX]] : tensor<?x?x4x2xf32>, tensor<?x?xi1>, tensor<?x4x2xf32>)
// CHECK:   ^bb0(%[[LV:.+]]: f32, %[[MV:.+]]: i1, %[[MXV:.+]]: f32, %{{.+}}: f32):
// CHECK:   %[[D:.+]] = arith.subf %[[LV]], %[[MXV]] : f32
// CHECK:   %[[EX:.+]] = math.exp %[[D]] : f32
// CHECK:   %[[EM:.+]] = arith.select %[[MV]], %[[EX]], %[[ZERO]] : f32
// CHECK:   linalg.yield %[[EM]]
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: %[[W:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<?x4x2xf32>) outs(%[[E]] : tensor<?x?x4x2xf32>)
// CHECK:   ^bb0(%[[S:.+]]: f32, %[[EV:.+]]: f32):
// CHECK:   %[[Q:.+]] = arith.divf %[[EV]], %[[S]] : f32
// CHECK:   %[[POS:.+]] = arith.cmpf ogt, %[[S]], %[[ZERO]] : f32
// CHECK:   %[[G:.+]] = arith.select %[[POS]], %[[Q]], %[[ZERO]] : f32
// CHECK:   linalg.yield %[[G]]
// CHECK: %[[ACC:.+]] = linalg.generic
// CHECK-SAME: ins(%[[W]], %[[X]] : tensor<?x?x4x2xf32>, tensor<?x?x32xbf16>) outs(%{{.+}} : tensor<?x4x2x32xf32>)
// CHECK:   ^bb0(%[[WV:.+]]: f32, %[[XV:.+]]: bf16, %[[A:.+]]: f32):
// CHECK:   %[[XF:.+]] = arith.extf %[[XV]] : bf16 to f32
// CHECK:   %[[P:.+]] = arith.mulf %[[WV]], %[[XF]] : f32
// CHECK:   arith.addf %[[A]], %[[P]] : f32
// CHECK: %[[T:.+]] = linalg.generic
// CHECK-SAME: ins(%[[ACC]] : tensor<?x4x2x32xf32>) outs(%{{.+}} : tensor<?x4x2x32xbf16>)
// CHECK:   arith.truncf %{{.+}} : f32 to bf16
// CHECK: return %[[T]] : tensor<?x4x2x32xbf16>
func.func @dispatch_mask_bf16_dynamic(%l: tensor<?x?x4x2xf32>, %x: tensor<?x?x32xbf16>, %m: tensor<?x?xi1>) -> tensor<?x4x2x32xbf16> {
  %s = softmoe.dispatch %l, %x mask(%m : tensor<?x?xi1>) : tensor<?x?x4x2xf32>, tensor<?x?x32xbf16>
  return %s : tensor<?x4x2x32xbf16>
}

// -----

// f16 data: the same f32 softmax, f16 truncation at the end.
// CHECK-LABEL: func @dispatch_f16
// CHECK: arith.extf %{{.+}} : f16 to f32
// CHECK: arith.truncf %{{.+}} : f32 to f16
// CHECK: return %{{.+}} : tensor<2x4x2x32xf16>
func.func @dispatch_f16(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf16>) -> tensor<2x4x2x32xf16> {
  %s = softmoe.dispatch %l, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf16>
  return %s : tensor<2x4x2x32xf16>
}
