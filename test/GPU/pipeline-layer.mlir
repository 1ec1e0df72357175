// RUN: softmoe-opt %s --softmoe-gpu-pipeline | FileCheck %s
// RUN: sed 's/bf16/f32/g' %s | softmoe-opt --softmoe-gpu-pipeline="chip=sm_90" | FileCheck %s --check-prefix=F32

// The whole layer through softmoe-gpu-pipeline: kernels as PTX inside
// gpu.binary ops (no CUDA toolkit needed for format=isa), host code in the
// LLVM dialect calling the mgpu* runtime on one stream, and the C interface
// that drivers call. bf16 GEMMs use tensor cores; the softmaxes use shuffles.

// CHECK-NOT:   gpu.launch {{blocks|async}}
// CHECK:       llvm.func @softmoe_layer(
// CHECK:         llvm.call @mgpuStreamCreate()
// CHECK:         llvm.call @mgpuMemAlloc(
// CHECK:         gpu.launch_func <%{{.*}} : !llvm.ptr> @softmoe_layer_kernel::@softmoe_layer_kernel
// CHECK:         llvm.call @mgpuMemFree(
// CHECK:         llvm.call @mgpuStreamSynchronize(
// CHECK:         llvm.call @mgpuStreamDestroy(
// CHECK:       llvm.func @_mlir_ciface_softmoe_layer(
// The first kernel is the logits GEMM, on tensor cores:
// CHECK:       gpu.binary @softmoe_layer_kernel {{.*}}chip = "sm_80", features = "+ptx80"{{.*}}assembly = "{{.*}}.target sm_80
// CHECK-SAME:    mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK:       shfl.sync.bfly
// Every kernel is self-contained: no calls to functions it cannot resolve.
// CHECK-NOT:   call.uni
// CHECK-NOT:   __nv_
// CHECK:       llvm.func @mgpuStreamCreate()

// F32:         llvm.func @_mlir_ciface_softmoe_layer(
// F32-NOT:     mma.sync
// F32:         chip = "sm_90"
// F32-NOT:     mma.sync
// F32:         shfl.sync.bfly
// F32-NOT:     mma.sync
// F32:         llvm.func @mgpuStreamCreate()
func.func @softmoe_layer(%x: tensor<2x16x32xbf16>, %phi: tensor<32x4x2xbf16>,
                         %w1: tensor<4x32x64xbf16>, %b1: tensor<4x64xbf16>,
                         %w2: tensor<4x64x32xbf16>, %b2: tensor<4x32xbf16>) -> tensor<2x16x32xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<2x16x32xbf16>, tensor<32x4x2xbf16>, tensor<4x32x64xbf16>, tensor<4x64xbf16>,
        tensor<4x64x32xbf16>, tensor<4x32xbf16>
  return %y : tensor<2x16x32xbf16>
}
