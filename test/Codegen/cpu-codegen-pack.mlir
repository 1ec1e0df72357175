// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 threads=2 pack-panels=true}),canonicalize,cse)" | FileCheck %s
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 threads=1 pack-panels=true}),canonicalize,cse)" | FileCheck %s --check-prefix=SERIAL
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 threads=2}),canonicalize,cse)" | FileCheck %s --check-prefix=OFF

// Packed panels. @experts is S-32's first expert GEMM: 32 rows (8 strips of
// the 4x24 AVX2 tile) against 384 x 1536 weights per expert, whose rows are
// 6 KiB apart. Each 384 x 24 panel is copied into a contiguous buffer inside
// the panel loop, before the row strips, and the strips read the copy.

// CHECK-LABEL: func.func @experts
// CHECK:         scf.forall (%[[E:.*]]) in (32)
// One buffer per thread's iteration, on the heap (the OpenMP lowering makes
// the iteration an alloca scope).
// CHECK-NEXT:      %[[BUF:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x384x24xf32>
// CHECK-NEXT:      scf.for %[[J:.*]] = %c0 to %c1536 step %c24
// The copy: 8 rows of 3 registers per step.
// CHECK-NEXT:        scf.for %[[K:.*]] = %c0 to %c384 step %c8
// CHECK-COUNT-24:      vector.load %arg1[%[[E]]
// CHECK-COUNT-24:      vector.store %{{.*}}, %[[BUF]]
// CHECK:             scf.for %{{.*}} = %c0 to %c32 step %c4
// CHECK:               scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args(
// CHECK-NOT:             vector.load %arg1
// CHECK-COUNT-3:         vector.load %[[BUF]]
// CHECK-NOT:             vector.load %arg1
// CHECK:                 scf.yield
// CHECK:           memref.dealloc %[[BUF]]
// CHECK-NEXT:    }

// Without threads the buffer is one stack allocation per call.
// SERIAL-LABEL: func.func @experts
// SERIAL:         %[[BUF:.*]] = memref.alloca() {alignment = 64 : i64} : memref<1x384x24xf32>
// SERIAL-NOT:     memref.alloc(
// SERIAL:         scf.for %{{.*}} = %c0 to %c32 step %c1
// SERIAL-NEXT:      scf.for %{{.*}} = %c0 to %c1536 step %c24
// SERIAL-NEXT:        scf.for %{{.*}} = %c0 to %c384 step %c8
// SERIAL-NOT:     memref.dealloc

// OFF-LABEL: func.func @experts
// OFF-NOT:     memref.alloc
// OFF:         scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args(
// OFF:           vector.load %arg1
func.func @experts(%a: memref<32x32x384xf32>, %b: memref<32x384x1536xf32>,
                   %c: memref<32x32x1536xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<32x32x1536xf32>)
  linalg.batch_matmul ins(%a, %b : memref<32x32x384xf32>, memref<32x384x1536xf32>)
                      outs(%c : memref<32x32x1536xf32>)
  return
}

// Four rows are one strip: the panel is read once, nothing to pack.
// CHECK-LABEL: func.func @one_strip
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @one_strip(%a: memref<32x4x384xf32>, %b: memref<32x384x1536xf32>,
                     %c: memref<32x4x1536xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<32x4x1536xf32>)
  linalg.batch_matmul ins(%a, %b : memref<32x4x384xf32>, memref<32x384x1536xf32>)
                      outs(%c : memref<32x4x1536xf32>)
  return
}

// A second column dimension of B (n1, besides the lanes' n2) is tiled inside
// the row strips, so the panel is not invariant in them: not packed.
// CHECK-LABEL: func.func @two_column_dims
// CHECK-NOT:     memref.alloc
// CHECK:         return
func.func @two_column_dims(%a: memref<64x384xf32>, %b: memref<4x384x256xf32>,
                           %c: memref<64x4x256xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%c : memref<64x4x256xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n1, n2, k) -> (m, k)>,
                                   affine_map<(m, n1, n2, k) -> (n1, k, n2)>,
                                   affine_map<(m, n1, n2, k) -> (m, n1, n2)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<64x384xf32>, memref<4x384x256xf32>)
      outs(%c : memref<64x4x256xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}
