// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=plan}))" | FileCheck %s --check-prefix=MM
// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 threads=2 min-parallel-work=0 pack-panels=true stop-after=plan}))" | FileCheck %s --check-prefix=AVX2
// RUN: softmoe-opt %S/Inputs/stage-layer.mlir --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=plan}))" | FileCheck %s --check-prefix=LAYER

// The plan stage (KernelPlan.cpp) only decides: every kernel root carries its
// plan (softmoe.plan: tile sizes per loop dimension, the parallel loops'
// order, the thread split, streaming, packing, bf16 pairs), every op fused
// into a kernel carries that kernel's number, and nothing is tiled yet.

// MM-LABEL: func.func @matmul_relu
// MM:         linalg.fill {softmoe.fused_into = 0 : i64}
// MM-NEXT:    linalg.matmul {softmoe.plan = {kernel = 0 : i64, lane_dim = 1 : i64, parallel_order = array<i64: 1, 0>, parallel_tiles = array<i64: 5, 80, 0>, reduction_tiles = array<i64: 0, 0, 1>, row_dims = array<i64: 0>, row_input = 0 : i64}}
// MM-NEXT:    linalg.generic {{.*}} attrs = {softmoe.fused_into = 0 : i64}
// MM-NOT:     scf.for

// Threads split the column panels; AVX2's 5x16 tile makes B's panel worth
// packing for the two row strips.
// AVX2:       linalg.matmul {softmoe.plan = {forall_dim = 1 : i64, k_dim = 2 : i64, kernel = 0 : i64, lane_dim = 1 : i64, pack_b, parallel_order = array<i64: 1, 0>, parallel_tiles = array<i64: 5, 16, 0>,

// The layer: the router, the softmaxes' reductions and broadcasts, the
// dispatch, both expert GEMMs (the bias and activation fused into their
// kernel) and the combine are kernels 0 to 12, in program order.
// LAYER-LABEL: func.func @layer
// LAYER:         linalg.fill {softmoe.fused_into = 0 : i64}
// LAYER-NEXT:    linalg.contract {{.*}} {softmoe.plan = {kernel = 0 : i64, lane_dim = 1 : i64, {{.*}}} ins({{.*}} : memref<16x32xf32>, memref<32x4xf32>)
// LAYER:         linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "parallel"]{{.*}} attrs = {softmoe.plan = {kernel = 1 : i64, parallel_order = array<i64: 0, 2>, parallel_tiles = array<i64: 1, 0, 4>, reduction_tiles = array<i64: 0, 1, 0>}}
// LAYER:         linalg.fill {softmoe.fused_into = 6 : i64}
// LAYER-NEXT:    linalg.contract {{.*}} {softmoe.plan = {kernel = 6 : i64, lane_dim = 3 : i64, parallel_order = array<i64: 1, 3, 2, 0>, parallel_tiles = array<i64: 2, 1, 1, 64, 0>, {{.*}}} ins({{.*}} : memref<2x2x2x32xf32>, memref<2x32x64xf32>)
// LAYER-NEXT:    linalg.generic {{.*}} ins(%arg3 : memref<2x64xf32>) {{.*}} attrs = {softmoe.fused_into = 6 : i64}
// LAYER:         math.tanh
// A reduction along the lanes keeps its lane tile.
// LAYER:         linalg.generic {{.*}} attrs = {softmoe.lane_reduction = array<i64: 1, 4>, softmoe.plan = {kernel = 8 : i64,
// LAYER:         linalg.contract {{.*}} {softmoe.plan = {kernel = 12 : i64,
// LAYER-NOT:     softmoe.plan
// LAYER-NOT:     scf.for
