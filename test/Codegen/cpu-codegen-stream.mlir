// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 threads=2}),canonicalize,cse)" | FileCheck %s --check-prefix=AUTO
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stream-block=0}),canonicalize,cse)" | FileCheck %s --check-prefix=NEVER
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stream-block=4}),canonicalize,cse)" | FileCheck %s --check-prefix=FORCED
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stream-prefetch=false}),canonicalize,cse)" | FileCheck %s --check-prefix=NOPF

// Streamed weights. @expert_stream is one expert GEMM of B-128's kind: 8 rows
// against 1 MiB of weights per expert, memory-bound. Its reduction is tiled
// in blocks of 16 rows of B outside the column panels, the accumulators are
// reloaded per block (so the fill is a kernel of its own, before), and the
// next block is prefetched in memory order through a flat view of B.
// @compute_bound (32 rows of f32, S-32's kind) and @small_b (B fits in L2)
// are read panel by panel as before.

// AUTO-LABEL: func.func @expert_stream
// AUTO:         %[[FLAT:.*]] = memref.collapse_shape %{{.*}} {{\[\[}}0, 1, 2]] : memref<4x256x1024xf32> into memref<1048576xf32>
// The fill, on its own.
// AUTO:         scf.forall
// AUTO:           vector.store
// AUTO:         scf.forall (%[[E:.*]]) in (4)
// AUTO-NEXT:      scf.for %[[K0:.*]] = %c0 to %c256 step %c16
// A narrow register tile of wide panels (4 rows, 4 registers across): B's
// panel is reused from L1 by the other row strip of the block.
// AUTO-NEXT:        scf.for %[[J:.*]] = %c0 to %c1024 step %c64
// AUTO-NEXT:          scf.for %{{.*}} = %c0 to %c8 step %c4
// AUTO-COUNT-16:        vector.load %arg2
// One row of 64 floats is four cache lines: four prefetches per step.
// AUTO:                 scf.for %[[R:.*]] = %c0 to %c16 step %c1 iter_args(
// AUTO:                   %[[P:.*]] = arith.minui %{{.*}}, %c1048575
// AUTO-NEXT:              memref.prefetch %[[FLAT]][%[[P]]], read, locality<3>, data
// AUTO-COUNT-3:           memref.prefetch %[[FLAT]]
// AUTO-NOT:               memref.prefetch
// AUTO:                   scf.yield
// AUTO-COUNT-16:        vector.store
// AUTO-NOT:     linalg.

// NEVER-LABEL: func.func @expert_stream
// NEVER-NOT:     memref.prefetch
// NEVER:         scf.for %{{.*}} = %c0 to %c256 step %c1 iter_args(
// NEVER-NOT:     memref.prefetch
// NEVER-LABEL: func.func @compute_bound

// Any contraction with a longer reduction streams when forced, with
// the remainder block peeled (30 = 7 * 4 + 2).
// FORCED-LABEL: func.func @expert_stream
// FORCED:         scf.for %{{.*}} = %c0 to %c256 step %c4
// FORCED:           scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(
// FORCED:             memref.prefetch
// FORCED-LABEL: func.func @compute_bound
// FORCED:         scf.for %{{.*}} = %c0 to %c384 step %c4
// FORCED:           memref.prefetch
// FORCED-LABEL: func.func @small_b
// FORCED:         scf.for %{{.*}} = %c0 to %c28 step %c4
// FORCED:           scf.for %{{.*}} = %c0 to %c4 step %c1 iter_args(
// FORCED:         scf.for %{{.*}} = %c0 to %c2 step %c1 iter_args(

// NOPF-LABEL: func.func @expert_stream
// NOPF-NOT:     memref.prefetch
// NOPF:         scf.for %{{.*}} = %c0 to %c256 step %c16
// NOPF-NOT:     memref.prefetch
// NOPF-LABEL: func.func @compute_bound

// AUTO-LABEL: func.func @compute_bound
// AUTO-NOT:     memref.prefetch
// AUTO:         scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args(
// AUTO-NOT:     memref.prefetch
// AUTO-LABEL: func.func @small_b
// AUTO-NOT:     memref.prefetch
// AUTO:         scf.for %{{.*}} = %c0 to %c30 step %c1 iter_args(
// AUTO-NOT:     memref.prefetch
func.func @expert_stream(%a: memref<4x8x256xf32>, %b: memref<4x256x1024xf32>, %c: memref<4x8x1024xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<4x8x1024xf32>)
  linalg.batch_matmul ins(%a, %b : memref<4x8x256xf32>, memref<4x256x1024xf32>) outs(%c : memref<4x8x1024xf32>)
  return
}

func.func @compute_bound(%a: memref<32x384xf32>, %b: memref<384x1536xf32>, %c: memref<32x1536xf32>) {
  linalg.matmul ins(%a, %b : memref<32x384xf32>, memref<384x1536xf32>) outs(%c : memref<32x1536xf32>)
  return
}

func.func @small_b(%a: memref<8x30xf32>, %b: memref<30x64xf32>, %c: memref<8x64xf32>) {
  linalg.matmul ins(%a, %b : memref<8x30xf32>, memref<30x64xf32>) outs(%c : memref<8x64xf32>)
  return
}
