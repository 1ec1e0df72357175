// RUN: softmoe-opt %s --softmoe-cpu-pipeline | FileCheck %s
// RUN: softmoe-opt %s --softmoe-cpu-pipeline | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="emit-c-interface=false threads=1" | FileCheck %s --check-prefix=NOCI
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="emit-c-interface=true" | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM
// RUN: softmoe-opt %s --softmoe-cpu-pipeline | FileCheck %s --check-prefix=POLY
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="vectorize=false" | FileCheck %s --check-prefix=LOOPS

// The whole layer, dynamic batch and tokens, masked and normalised, and a bf16
// one, all the way to the LLVM dialect: nothing of softmoe, linalg, tensor,
// memref, scf, math or bufferization is left, and mlir-translate accepts it.

// CHECK-NOT: softmoe.
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// CHECK-NOT: math.
// CHECK-NOT: bufferization.
// CHECK-NOT: unrealized_conversion_cast
// CHECK-DAG: llvm.func @malloc(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @free(!llvm.ptr)
// CHECK-DAG: llvm.func @layer_f32(%{{.*}}) -> !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)> attributes {llvm.emit_c_interface}
// CHECK-DAG: llvm.func @_mlir_ciface_layer_f32(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {llvm.emit_c_interface}
// CHECK-DAG: llvm.func @layer_bf16(%{{.*}}) -> !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)> attributes {llvm.emit_c_interface}
// CHECK-DAG: llvm.func @_mlir_ciface_layer_bf16(
// The private helper is not exported through the C interface.
// CHECK-NOT: _mlir_ciface_helper

// LLVM-DAG: define { ptr, ptr, i64, [3 x i64], [3 x i64] } @layer_f32(
// LLVM-DAG: define void @_mlir_ciface_layer_f32(ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}}, ptr %{{.*}})
// LLVM-DAG: define void @_mlir_ciface_layer_bf16(

// The fast code generation (the default) evaluates exp, tanh and erf as
// vector polynomials on FMAs; vectorize=false keeps the scalar loops, LLVM's
// intrinsics and libm's erff.
// POLY-NOT: @erff
// POLY-NOT: llvm.intr.tanh
// POLY: llvm.intr.fma
// LOOPS-DAG: llvm.func @erff(f32) -> f32
// LOOPS-DAG: llvm.intr.exp
// LOOPS-DAG: llvm.intr.tanh
// LOOPS-NOT: llvm.intr.fma

// NOCI: llvm.func @layer_f32(
// NOCI-NOT: _mlir_ciface_
// NOCI-NOT: llvm.emit_c_interface

func.func @layer_f32(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                     %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %s: tensor<f32>, %m: tensor<?x?xi1>) -> tensor<?x?x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) mask(%m : tensor<?x?xi1>) normalize
      activation<gelu_erf>
      : tensor<?x?x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<?x?x32xf32>
}

func.func private @helper(%x: tensor<2x16x32xbf16>) -> tensor<2x16x32xbf16> {
  return %x : tensor<2x16x32xbf16>
}

func.func @layer_bf16(%x: tensor<2x16x32xbf16>, %phi: tensor<32x4x2xbf16>, %w1: tensor<4x32x64xbf16>, %b1: tensor<4x64xbf16>,
                      %w2: tensor<4x64x32xbf16>, %b2: tensor<4x32xbf16>) -> tensor<2x16x32xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<2x16x32xbf16>, tensor<32x4x2xbf16>, tensor<4x32x64xbf16>, tensor<4x64xbf16>, tensor<4x64x32xbf16>, tensor<4x32xbf16>
  %z = call @helper(%y) : (tensor<2x16x32xbf16>) -> tensor<2x16x32xbf16>
  return %z : tensor<2x16x32xbf16>
}
