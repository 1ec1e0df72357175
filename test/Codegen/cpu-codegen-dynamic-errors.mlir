// RUN: not softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{expected-size=0}))" 2>&1 | FileCheck %s --check-prefix=OPTION
// RUN: softmoe-opt %s --split-input-file --verify-diagnostics --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen))"

// OPTION: error: softmoe-cpu-codegen: expected-size must be >= 1

// The function's own expected size must be a positive integer too.
// expected-error @+1 {{softmoe-cpu-codegen: softmoe.expected_size must be a positive integer}}
func.func @negative(%a: memref<?x4xf32>, %b: memref<4x4xf32>, %c: memref<?x4xf32>) attributes {softmoe.expected_size = -3 : i64} {
  linalg.matmul ins(%a, %b : memref<?x4xf32>, memref<4x4xf32>) outs(%c : memref<?x4xf32>)
  return
}

// -----

// expected-error @+1 {{softmoe-cpu-codegen: softmoe.expected_size must be a positive integer}}
func.func @text(%a: memref<?x4xf32>, %b: memref<4x4xf32>, %c: memref<?x4xf32>) attributes {softmoe.expected_size = "many"} {
  linalg.matmul ins(%a, %b : memref<?x4xf32>, memref<4x4xf32>) outs(%c : memref<?x4xf32>)
  return
}
