// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=tile}))" | FileCheck %s --check-prefix=MM
// RUN: sed 's/tensor<2x8x32xf32>/tensor<?x8x32xf32>/g' %S/Inputs/stage-layer.mlir | softmoe-opt --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=tile}))" | FileCheck %s --check-prefix=LAYER

// The tile stage (Tiling.cpp) peels the last partial iteration of every
// kernel's loops: the full column panel and the 20-column rest become loop
// nests of their own, each with tile sizes of one expression (folded to
// constants by the vectorize stage). The markers for the next stages stay.

// MM-LABEL: func.func @matmul_relu
// MM-NOT:     softmoe.peel_root
// MM:         scf.for %{{.*}} = %c0 to %[[SPLIT:c80.*]] step %c80
// MM:           scf.for %{{.*}} = %c0{{.*}} to %c10 step %c5
// MM:             affine.apply #{{.*}}()
// MM:             linalg.matmul {softmoe.reduce_later}
// MM:         scf.for %[[J:.*]] = %[[SPLIT]] to %c100 step %c80
// MM:           scf.for %{{.*}} = %c0{{.*}} to %c10 step %c5
// MM:             affine.apply #{{.*}}(%[[J]])
// MM:             linalg.fill {softmoe.vectorize}
// MM:             linalg.matmul {softmoe.reduce_later}
// MM:             linalg.generic {{.*}} attrs = {softmoe.vectorize}
// MM-NOT:     softmoe.peel_root

// With a dynamic batch, the router's 16-token tiles run up to the last
// multiple of 16 and the rest in a loop of its own.
// LAYER-DAG:   #[[FULL:.*]] = affine_map<()[s0] -> ((s0 floordiv 16) * 16)>
// LAYER-LABEL: func.func @layer
// LAYER:         scf.for
// LAYER:           %[[N:.*]] = affine.apply #[[FULL]]()[%{{.*}}]
// LAYER:           scf.for %{{.*}} = %c0{{.*}} to %[[N]] step %c16
// LAYER:             linalg.contract {{.*}} {softmoe.reduce_later}
// LAYER:           scf.for %{{.*}} = %[[N]] to %{{.*}} step %c16
// LAYER:             linalg.contract {{.*}} {softmoe.reduce_later}
// LAYER-NOT:     softmoe.peel_root
