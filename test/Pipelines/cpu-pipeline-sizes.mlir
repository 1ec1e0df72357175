// RUN: softmoe-opt %s --convert-softmoe-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: softmoe-opt %s --softmoe-cpu-pipeline | FileCheck %s
// RUN: softmoe-opt %s --softmoe-cpu-pipeline | FileCheck %s --check-prefix=NARROW --implicit-check-not="i64 to i32" --implicit-check-not="index to i32"

// Sizes are index values from the lowering to the allocation: products of
// sizes beyond 32 bits (here 2^35 logits) are computed and allocated in i64,
// and no size is truncated to i32 on the way (no i64 or index value is
// narrowed to i32; the CPU codegen may use i32 for other things, such as the
// exponent bits of an exp approximation). Nothing is allocated by this test:
// the sizes are only compiled.

// LINALG-LABEL: func.func @dynamic
// LINALG-DAG: %[[B:.+]] = tensor.dim %arg0, %c0{{.*}} : tensor<?x?x?xf32>
// LINALG-DAG: %[[M:.+]] = tensor.dim %arg0, %c1{{.*}} : tensor<?x?x?xf32>
// LINALG: tensor.empty(%[[B]], %[[M]], %{{.+}}, %{{.+}}) : tensor<?x?x?x?xf32>

// NARROW: llvm.func @malloc(i64)
// CHECK-LABEL: llvm.func @dynamic(
// The logits buffer B*M*N*P: the four sizes multiplied in i64.
// CHECK: %[[BM:.+]] = llvm.mul %{{.+}}, %{{.+}} : i64
// CHECK: %[[BMN:.+]] = llvm.mul %[[BM]], %{{.+}} : i64
// CHECK: %[[BMNP:.+]] = llvm.mul %[[BMN]], %{{.+}} : i64
// CHECK: %[[GEP:.+]] = llvm.getelementptr %{{.+}}[%[[BMNP]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK: %[[BYTES:.+]] = llvm.ptrtoint %[[GEP]] : !llvm.ptr to i64
// CHECK: %[[PADDED:.+]] = llvm.add %[[BYTES]], %{{.+}} : i64
// CHECK: llvm.call @malloc(%[[PADDED]]) : (i64) -> !llvm.ptr
// CHECK-LABEL: llvm.func @static_2pow35(
// 65536 * 65536 * 4 * 2 = 2^35 logits, folded to one i64 constant.
// CHECK: %[[N:.+]] = llvm.mlir.constant(34359738368 : index) : i64
// CHECK: %[[GEP2:.+]] = llvm.getelementptr %{{.+}}[%[[N]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK: llvm.ptrtoint %[[GEP2]] : !llvm.ptr to i64

func.func @dynamic(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>, %w1: tensor<?x?x?xf32>, %b1: tensor<?x?xf32>,
                   %w2: tensor<?x?x?xf32>, %b2: tensor<?x?xf32>, %m: tensor<?x?xi1>) -> tensor<?x?x?xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<?x?xi1>)
      : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  return %y : tensor<?x?x?xf32>
}

func.func @static_2pow35(%x: tensor<65536x65536x2xf32>, %phi: tensor<2x4x2xf32>, %w1: tensor<4x2x8xf32>, %b1: tensor<4x8xf32>,
                         %w2: tensor<4x8x2xf32>, %b2: tensor<4x2xf32>) -> tensor<65536x65536x2xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<65536x65536x2xf32>, tensor<2x4x2xf32>, tensor<4x2x8xf32>, tensor<4x8xf32>, tensor<4x8x2xf32>, tensor<4x2xf32>
  return %y : tensor<65536x65536x2xf32>
}
