// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stream-block=0}),canonicalize,cse)" | FileCheck %s --check-prefix=PEEL
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" | FileCheck %s --check-prefix=VERSIONS
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 threads=2 stream-block=0}),canonicalize,cse)" | FileCheck %s --check-prefix=THREADS

// A dynamic row count (a `?` batch or token count) gets the register tile of
// the static kernels: the row loop is peeled at a multiple of the tile's 8
// rows, full tiles keep 8x48 accumulators in registers, and the rest of the
// rows (fewer than 8, known only at run time) runs one row at a time, still
// 3 registers wide. The fused fill is part of the full tiles' accumulators.

// PEEL-LABEL: func.func @rows_dynamic
// PEEL:         %[[DIM:.*]] = memref.dim %arg0, %c0 : memref<?x384xf32>
// PEEL:         scf.for %{{.*}} = %c0 to %c1536 step %c48 {
// PEEL:           %[[SPLIT:.*]] = affine.apply #{{.*}}()[%[[DIM]]]
// PEEL:           scf.for %{{.*}} = %c0 to %[[SPLIT]] step %c8 {
// PEEL:             scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// PEEL-COUNT-24:      vector.fma {{.*}} : vector<16xf32>
// PEEL:           scf.for %[[REM:.*]] = %[[SPLIT]] to %[[DIM]] step %c8 {
// PEEL:             %[[ROWS:.*]] = affine.min #{{.*}}(%[[REM]])[%[[DIM]]]
// PEEL:             scf.for %{{.*}} = %c0 to %[[ROWS]] step %c1 {
// PEEL-COUNT-3:       vector.store %cst
// PEEL:             scf.for %{{.*}} = %c0 to %[[ROWS]] step %c1 {
// PEEL:               scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
// PEEL-COUNT-3:         vector.fma {{.*}} : vector<16xf32>
// PEEL-NOT:     linalg.
// PEEL-NOT:     vector.mask

// With the default stream-block, whether this contraction should stream its
// weights depends on the rows (memory-bound below 16 rows of f32): both
// kernels are compiled and the run-time row count picks one.

// VERSIONS-LABEL: func.func @rows_dynamic
// VERSIONS:         %[[DIM:.*]] = memref.dim %arg0, %c0 : memref<?x384xf32>
// VERSIONS:         %[[FEW:.*]] = arith.cmpi ule, %[[DIM]], %c16 : index
// VERSIONS:         scf.if %[[FEW]] {
// Streamed: 16-row blocks of the weights outside the 64-wide panels.
// VERSIONS:           scf.for %{{.*}} = %c0 to %c384 step %c16 {
// VERSIONS:             scf.for %{{.*}} = %c0 to %c1536 step %c64 {
// VERSIONS:               memref.prefetch
// VERSIONS:         } else {
// VERSIONS:           scf.for %{{.*}} = %c0 to %c1536 step %c48 {
// VERSIONS-NOT:     linalg.

func.func @rows_dynamic(%a: memref<?x384xf32>, %b: memref<384x1536xf32>, %c: memref<?x1536xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x1536xf32>)
  linalg.matmul ins(%a, %b : memref<?x384xf32>, memref<384x1536xf32>) outs(%c : memref<?x1536xf32>)
  return
}

// A row maximum over the static dimension of a [B, M, S] tensor with B and M
// dynamic: B and M collapse into one dynamic dimension as they would if they
// were static, and the lanes still run along S.

// PEEL-LABEL: func.func @softmax_dynamic
// PEEL:         memref.collapse_shape %arg0 {{\[}}[0, 1], [2]] : memref<?x?x128xf32> into memref<?x128xf32>
// PEEL:         scf.for
// PEEL:           scf.for %{{.*}} = %c0 to %c128 step %c64 iter_args
// PEEL-COUNT-4:     vector.reduction <maximumf>, {{.*}} : vector<16xf32> into f32
// PEEL-NOT:     linalg.
func.func @softmax_dynamic(%x: memref<?x?x128xf32>, %m: memref<?x?xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%m : memref<?x?xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, m, s) -> (b, m, s)>, affine_map<(b, m, s) -> (b, m)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<?x?x128xf32>) outs(%m : memref<?x?xf32>) {
  ^bb0(%v: f32, %acc: f32):
    %r = arith.maximumf %v, %acc : f32
    linalg.yield %r : f32
  }
  return
}

// Threads split a dynamic row count at run time (scf.forall over it, when
// the columns are too few to share), and each thread's rows are peeled like
// a whole extent.

// THREADS-LABEL: func.func @narrow
// THREADS:         %[[DIM:.*]] = memref.dim %arg0, %c0 : memref<?x64xf32>
// THREADS:         scf.forall (%{{.*}}) = (0) to (%[[DIM]]) step (8) {
// THREADS:           scf.for %{{.*}} = %c0 to %{{.*}} step %c8 {
// THREADS:             scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// THREADS:           scf.for %{{.*}} step %c8 {
// THREADS:             scf.for %{{.*}} = %c0 to %{{.*}} step %c1 {
// THREADS-NOT:     linalg.
func.func @narrow(%a: memref<?x64xf32>, %b: memref<64x48xf32>, %c: memref<?x48xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<?x48xf32>)
  linalg.matmul ins(%a, %b : memref<?x64xf32>, memref<64x48xf32>) outs(%c : memref<?x48xf32>)
  return
}
