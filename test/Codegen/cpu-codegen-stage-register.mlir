// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=register}))" | FileCheck %s --check-prefix=MM
// RUN: softmoe-opt %S/Inputs/stage-layer.mlir --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=register}))" | FileCheck %s --check-prefix=LAYER --implicit-check-not="into vector<{{[0-9]+x[0-9]}}"

// The register stage (RegisterTiling.cpp) unrolls every vector op to one
// register (16 lanes on AVX-512; the 20-column rest in pieces of 10) and
// carries the accumulator tile in registers across the reduction loop: its
// 25 (or 10) registers are iter_args, read before the loop and written after
// it. The fill and the ReLU still go through memory: forwarding them
// through registers is the vector stage's.

// MM-LABEL: func.func @matmul_relu
// MM:         scf.for %{{.*}} = %c0 to %c10 step %c5
// MM-COUNT-25:  vector.transfer_write %{{.*}} : vector<16xf32>, memref<10x100xf32>
// MM-COUNT-25:  vector.transfer_read %arg2{{.*}} : memref<10x100xf32>, vector<16xf32>
// MM:           %[[ACC:.*]]:25 = scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<16xf32>,
// MM-COUNT-25:    vector.contract {{.*}} : vector<1xf32>, vector<1x16xf32> into vector<16xf32>
// MM:             scf.yield
// MM:           } {softmoe.acc_loop}
// MM:           vector.transfer_write %[[ACC]]#0, %arg2
// MM:           %[[C:.*]] = vector.transfer_read %arg2
// MM:           arith.maximumf %[[C]], %{{.*}} : vector<16xf32>
// MM:           %{{.*}}:10 = scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args({{.*}}) -> (vector<10xf32>,
// MM-COUNT-10:    vector.contract {{.*}} : vector<1xf32>, vector<1x10xf32> into vector<10xf32>
// MM-NOT:     vector<5x

// Every contraction of the layer now yields one register.
// LAYER-LABEL: func.func @layer
// LAYER:         scf.for {{.*}} iter_args({{.*}}) -> (vector<4xf32>,
// LAYER:         vector.contract {{.*}} into vector<4xf32>
// LAYER:         scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>,
// LAYER:         vector.contract {{.*}} into vector<16xf32>
// LAYER:         softmoe.acc_loop
