// RUN: softmoe-opt %s --split-input-file --allow-unregistered-dialect --softmoe-check-lowered-to-llvm --verify-diagnostics | FileCheck %s

// softmoe-check-lowered-to-llvm: LLVM dialect ops pass, and so do OpenMP ops
// (multithreaded CPU code; mlir-translate takes them as they are). Anything
// else is an error at the first op of its kind.

// CHECK-LABEL: llvm.func @llvm_only
// CHECK: llvm.return
llvm.func @llvm_only(%a: f32) -> f32 {
  %b = llvm.fadd %a, %a : f32
  llvm.return %b : f32
}

// -----

// CHECK-LABEL: llvm.func @openmp
// CHECK: omp.parallel
// CHECK: omp.terminator
llvm.func @openmp() {
  omp.parallel {
    omp.terminator
  }
  llvm.return
}

// -----

llvm.func @arith_left(%a: i32) -> i32 {
  // expected-error @+1 {{'arith.addi' op is not in the LLVM dialect after lowering: the pipeline has no conversion for it here}}
  %b = arith.addi %a, %a : i32
  // Only the first op of each kind is reported.
  %c = arith.addi %b, %b : i32
  llvm.return %c : i32
}

// -----

llvm.func @unregistered() {
  // expected-error @+1 {{'foo.bar' op is not in the LLVM dialect after lowering}}
  "foo.bar"() : () -> ()
  llvm.return
}
