// RUN: softmoe-opt %s --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx2 threads=2}),canonicalize,cse)" 2>&1 | FileCheck %s
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(softmoe-generate-vjp,softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx2 threads=2}),canonicalize,cse)" 2>&1 | FileCheck %s --check-prefix=VJP
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="cpu=avx2 threads=2" 2>&1 | FileCheck %s --check-prefix=PIPE

// Gated layers (geglu f32, swiglu bf16) get the same fast kernels as the
// others: the codegen does not fall back to loops (no warning), the GEMMs
// over the 2H-wide first layer and the H-wide second are FMAs on AVX2
// registers, the gate a * f(g) reads the halves of the first layer's
// buffer directly (its subviews fold away) and is vectorised too, and no
// linalg op is left. The same holds for the generated backward, whose du is
// written in place into the halves of one buffer.

// CHECK-NOT:     warning
// CHECK-LABEL: func.func @geglu
// CHECK:         %[[U:.*]] = memref.alloc() {{.*}} : memref<4x4x2x256xf32>
// CHECK:         vector.fma {{.*}} : vector<8xf32>
// CHECK:         vector.load %[[U]]{{.*}} : memref<4x4x2x256xf32>, vector<8xf32>
// CHECK:         math.fma {{.*}} : vector<8xf32>
// CHECK-NOT:     linalg.
// CHECK:         return
// CHECK-LABEL: func.func @swiglu_bf16
// CHECK:         vector.fma
// CHECK-NOT:     linalg.
// CHECK:         return
// CHECK-NOT:     warning

// VJP-NOT:     warning
// VJP-LABEL: func.func @geglu_vjp
// VJP:         vector.fma {{.*}} : vector<8xf32>
// VJP-NOT:     linalg.
// VJP:         return
// VJP-LABEL: func.func @swiglu_bf16_vjp
// VJP:         vector.fma
// VJP-NOT:     linalg.
// VJP:         return
// VJP-NOT:     warning

// PIPE-NOT: warning
// PIPE: llvm.func @geglu
// PIPE-NOT: warning

func.func @geglu(%x: tensor<4x32x64xf32>, %phi: tensor<64x4x2xf32>, %w1: tensor<4x64x256xf32>, %b1: tensor<4x256xf32>, %w2: tensor<4x128x64xf32>, %b2: tensor<4x64xf32>) -> tensor<4x32x64xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<geglu>
      : tensor<4x32x64xf32>, tensor<64x4x2xf32>, tensor<4x64x256xf32>, tensor<4x256xf32>, tensor<4x128x64xf32>, tensor<4x64xf32>
  return %y : tensor<4x32x64xf32>
}

func.func @swiglu_bf16(%x: tensor<4x32x64xbf16>, %phi: tensor<64x4x2xbf16>, %w1: tensor<4x64x256xbf16>, %b1: tensor<4x256xbf16>, %w2: tensor<4x128x64xbf16>, %b2: tensor<4x64xbf16>, %m: tensor<4x32xi1>) -> tensor<4x32x64xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<4x32xi1>) activation<swiglu>
      : tensor<4x32x64xbf16>, tensor<64x4x2xbf16>, tensor<4x64x256xbf16>, tensor<4x256xbf16>, tensor<4x128x64xbf16>, tensor<4x64xbf16>
  return %y : tensor<4x32x64xbf16>
}
