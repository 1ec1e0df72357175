// RUN: not softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx9000}))" 2>&1 | FileCheck %s --check-prefix=TARGET
// RUN: not softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{register-tile=8by48}))" 2>&1 | FileCheck %s --check-prefix=TILE

// RUN: not softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{stop-after=pack}))" 2>&1 | FileCheck %s --check-prefix=STOP
// RUN: not softmoe-opt %s --softmoe-cpu-pipeline="cpu=avx9000" 2>&1 | FileCheck %s --check-prefix=PIPE

// TARGET: error: softmoe-cpu-codegen: unknown cpu 'avx9000'
// TILE: error: softmoe-cpu-codegen: register-tile '8by48' is not MRxNR
// STOP: error: softmoe-cpu-codegen: stop-after must be one of plan, fusion, tile, vectorize, register, vector, not 'pack'
// PIPE: error: softmoe-cpu-codegen: unknown cpu 'avx9000'
func.func @f(%a: memref<4x4xf32>, %b: memref<4x4xf32>, %c: memref<4x4xf32>) {
  linalg.matmul ins(%a, %b : memref<4x4xf32>, memref<4x4xf32>) outs(%c : memref<4x4xf32>)
  return
}
