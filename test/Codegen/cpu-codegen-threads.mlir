// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 threads=2}),canonicalize,cse)" | FileCheck %s
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 threads=1}),canonicalize,cse)" | FileCheck %s --check-prefix=ONE

// With threads > 1 the outermost loop with enough iterations (the batch of
// this batched matmul) becomes an scf.forall; with one thread there is none.

// CHECK-LABEL: func.func @batched
// CHECK:         scf.forall (%{{.*}}) in (16)
// CHECK:           scf.for %{{.*}} = %c0 to %c128 step %c
// ONE-LABEL: func.func @batched
// ONE-NOT:       scf.forall
func.func @batched(%a: memref<16x64x128xf32>, %b: memref<16x128x128xf32>, %c: memref<16x64x128xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<16x64x128xf32>, memref<16x128x128xf32>) outs(%c : memref<16x64x128xf32>)
  return
}
