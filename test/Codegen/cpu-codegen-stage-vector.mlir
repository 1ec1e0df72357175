// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=vector}))" | FileCheck %s --check-prefix=MM --implicit-check-not=softmoe. --implicit-check-not=vector.contract --implicit-check-not=vector.transfer
// RUN: softmoe-opt %S/Inputs/stage-matmul.mlir --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}))" | FileCheck %s --check-prefix=MM --implicit-check-not=softmoe. --implicit-check-not=vector.contract --implicit-check-not=vector.transfer
// RUN: softmoe-opt %S/Inputs/stage-layer.mlir --pass-pipeline="builtin.module(softmoe-decompose,convert-softmoe-to-linalg,canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},canonicalize,cse,buffer-deallocation-pipeline,convert-bufferization-to-memref,func.func(softmoe-cpu-codegen{cpu=avx512 stop-after=vector}))" | FileCheck %s --check-prefix=LAYER --implicit-check-not=softmoe. --implicit-check-not=vector.contract --implicit-check-not=linalg. --implicit-check-not=math.tanh

// The vector stage (VectorPatterns.cpp) is the last: stop-after=vector is the
// whole pass. The fill is forwarded into the accumulators' first values and
// the ReLU runs on the loop's results, both through registers; contractions
// are FMAs, transfers plain loads and stores, and no marker is left.

// MM-LABEL: func.func @matmul_relu
// MM:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// MM:         scf.for %{{.*}} = %c0 to %c10 step %c5
// MM:           %[[ACC:.*]]:25 = scf.for %{{.*}} = %c0 to %c16 step %c1 iter_args(%{{.*}} = %[[ZERO]], %{{.*}} = %[[ZERO]],
// MM:             vector.load %arg1
// MM-COUNT-25:    vector.fma {{.*}} : vector<16xf32>
// MM:             scf.yield
// MM:           %[[R:.*]] = arith.maximumf %[[ACC]]#0, %[[ZERO]] : vector<16xf32>
// MM:           vector.store %[[R]], %arg2
// MM:           scf.for {{.*}} -> (vector<10xf32>,
// MM-COUNT-10:    vector.fma {{.*}} : vector<10xf32>

// The layer: FMAs everywhere, tanh as a polynomial.
// LAYER-LABEL: func.func @layer
// LAYER:         vector.fma
// LAYER:         math.fma
