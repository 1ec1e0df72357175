// RUN: softmoe-opt %s --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx2 threads=2}),canonicalize,cse)" | FileCheck %s --strict-whitespace
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="cpu=avx2 threads=2" | FileCheck %s --check-prefix=OMP
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="cpu=avx2 threads=1" | FileCheck %s --check-prefix=ONE

// A whole (small) layer through the code generation: every linalg op is
// gone, the expert GEMMs are FMAs on AVX2 registers, outer loops are
// scf.forall with two threads, and no buffer is allocated inside a loop
// (every memref.alloc sits at the function's top level, 4 spaces in;
// hence --strict-whitespace).
// Through the pipeline, threads=2 becomes omp.parallel with two threads.

// CHECK-LABEL: func.func @layer
// CHECK-NOT:     {{ {6,}%[a-z_0-9]+ = memref.alloca?\(}}
// CHECK:         scf.forall
// CHECK-NOT:     {{ {6,}%[a-z_0-9]+ = memref.alloca?\(}}
// CHECK:         vector.fma {{.*}} : vector<8xf32>
// CHECK-NOT:     {{ {6,}%[a-z_0-9]+ = memref.alloca?\(}}
// CHECK-NOT:     linalg.
// CHECK:         return

// OMP: omp.parallel num_threads(%{{.*}} : i32)
// OMP: omp.wsloop
// ONE-NOT: omp.
func.func @layer(%x: tensor<4x32x64xf32>, %phi: tensor<64x4x2xf32>, %w1: tensor<4x64x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x128x64xf32>, %b2: tensor<4x64xf32>) -> tensor<4x32x64xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_tanh>
      : tensor<4x32x64xf32>, tensor<64x4x2xf32>, tensor<4x64x128xf32>, tensor<4x128xf32>, tensor<4x128x64xf32>, tensor<4x64xf32>
  return %y : tensor<4x32x64xf32>
}
