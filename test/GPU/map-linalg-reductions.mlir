// RUN: softmoe-opt %s --softmoe-gpu-map-linalg --split-input-file | FileCheck %s

// Reducing the contiguous dimension (sum over D of x^2): one warp per output,
// lanes striding over D, then a butterfly of xor shuffles; lane 0 stores. The
// fill of the output is folded (its 0 is the sum's neutral element).
// CHECK-LABEL: func.func @rows
// CHECK-NOT:     linalg.
// CHECK:         scf.forall (%{{.*}}) in (14) {
// CHECK:           scf.for {{.*}} step %c32
// CHECK-COUNT-5:   gpu.shuffle  xor
// CHECK:           memref.store {{.*}} : memref<3x37xf32>
// CHECK:         softmoe.gpu.kernel = "warp_reduction"
// CHECK-NOT:     scf.forall
func.func @rows(%x: memref<3x37x200xf32>, %s: memref<3x37xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%s : memref<3x37xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, m, d) -> (b, m, d)>, affine_map<(b, m, d) -> (b, m)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<3x37x200xf32>) outs(%s : memref<3x37xf32>) {
  ^bb0(%v: f32, %o: f32):
    %0 = arith.mulf %v, %v : f32
    %1 = arith.addf %o, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Reducing a strided dimension (the softmax over tokens of [B,M,N,P] logits):
// 32 consecutive outputs per block, the reduction split over the 8 warps,
// partial maxima combined through shared memory after a barrier.
// CHECK-LABEL: func.func @columns
// CHECK:         scf.forall (%{{.*}}) in (4) {
// CHECK:           memref.alloc() : memref<8x32xf32, #gpu.address_space<workgroup>>
// CHECK:           scf.for {{.*}} step %c8
// CHECK:             arith.maximumf
// CHECK:           gpu.barrier
// CHECK-COUNT-7:   arith.maximumf
// CHECK:         softmoe.gpu.kernel = "split_reduction"
func.func @columns(%l: memref<3x45x9x4xf32>, %mx: memref<3x9x4xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%mx : memref<3x9x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, n, p, m) -> (b, m, n, p)>, affine_map<(b, n, p, m) -> (b, n, p)>],
                  iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%l : memref<3x45x9x4xf32>) outs(%mx : memref<3x9x4xf32>) {
  ^bb0(%v: f32, %o: f32):
    %0 = arith.maximumf %o, %v : f32
    linalg.yield %0 : f32
  }
  return
}

// -----

// A body that is not `out = combiner(out, f(in))` keeps its sequential
// order: a thread per output loops over the reduction.
// CHECK-LABEL: func.func @sequential
// CHECK:         scf.forall
// CHECK-NOT:       gpu.shuffle
// CHECK:           scf.for {{.*}} iter_args
// CHECK:         softmoe.gpu.kernel = "pointwise"
func.func @sequential(%x: memref<3x37x20xf32>, %s: memref<3x37xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%s : memref<3x37xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, m, d) -> (b, m, d)>, affine_map<(b, m, d) -> (b, m)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<3x37x20xf32>) outs(%s : memref<3x37xf32>) {
  ^bb0(%v: f32, %o: f32):
    %h = arith.constant 0.5 : f32
    %0 = arith.mulf %o, %h : f32
    %1 = arith.addf %0, %v : f32
    linalg.yield %1 : f32
  }
  return
}

// -----

// Elementwise ops, broadcasts and copies: a thread per element.
// CHECK-LABEL: func.func @pointwise
// CHECK:         scf.forall (%{{.*}}) in (19) {
// CHECK:           gpu.thread_id  x
// CHECK:           math.exp
// CHECK:         softmoe.gpu.kernel = "pointwise"
// CHECK:         scf.forall
// CHECK:         softmoe.gpu.kernel = "pointwise"
func.func @pointwise(%l: memref<3x45x9x4xf32>, %mx: memref<3x9x4xf32>, %e: memref<3x45x9x4xf32>, %c: memref<3x45x9x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(b, m, n, p) -> (b, m, n, p)>, affine_map<(b, m, n, p) -> (b, n, p)>,
                                   affine_map<(b, m, n, p) -> (b, m, n, p)>],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%l, %mx : memref<3x45x9x4xf32>, memref<3x9x4xf32>) outs(%e : memref<3x45x9x4xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %0 = arith.subf %a, %m : f32
    %1 = math.exp %0 : f32
    linalg.yield %1 : f32
  }
  memref.copy %e, %c : memref<3x45x9x4xf32> to memref<3x45x9x4xf32>
  return
}
