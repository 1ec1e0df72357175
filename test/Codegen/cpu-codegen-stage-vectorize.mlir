// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=vectorize}))" | FileCheck %s --check-prefix=MM
// RUN: softmoe-opt %S/Inputs/stage-layer.mlir --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=vectorize}))" | FileCheck %s --check-prefix=LAYER

// The vectorize stage (RegisterTiling.cpp) tiles each reduction by one
// register step (a loop marked softmoe.acc_loop) and vectorizes every tile
// whole: one vector.contract per step on the whole 5x80 (or 5x20) register
// tile, the fill and the ReLU as vector ops on the same tile. No linalg op
// is left.

// MM-LABEL: func.func @matmul_relu
// MM:         scf.for %{{.*}} = %c0{{.*}} to %c10 step %c5
// MM:           vector.transfer_write %{{.*}} : vector<5x80xf32>
// MM:           scf.for %{{.*}} = %c0{{.*}} to %c16 step %c1
// MM:             vector.contract {{.*}} : vector<5x1xf32>, vector<1x80xf32> into vector<5x80xf32>
// MM:           } {softmoe.acc_loop}
// MM:           arith.maximumf %{{.*}} : vector<5x80xf32>
// MM:         scf.for %{{.*}} = %c0{{.*}} to %c10 step %c5
// MM:           scf.for %{{.*}} = %c0{{.*}} to %c16 step %c1
// MM:             vector.contract {{.*}} : vector<5x1xf32>, vector<1x20xf32> into vector<5x20xf32>
// MM:           } {softmoe.acc_loop}
// MM-NOT:     linalg.
// MM-NOT:     softmoe.reduce_later
// MM-NOT:     softmoe.vectorize

// The layer's five contractions, each on its register tile; the softmaxes
// reduce along the lanes.
// LAYER-LABEL: func.func @layer
// LAYER-NOT:     linalg.
// LAYER:         vector.contract {{.*}} : vector<16x1xf32>, vector<1x4xf32> into vector<16x4xf32>
// LAYER:         vector.multi_reduction <maximumf>
// LAYER:         vector.contract {{.*}} : vector<1x1x4xf32>, vector<1x1x32xf32> into vector<1x4x32xf32>
// LAYER:         vector.contract {{.*}} : vector<2x1x1x1xf32>, vector<1x1x64xf32> into vector<2x1x1x64xf32>
// LAYER:         math.tanh {{.*}} : vector<2x1x1x64xf32>
// LAYER:         vector.contract {{.*}} : vector<2x1x1x1xf32>, vector<1x1x32xf32> into vector<2x1x1x32xf32>
// LAYER:         vector.contract {{.*}} : vector<1x8x1xf32>, vector<1x1x32xf32> into vector<1x8x32xf32>
// LAYER-NOT:     linalg.
