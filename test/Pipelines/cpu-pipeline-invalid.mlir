// RUN: not softmoe-opt %S/cpu-pipeline.mlir --softmoe-cpu-pipeline="threads=two" 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not softmoe-opt %S/cpu-pipeline.mlir --softmoe-cpu-pipeline="bogus=1" 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: not softmoe-opt %s --mlir-very-unsafe-disable-verifier-on-parsing --softmoe-cpu-pipeline 2>&1 | FileCheck %s

// A bad option value and IR the lowering cannot take both fail with a message
// (here the verifier that runs after the first pass reports the IR).
// OPT: for the --threads option: 'two' value invalid for integer argument
// UNKNOWN: no such option bogus
// CHECK: error: x element type must be f32, bf16 or f16, but is f64

func.func @f64(%x: tensor<2x16x32xf64>, %phi: tensor<32x4x2xf64>) -> tensor<2x16x4x2xf32> {
  %l = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf64>, tensor<32x4x2xf64>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}
