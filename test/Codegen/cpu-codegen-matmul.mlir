// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" | FileCheck %s --check-prefix=AVX512
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2}),canonicalize,cse)" | FileCheck %s --check-prefix=AVX2
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 register-tile=4x32}),canonicalize,cse)" | FileCheck %s --check-prefix=OVERRIDE

// A 32x384 @ 384x1536 matmul (one expert of S-32): the register tile's
// accumulators are iter_args of the reduction loop, updated by FMAs on
// vectors of one register, and only stored after it.

// AVX512-LABEL: func.func @expert_up
// AVX512:         scf.for %{{.*}} = %c0 to %c1536 step %c48
// AVX512:           scf.for %{{.*}} = %c0 to %c32 step %c8
// AVX512:             %[[ACC:.*]]:24 = scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args({{.*}}) -> (vector<16xf32>,
// AVX512-COUNT-24:      vector.fma {{.*}} : vector<16xf32>
// AVX512:               scf.yield
// AVX512-COUNT-24:    vector.store %[[ACC]]#{{[0-9]+}}
// AVX512-NOT:     linalg.

// AVX2-LABEL: func.func @expert_up
// AVX2:         scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args({{.*}}) -> (vector<8xf32>,
// AVX2-NOT:     vector<16xf32>
// AVX2-NOT:     linalg.

// OVERRIDE-LABEL: func.func @expert_up
// OVERRIDE:         scf.for %{{.*}} = %c0 to %c1536 step %c32
// OVERRIDE:           scf.for %{{.*}} = %c0 to %c32 step %c4
// OVERRIDE:             scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
func.func @expert_up(%a: memref<32x384xf32>, %b: memref<384x1536xf32>, %c: memref<32x1536xf32>) {
  linalg.matmul ins(%a, %b : memref<32x384xf32>, memref<384x1536xf32>) outs(%c : memref<32x1536xf32>)
  return
}
