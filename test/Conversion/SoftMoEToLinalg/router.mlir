// RUN: softmoe-opt %s --split-input-file --convert-softmoe-to-linalg | FileCheck %s

// logits[b,m,n,p] = sum_d x[b,m,d] * phi[d,n,p]: one einsum, D innermost.
// CHECK-DAG: #[[$X:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>
// CHECK-DAG: #[[$PHI:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>
// CHECK-DAG: #[[$L:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func @router_static
// CHECK-SAME: (%[[X:.+]]: tensor<2x16x32xf32>, %[[PHI:.+]]: tensor<32x4x2xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.0{{.*}} : f32
// CHECK: %[[E:.+]] = tensor.empty() : tensor<2x16x4x2xf32>
// CHECK: %[[F:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2x16x4x2xf32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[$X]], #[[$PHI]], #[[$L]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[PHI]] : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%[[F]] : tensor<2x16x4x2xf32>)
// CHECK: ^bb0(%[[A:.+]]: f32, %[[B:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK:   %[[P:.+]] = arith.mulf %[[A]], %[[B]] : f32
// CHECK:   %[[S:.+]] = arith.addf %[[ACC]], %[[P]] : f32
// CHECK:   linalg.yield %[[S]] : f32
// CHECK: return %[[R]]
// CHECK-NOT: softmoe.
func.func @router_static(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

// Every size dynamic: B and M from x, N and P from phi.
// CHECK-LABEL: func @router_dynamic
// CHECK-SAME: (%[[X:.+]]: tensor<?x?x?xf32>, %[[PHI:.+]]: tensor<?x?x?xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG: %[[B:.+]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG: %[[M:.+]] = tensor.dim %[[X]], %[[C1]]
// CHECK-DAG: %[[N:.+]] = tensor.dim %[[PHI]], %[[C1]]
// CHECK-DAG: %[[P:.+]] = tensor.dim %[[PHI]], %[[C2]]
// CHECK: tensor.empty(%[[B]], %[[M]], %[[N]], %[[P]]) : tensor<?x?x?x?xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[X]], %[[PHI]] : tensor<?x?x?xf32>, tensor<?x?x?xf32>)
func.func @router_dynamic(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>) -> tensor<?x?x?x?xf32> {
  %l = softmoe.router %x, %phi : tensor<?x?x?xf32>, tensor<?x?x?xf32>
  return %l : tensor<?x?x?x?xf32>
}

// -----

// A static size on one operand beats a dynamic one on another: no tensor.dim
// for N and P. (A declared result type must be the inferred one; the function's
// less static result type comes from an explicit cast.)
// CHECK-LABEL: func @router_mixed
// CHECK-SAME: (%[[X:.+]]: tensor<?x16x32xf32>
// CHECK: %[[B:.+]] = tensor.dim %[[X]], %{{.+}} : tensor<?x16x32xf32>
// CHECK-NOT: tensor.dim
// CHECK: tensor.empty(%[[B]]) : tensor<?x16x4x2xf32>
// CHECK: %[[R:.+]] = linalg.generic
// CHECK: %[[C:.+]] = tensor.cast %[[R]] : tensor<?x16x4x2xf32> to tensor<?x?x?x?xf32>
// CHECK: return %[[C]]
func.func @router_mixed(%x: tensor<?x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<?x?x?x?xf32> {
  %l = "softmoe.router"(%x, %phi)
      : (tensor<?x16x32xf32>, tensor<32x4x2xf32>) -> tensor<?x16x4x2xf32>
  %c = tensor.cast %l : tensor<?x16x4x2xf32> to tensor<?x?x?x?xf32>
  return %c : tensor<?x?x?x?xf32>
}

// -----

// normalize on bf16: sums of squares and the normalised x and phi in f32, the
// scale multiplied into phi, then the f32 contraction.
// CHECK-DAG: #[[$ID3:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$RED2:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[$PHIT:.+]] = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
// CHECK-DAG: #[[$NP:.+]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[$SCALAR:.+]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func @router_normalize_bf16
// CHECK-SAME: (%[[X:.+]]: tensor<2x16x32xbf16>, %[[PHI:.+]]: tensor<32x4x2xbf16>, %[[S:.+]]: tensor<bf16>)
// CHECK: %[[EPS:.+]] = arith.constant 9.99999974E-6 : f32
// sum_d x^2, per token
// CHECK: %[[SSX:.+]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$RED2]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[X]] : tensor<2x16x32xbf16>) outs(%{{.+}} : tensor<2x16xf32>)
// CHECK:   %[[V:.+]] = arith.extf %{{.+}} : bf16 to f32
// CHECK:   %[[SQ:.+]] = arith.mulf %[[V]], %[[V]] : f32
// CHECK:   arith.addf %{{.+}}, %[[SQ]] : f32
// xn = x * rsqrt(ssx + eps)
// CHECK: %[[XN:.+]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$RED2]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[SSX]] : tensor<2x16x32xbf16>, tensor<2x16xf32>) outs(%{{.+}} : tensor<2x16x32xf32>)
// CHECK:   arith.extf
// CHECK:   %[[T:.+]] = arith.addf %{{.+}}, %[[EPS]] : f32
// CHECK:   math.rsqrt %[[T]] : f32
// CHECK:   arith.mulf
// sum_d phi^2, per slot
// CHECK: %[[SSP:.+]] = linalg.generic {indexing_maps = [#[[$PHIT]], #[[$RED2]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[PHI]] : tensor<32x4x2xbf16>) outs(%{{.+}} : tensor<4x2xf32>)
// phin = scale * phi * rsqrt(ssp + eps)
// CHECK: %[[PHIN:.+]] = linalg.generic {indexing_maps = [#[[$ID3]], #[[$NP]], #[[$SCALAR]], #[[$ID3]]], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[PHI]], %[[SSP]], %[[S]] : tensor<32x4x2xbf16>, tensor<4x2xf32>, tensor<bf16>) outs(%{{.+}} : tensor<32x4x2xf32>)
// CHECK:   ^bb0(%[[P:.+]]: bf16, %[[SS:.+]]: f32, %[[SC:.+]]: bf16, %{{.+}}: f32):
// CHECK:   %[[SCF:.+]] = arith.extf %[[SC]] : bf16 to f32
// CHECK:   %[[PF:.+]] = arith.extf %[[P]] : bf16 to f32
// CHECK:   %[[M1:.+]] = arith.mulf %[[SCF]], %[[PF]] : f32
// CHECK:   %[[A:.+]] = arith.addf %[[SS]], %[[EPS]] : f32
// CHECK:   %[[R:.+]] = math.rsqrt %[[A]] : f32
// CHECK:   arith.mulf %[[M1]], %[[R]] : f32
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[XN]], %[[PHIN]] : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%{{.+}} : tensor<2x16x4x2xf32>)
func.func @router_normalize_bf16(%x: tensor<2x16x32xbf16>, %phi: tensor<32x4x2xbf16>, %s: tensor<bf16>) -> tensor<2x16x4x2xf32> {
  %l = softmoe.router %x, %phi scale(%s : tensor<bf16>) normalize epsilon(1.0e-5)
      : tensor<2x16x32xbf16>, tensor<32x4x2xbf16>
  return %l : tensor<2x16x4x2xf32>
}

// -----

// The bf16 contraction extends both operands inside the body.
// CHECK-LABEL: func @router_bf16
// CHECK: linalg.generic
// CHECK-SAME: outs(%{{.+}} : tensor<2x16x4x2xf32>)
// CHECK: ^bb0(%[[A:.+]]: bf16, %[[B:.+]]: bf16, %[[ACC:.+]]: f32):
// CHECK:   %[[AF:.+]] = arith.extf %[[A]] : bf16 to f32
// CHECK:   %[[BF:.+]] = arith.extf %[[B]] : bf16 to f32
// CHECK:   %[[P:.+]] = arith.mulf %[[AF]], %[[BF]] : f32
// CHECK:   arith.addf %[[ACC]], %[[P]] : f32
func.func @router_bf16(%x: tensor<2x16x32xbf16>, %phi: tensor<32x4x2xbf16>) -> tensor<2x16x4x2xf32> {
  %l = softmoe.router %x, %phi : tensor<2x16x32xbf16>, tensor<32x4x2xbf16>
  return %l : tensor<2x16x4x2xf32>
}
