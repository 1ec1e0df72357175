// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=plan}))" | FileCheck %s --check-prefix=PLAN
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 stop-after=plan}))" | FileCheck %s --check-prefix=PLAN2
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" 2>&1 | FileCheck %s --check-prefix=AVX512
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2}),canonicalize,cse)" 2>&1 | FileCheck %s --check-prefix=AVX2

// Transposing elementwise kernels (the backward's [N,H,Q] <-> [N,Q,H]
// copies): a lanes x lanes tile of the input's and the output's contiguous
// dimensions, read by rows, transposed in registers (shuffles) and stored by
// rows. Lanes along one side alone stored (or loaded) one element at a time.

// PLAN-LABEL:  func.func @transpose_exp
// PLAN:          softmoe.plan = {kernel = 0 : i64, parallel_order = array<i64: 0, 1, 2>, parallel_tiles = array<i64: 1, 16, 16>
// PLAN2-LABEL: func.func @transpose_exp
// PLAN2:         softmoe.plan = {kernel = 0 : i64, parallel_order = array<i64: 0, 1, 2>, parallel_tiles = array<i64: 1, 8, 8>

// AVX512-NOT:      warning
// AVX512-LABEL:    func.func @transpose_exp
// AVX512:            scf.for {{.*}} step %c16
// AVX512-NEXT:         scf.for {{.*}} step %c16
// AVX512-COUNT-16:       vector.load %{{.*}} : memref<32x1536x32xf32>, vector<16xf32>
// AVX512-COUNT-64:       vector.shuffle
// AVX512-COUNT-16:       vector.store %{{.*}} : memref<32x32x1536xf32>, vector<16xf32>
// AVX512-NOT:          vector<1xf32>
// AVX2-LABEL:      func.func @transpose_exp
// AVX2-COUNT-8:          vector.load %{{.*}} : memref<32x1536x32xf32>, vector<8xf32>
// AVX2:                  vector.shuffle
// AVX2-COUNT-8:          vector.store %{{.*}} : memref<32x32x1536xf32>, vector<8xf32>
// AVX2-NOT:            vector<1xf32>
#in = affine_map<(n, q, h) -> (n, h, q)>
#out = affine_map<(n, q, h) -> (n, q, h)>
func.func @transpose_exp(%a: memref<32x1536x32xf32>, %b: memref<32x32x1536xf32>) {
  linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%a : memref<32x1536x32xf32>) outs(%b : memref<32x32x1536xf32>) {
  ^bb0(%x: f32, %y: f32):
    %e = math.exp %x : f32
    linalg.yield %e : f32
  }
  return
}

// An output dimension narrower than a register (P = 4) keeps the lanes along
// the input's contiguous H: the math runs on full registers.
// PLAN-LABEL:  func.func @narrow_output
// PLAN:          parallel_tiles = array<i64: 1, 1, 1, 64>
// AVX512-LABEL: func.func @narrow_output
// AVX2-LABEL:   func.func @narrow_output
// AVX512-NOT:     vector.shuffle
// AVX512:         return
#u = affine_map<(n, b, p, h) -> (b, n, p, h)>
#bias = affine_map<(n, b, p, h) -> (n, h)>
#o = affine_map<(n, b, p, h) -> (n, h, b, p)>
func.func @narrow_output(%u: memref<8x32x4x1536xf32>, %b1: memref<32x1536xf32>, %out: memref<32x1536x8x4xf32>) {
  linalg.generic {indexing_maps = [#u, #bias, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
    ins(%u, %b1 : memref<8x32x4x1536xf32>, memref<32x1536xf32>) outs(%out : memref<32x1536x8x4xf32>) {
  ^bb0(%x: f32, %c: f32, %y: f32):
    %s = arith.addf %x, %c : f32
    linalg.yield %s : f32
  }
  return
}

// A broadcast (b1 does not run along the output's contiguous dimension) is
// not a transpose: plain lanes along H.
// PLAN-LABEL:  func.func @broadcast
// PLAN:          parallel_tiles = array<i64: 1, 1, 64>
#bin = affine_map<(n, q, h) -> (n, h)>
func.func @broadcast(%a: memref<32x1536xf32>, %b: memref<32x32x1536xf32>) {
  linalg.generic {indexing_maps = [#bin, #out], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%a : memref<32x1536xf32>) outs(%b : memref<32x32x1536xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}

// Sizes that are not whole registers keep the one-sided plan.
// PLAN-LABEL:  func.func @ragged
// PLAN:          parallel_tiles = array<i64: 1, 1, 
// PLAN-NOT:      parallel_tiles = array<i64: 1, 16, 16>
#rin = affine_map<(n, q, h) -> (n, h, q)>
func.func @ragged(%a: memref<3x20x30xf32>, %b: memref<3x30x20xf32>) {
  linalg.generic {indexing_maps = [#rin, #out], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%a : memref<3x20x30xf32>) outs(%b : memref<3x30x20xf32>) {
  ^bb0(%x: f32, %y: f32):
    linalg.yield %x : f32
  }
  return
}

// A factor per row of the tile (s[n, q], q the input's contiguous dimension)
// is read as a column, shape_cast to vector<16x1xf32> and broadcast along the
// rows; that shape_cast stays whole through the register stage (22.1's
// shape_cast unrolling reads an array of length -1 for an all-ones target,
// which the sanitizer build reports).
// PLAN-LABEL:  func.func @transpose_row_factor
// PLAN:          parallel_tiles = array<i64: 1, 16, 16>
// AVX512-LABEL: func.func @transpose_row_factor
// AVX512-COUNT-64: vector.shuffle
// AVX512:          arith.mulf {{.*}} : vector<16xf32>
// AVX512:          return
// AVX2-LABEL:   func.func @transpose_row_factor
// AVX2:            vector.shuffle
// AVX2:            arith.mulf {{.*}} : vector<8xf32>
#rowf = affine_map<(n, q, h) -> (n, q)>
func.func @transpose_row_factor(%a: memref<4x64x32xf32>, %s: memref<4x32xf32>, %b: memref<4x32x64xf32>) {
  linalg.generic {indexing_maps = [#in, #rowf, #out], iterator_types = ["parallel", "parallel", "parallel"]}
    ins(%a, %s : memref<4x64x32xf32>, memref<4x32xf32>) outs(%b : memref<4x32x64xf32>) {
  ^bb0(%x: f32, %f: f32, %y: f32):
    %m = arith.mulf %x, %f : f32
    linalg.yield %m : f32
  }
  return
}
