// The lowering through Debian's mlir-opt and the plugins: softmoe to linalg,
// and softmoe-cpu-pipeline to the LLVM dialect, which mlir-translate accepts
// and which is the very output of softmoe-opt's own pipeline.
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%softmoe_libs/libSoftMoEPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(convert-softmoe-to-linalg)" | FileCheck %s --check-prefix=LINALG
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%softmoe_libs/libSoftMoEPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(softmoe-cpu-pipeline)" -o %t.plugin.mlir
// RUN: FileCheck %s --check-prefix=LLVM --input-file=%t.plugin.mlir
// The batch is dynamic (?), and the plugin's pipeline still gives it the
// register-tiled vector kernels: no fallback warning, vector FMAs.
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%softmoe_libs/libSoftMoEPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(softmoe-cpu-pipeline)" -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --allow-empty --check-prefix=NOWARN
// RUN: mlir-translate --mlir-to-llvmir %t.plugin.mlir | FileCheck %s --check-prefix=LLVMIR
// RUN: softmoe-opt %s --softmoe-cpu-pipeline -o %t.tool.mlir
// RUN: diff %t.tool.mlir %t.plugin.mlir
// Pipeline options pass through the plugin too.
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%softmoe_libs/libSoftMoEPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(softmoe-cpu-pipeline{emit-c-interface=false})" \
// RUN:   | FileCheck %s --check-prefix=NOCI

// LINALG-LABEL: func.func @layer_masked
// LINALG-NOT: softmoe.
// LINALG: linalg.generic
// LINALG-NOT: softmoe.
// LINALG: return

// LLVM-NOT: softmoe.
// LLVM-NOT: linalg.
// LLVM-NOT: tensor.
// LLVM-NOT: memref.
// LLVM-NOT: func.func
// LLVM: llvm.func @layer_masked(
// LLVM: llvm.intr.fma({{.*}}) : (vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>, vector<{{[0-9]+}}xf32>)
// LLVM: llvm.func @_mlir_ciface_layer_masked(
// LLVMIR: define void @_mlir_ciface_layer_masked(
// NOWARN-NOT: warning
// NOCI: llvm.func @layer_masked(
// NOCI-NOT: _mlir_ciface_
func.func @layer_masked(%x: tensor<?x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>,
                        %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>,
                        %m: tensor<?x16xi1>) -> tensor<?x16x32xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<?x16xi1>)
      : tensor<?x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>,
        tensor<4x64x32xf32>, tensor<4x32xf32>
  return %y : tensor<?x16x32xf32>
}
