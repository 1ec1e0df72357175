// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=fusion}))" | FileCheck %s --check-prefix=MM
// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 threads=2 min-parallel-work=0 pack-panels=true stop-after=fusion}))" | FileCheck %s --check-prefix=AVX2
// RUN: softmoe-opt %S/Inputs/stage-layer.mlir --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=fusion}))" | FileCheck %s --check-prefix=LAYER

// The fusion stage (Tiling.cpp, Fusion.cpp) reads the plans: each root is
// tiled to its register tile, column panels outside row strips, and the ops
// fused into it are tiled on the same tile of the accumulator, inside the
// same loops. The last column panel is partial (100 = 80 + 20): its tile
// sizes are still affine.min, for the tile stage to peel (softmoe.peel_root).

// MM-LABEL: func.func @matmul_relu
// MM-NOT:     softmoe.plan
// MM-NOT:     softmoe.fused_into
// MM:         scf.for %[[J:.*]] = %c0 to %c100 step %c80
// MM:           scf.for %[[I:.*]] = %c0{{.*}} to %c10 step %c5
// MM:             %[[W:.*]] = affine.min #{{.*}}(%[[J]])
// MM:             linalg.fill {softmoe.vectorize} {{.*}} outs(%{{.*}} : memref<5x?xf32,
// MM-NEXT:        linalg.matmul {softmoe.reduce_later} ins(%{{.*}}, %{{.*}} : memref<5x16xf32, {{.*}}>, memref<16x?xf32, {{.*}}>) outs(%{{.*}} : memref<5x?xf32,
// MM:             linalg.generic {{.*}} outs(%{{.*}} : memref<5x?xf32, {{.*}} attrs = {softmoe.vectorize}
// MM:             arith.maximumf
// MM:         } {softmoe.peel_root}
// MM-NOT:     linalg.

// Threads over the column panels; each copies its 16-column panel of B
// into a buffer of its own (vectorized like any tile) before the row strips.
// AVX2:       scf.forall (%{{.*}}) = (0) to (100) step (16)
// AVX2:         memref.alloc() {alignment = 64 : i64} : memref<16x16xf32>
// AVX2:         scf.for
// AVX2:           linalg.copy {softmoe.vectorize}
// AVX2:         scf.for %{{.*}} = %c0{{.*}} to %c10 step %c5
// AVX2:           linalg.matmul {softmoe.reduce_later}
// AVX2:         memref.dealloc
// AVX2:       } {softmoe.peel_root}

// In the layer, the first expert GEMM's fill, bias and activation run in
// its loop nest, on its 2x1x1x64 tile.
// LAYER-LABEL: func.func @layer
// LAYER-NOT:     softmoe.plan
// LAYER:         scf.for
// LAYER:           linalg.fill {softmoe.vectorize} {{.*}} outs(%{{.*}} : memref<2x1x1x64xf32,
// LAYER-NEXT:      linalg.contract {{.*}} {softmoe.reduce_later} {{.*}} outs(%{{.*}} : memref<2x1x1x64xf32,
// LAYER:           linalg.generic {{.*}} outs(%{{.*}} : memref<2x1x1x64xf32, {{.*}} attrs = {softmoe.vectorize}
// LAYER:           math.tanh
// LAYER:       } {softmoe.peel_root}
// LAYER-NOT:     softmoe.fused_into
