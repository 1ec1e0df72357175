// RUN: softmoe-opt %s --softmoe-gpu-pipeline | FileCheck %s
// RUN: softmoe-opt %s --softmoe-generate-vjp --softmoe-gpu-pipeline | FileCheck %s --check-prefix=VJP

// A gated layer (geglu, bf16: w1 [N,D,2H], b1 [N,2H]) through
// softmoe-gpu-pipeline: every linalg op a kernel, the GEMMs on tensor cores,
// the gate a * gelu_erf(g) reading the halves of the first layer's buffer;
// and its generated backward. emulate-gated.test runs the kernels.

// CHECK-NOT:   gpu.launch {{blocks|async}}
// CHECK:       llvm.func @softmoe_layer(
// CHECK:         gpu.launch_func <%{{.*}} : !llvm.ptr> @softmoe_layer_kernel
// CHECK:       llvm.func @_mlir_ciface_softmoe_layer(
// CHECK:       gpu.binary @softmoe_layer_kernel
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32

// VJP:       llvm.func @softmoe_layer_vjp(
// VJP:         gpu.launch_func
// VJP:       llvm.func @_mlir_ciface_softmoe_layer_vjp(

func.func @softmoe_layer(%x: tensor<2x16x32xbf16>, %phi: tensor<32x4x2xbf16>, %w1: tensor<4x32x128xbf16>,
                         %b1: tensor<4x128xbf16>, %w2: tensor<4x64x32xbf16>, %b2: tensor<4x32xbf16>) -> tensor<2x16x32xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<geglu>
      : tensor<2x16x32xbf16>, tensor<32x4x2xbf16>, tensor<4x32x128xbf16>, tensor<4x128xbf16>, tensor<4x64x32xbf16>, tensor<4x32xbf16>
  return %y : tensor<2x16x32xbf16>
}
