// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" 2>&1 | FileCheck %s

// Attention's scores, q . k over the head dimension e: the output's
// contiguous dimension (the keys) is strided in k, so the lanes run along e,
// contiguous in both inputs, and each score is a horizontal sum of one
// register-wide product per 16 lanes. (Lanes along the keys would gather
// from k with a stride of 64; their vector lowering never converged, and the
// function fell back to the loop lowering with a warning.)

// CHECK-NOT:   warning
// CHECK-LABEL: func.func @score
// CHECK:         scf.for %[[M:.*]] = %c0 to %c65 step %c1
// CHECK-NEXT:      scf.for %[[K:.*]] = %c0 to %c65 step %c1
// CHECK-COUNT-4:     vector.load %{{.*}}[%{{.*}}, %[[M]], %c{{[0-9]+}}] : memref<6x65x64xf32>, vector<16xf32>
// CHECK-COUNT-4:     vector.load %{{.*}}[%{{.*}}, %[[K]], %c{{[0-9]+}}] : memref<6x65x64xf32>, vector<16xf32>
// CHECK-COUNT-4:     arith.mulf {{.*}} : vector<16xf32>
// CHECK-COUNT-4:     vector.reduction <add>
// CHECK:             vector.store
// CHECK-NOT:   linalg.
#q = affine_map<(b, h, m, k, e) -> (b, h, m, e)>
#k = affine_map<(b, h, m, k, e) -> (b, h, k, e)>
#o = affine_map<(b, h, m, k, e) -> (b, h, m, k)>
func.func @score(%q: memref<2x3x65x64xf32>, %kk: memref<2x3x65x64xf32>, %s: memref<2x3x65x65xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%s : memref<2x3x65x65xf32>)
  linalg.generic {indexing_maps = [#q, #k, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kk : memref<2x3x65x64xf32>, memref<2x3x65x64xf32>) outs(%s : memref<2x3x65x65xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %m : f32
    linalg.yield %r : f32
  }
  return
}
