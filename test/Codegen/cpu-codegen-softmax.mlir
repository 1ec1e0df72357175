// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" 2>&1 | FileCheck %s

// Shapes that once broke the code generation (each must be vectorized, with
// no fallback warning):
// - a row maximum read back broadcast along the row: the permutation-map
//   lowering's transpose and the multi_reduction's unit dimension made the
//   lowering patterns rewrite each other until memory ran out (9.6 GB);
// - a mask (i1) read along the vector lanes: vector<8xi1> is a bit vector
//   in LLVM but a memref holds a byte per i1, so it is read element-wise;
// - a reduction that keeps a unit dimension, (d0, d1, 0): collapsing its
//   dimensions built an invalid memref.collapse_shape.

// CHECK-NOT: warning
// CHECK-LABEL: func.func @row_softmax
// CHECK:         vector.reduction <maximumf>
// CHECK:         math.fma
// CHECK-NOT:     math.exp
// CHECK-NOT:     linalg.
func.func @row_softmax(%l: memref<32x8xf32>, %e: memref<32x8xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  %m = memref.alloc() : memref<32xf32>
  linalg.fill ins(%ninf : f32) outs(%m : memref<32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%l : memref<32x8xf32>) outs(%m : memref<32xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %out : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%l, %m : memref<32x8xf32>, memref<32xf32>) outs(%e : memref<32x8xf32>) {
  ^bb0(%in: f32, %mx: f32, %out: f32):
    %d = arith.subf %in, %mx : f32
    %x = math.exp %d : f32
    linalg.yield %x : f32
  }
  memref.dealloc %m : memref<32xf32>
  return
}

// CHECK-LABEL: func.func @masked
// CHECK-COUNT-16: memref.load %{{.*}} : memref<16xi1>
// CHECK-NOT:     vector.load {{.*}}xi1>
// CHECK:         vector.from_elements {{.*}} : vector<16xi1>
// CHECK:         arith.select %{{.*}} : vector<16xi1>, vector<16xf32>
func.func @masked(%x: memref<2x8xf32>, %k: memref<2x8xi1>, %y: memref<2x8xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %k : memref<2x8xf32>, memref<2x8xi1>) outs(%y : memref<2x8xf32>) {
  ^bb0(%in: f32, %keep: i1, %out: f32):
    %r = arith.select %keep, %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// CHECK-LABEL: func.func @keep_unit_dim
// CHECK-NOT:     memref.collapse_shape {{.*}} memref<2x16x1xf32>
// CHECK:         vector.reduction <maximumf>
// CHECK-NOT:     linalg.
func.func @keep_unit_dim(%l: memref<2x16x8xf32>, %m: memref<2x16x1xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%l : memref<2x16x8xf32>) outs(%m : memref<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %r = arith.maximumf %in, %out : f32
    linalg.yield %r : f32
  }
  return
}
