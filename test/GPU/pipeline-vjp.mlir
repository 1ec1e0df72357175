// RUN: softmoe-opt %s --softmoe-generate-vjp --softmoe-gpu-pipeline | FileCheck %s

// The generated backward of a layer (normalize, mask, silu) through
// softmoe-gpu-pipeline: every linalg op of @f_vjp becomes a kernel, compiled
// to PTX (format=isa needs no CUDA toolkit), launched on one stream by host
// code in the LLVM dialect, with the C interface drivers call.

// CHECK:       llvm.func @f_vjp(
// CHECK:         llvm.call @mgpuStreamCreate()
// CHECK-COUNT-40: gpu.launch_func <%{{.*}} : !llvm.ptr> @f_vjp_kernel{{(_[0-9]+)?}}::@f_vjp_kernel
// CHECK:         llvm.call @mgpuStreamSynchronize(
// CHECK:       llvm.func @_mlir_ciface_f_vjp(
// CHECK:       gpu.binary @f_vjp_kernel {{.*}}assembly = "{{.*}}.target sm_80
// CHECK-NOT:   __nv_

func.func @f(%x: tensor<2x4x8xf32>, %phi: tensor<8x2x1xf32>, %w1: tensor<2x8x6xf32>, %b1: tensor<2x6xf32>, %w2: tensor<2x6x8xf32>, %b2: tensor<2x8xf32>, %s: tensor<f32>, %m: tensor<2x4xi1>) -> tensor<2x4x8xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) mask(%m : tensor<2x4xi1>) normalize activation<silu>
      : tensor<2x4x8xf32>, tensor<8x2x1xf32>, tensor<2x8x6xf32>, tensor<2x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>
  return %y : tensor<2x4x8xf32>
}
