// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=tile}))" | FileCheck %s --check-prefix=TILE
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=vectorize}))" | FileCheck %s --check-prefix=VEC
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 prefetch-distance=8}),canonicalize,cse)" | FileCheck %s --check-prefix=PREFETCH
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" | FileCheck %s --check-prefix=NOPREFETCH

// stop-after shows the stages of one expert GEMM: loop nests around linalg
// tiles, then vector.contract on whole register tiles before unrolling.
// Every stage (plan, fusion, tile, vectorize, register, vector) has a test of
// its own on a small matmul and a small layer: cpu-codegen-stage-*.mlir.
// prefetch-distance adds a prefetch of the B row 8 iterations ahead, in the
// reduction loop, next to the loads of B.

// TILE-LABEL: func.func @expert_up
// TILE:         scf.for
// TILE:           scf.for
// TILE:             linalg.matmul {{.*}} memref<8x384xf32, {{.*}} memref<384x48xf32, {{.*}} outs(%{{.*}} : memref<8x48xf32
// TILE-NOT:     vector.

// VEC-LABEL: func.func @expert_up
// VEC:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x48xf32> into vector<8x48xf32>
// VEC-NOT:     vector.fma
// VEC-NOT:     linalg.

// PREFETCH-LABEL: func.func @expert_up
// PREFETCH:         scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args
// PREFETCH:           memref.prefetch %{{.*}}[%{{.*}}, %{{.*}}], read, locality<3>, data : memref<384x1536xf32>
// PREFETCH:           vector.fma

// NOPREFETCH-NOT: memref.prefetch
func.func @expert_up(%a: memref<32x384xf32>, %b: memref<384x1536xf32>, %c: memref<32x1536xf32>) {
  linalg.matmul ins(%a, %b : memref<32x384xf32>, memref<384x1536xf32>) outs(%c : memref<32x1536xf32>)
  return
}
