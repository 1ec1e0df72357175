// RUN: softmoe-opt %s --softmoe-cpu-pipeline | FileCheck %s
// RUN: softmoe-opt %s --softmoe-cpu-pipeline | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVM

// Layers in places other than a function's top level, functions on memrefs,
// zero-size dimensions and calls: softmoe-cpu-pipeline lowers all of them to
// the LLVM dialect (its last pass fails on anything left over), and
// mlir-translate accepts the result.

// CHECK-NOT: softmoe.
// CHECK-NOT: linalg.
// CHECK-NOT: scf.
// CHECK-NOT: bufferization.
// CHECK-DAG: llvm.func @in_for(
// CHECK-DAG: llvm.func @in_if(
// CHECK-DAG: llvm.func @memref_io(
// CHECK-DAG: llvm.func @memref_only(
// CHECK-DAG: llvm.func @zero_batch(
// CHECK-DAG: llvm.func @zero_experts(
// CHECK-DAG: llvm.func @with_calls(
// CHECK-DAG: llvm.func @external(

// LLVM-DAG: define { ptr, ptr, i64, [3 x i64], [3 x i64] } @in_for(
// LLVM-DAG: define { ptr, ptr, i64, [3 x i64], [3 x i64] } @in_if(
// LLVM-DAG: define void @memref_io(
// LLVM-DAG: define { ptr, ptr, i64, [3 x i64], [3 x i64] } @zero_batch(
// LLVM-DAG: declare { ptr, ptr, i64, [3 x i64], [3 x i64] } @external(

// The layer applied n times, each iteration's output feeding the next: the
// loop yields a fresh buffer per iteration.
func.func @in_for(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %n: index) -> tensor<2x16x32xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> tensor<2x16x32xf32> {
    %y = softmoe.layer %acc, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
    scf.yield %y : tensor<2x16x32xf32>
  }
  return %r : tensor<2x16x32xf32>
}

func.func @in_if(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %c: i1) -> tensor<2x16x32xf32> {
  %r = scf.if %c -> tensor<2x16x32xf32> {
    %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
    scf.yield %y : tensor<2x16x32xf32>
  } else {
    scf.yield %x : tensor<2x16x32xf32>
  }
  return %r : tensor<2x16x32xf32>
}

// Inputs and output in caller-owned memrefs.
func.func @memref_io(%xm: memref<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                     %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %out: memref<2x16x32xf32>) {
  %x = bufferization.to_tensor %xm restrict : memref<2x16x32xf32> to tensor<2x16x32xf32>
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  bufferization.materialize_in_destination %y in restrict writable %out : (tensor<2x16x32xf32>, memref<2x16x32xf32>) -> ()
  return
}

func.func @memref_only(%a: memref<4xf32>, %b: memref<?xf32>) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %v = memref.load %b[%c0] : memref<?xf32>
  memref.store %v, %a[%c0] : memref<4xf32>
  return %a : memref<4xf32>
}

// No groups: an empty result.
func.func @zero_batch(%x: tensor<0x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                      %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<0x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<0x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<0x16x32xf32>
}

// No experts: every token's output is the empty sum over slots, zero
// (docs/robustness.md).
func.func @zero_experts(%x: tensor<2x16x32xf32>, %phi: tensor<32x0x2xf32>, %w1: tensor<0x32x64xf32>, %b1: tensor<0x64xf32>,
                        %w2: tensor<0x64x32xf32>, %b2: tensor<0x32xf32>) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x0x2xf32>, tensor<0x32x64xf32>, tensor<0x64xf32>, tensor<0x64x32xf32>, tensor<0x32xf32>
  return %y : tensor<2x16x32xf32>
}

func.func private @external(tensor<2x16x32xf32>) -> tensor<2x16x32xf32>

// A call to an external function and a recursive call around the layer.
func.func @with_calls(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %again: i1) -> tensor<2x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  %z = call @external(%y) : (tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %r = scf.if %again -> tensor<2x16x32xf32> {
    %f = arith.constant false
    %w = func.call @with_calls(%z, %phi, %w1, %b1, %w2, %b2, %f)
        : (tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>, i1) -> tensor<2x16x32xf32>
    scf.yield %w : tensor<2x16x32xf32>
  } else {
    scf.yield %z : tensor<2x16x32xf32>
  }
  return %r : tensor<2x16x32xf32>
}
