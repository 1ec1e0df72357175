// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" | FileCheck %s

// The first expert GEMM as the lowering writes it: the bias broadcast that
// initializes h, the contraction (a generic, per expert), and the activation
// in place. The bias becomes the accumulators' initial value, the
// activation runs on the registers after the reduction loop, and h is
// written once.

// CHECK-LABEL: func.func @expert_up_bias_gelu
// CHECK:         scf.for %[[N:.*]] = %c0 to %c4 step %c1
// CHECK:           scf.for %[[H:.*]] = %c0 to %c96 step %c48
// CHECK:             %[[B0:.*]] = vector.load %{{.*}}[%[[N]], %[[H]]] : memref<4x96xf32>, vector<16xf32>
// CHECK-NOT:         vector.store
// CHECK:             scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args(%{{.*}} = %[[B0]],
// CHECK-COUNT-24:      vector.fma
// CHECK:             }
// CHECK:             math.fma
// CHECK-NOT:         math.tanh
// CHECK:             vector.store
// CHECK-NOT:     linalg.
#bias = affine_map<(b, n, p, h) -> (n, h)>
#id4 = affine_map<(b, n, p, h) -> (b, n, p, h)>
#slots = affine_map<(b, n, p, h, d) -> (b, n, p, d)>
#w = affine_map<(b, n, p, h, d) -> (n, d, h)>
#out = affine_map<(b, n, p, h, d) -> (b, n, p, h)>
func.func @expert_up_bias_gelu(%s: memref<8x4x2x32xf32>, %w1: memref<4x32x96xf32>, %b1: memref<4x96xf32>) -> memref<8x4x2x96xf32> {
  %h = memref.alloc() : memref<8x4x2x96xf32>
  linalg.generic {indexing_maps = [#bias, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b1 : memref<4x96xf32>) outs(%h : memref<8x4x2x96xf32>) {
  ^bb0(%in: f32, %o: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#slots, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%s, %w1 : memref<8x4x2x32xf32>, memref<4x32x96xf32>) outs(%h : memref<8x4x2x96xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %0 = arith.mulf %a, %b : f32
    %1 = arith.addf %c, %0 : f32
    linalg.yield %1 : f32
  }
  linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h : memref<8x4x2x96xf32>) outs(%h : memref<8x4x2x96xf32>) {
  ^bb0(%x: f32, %o: f32):
    %t = math.tanh %x : f32
    %y = arith.mulf %x, %t : f32
    linalg.yield %y : f32
  }
  return %h : memref<8x4x2x96xf32>
}
