// Bad input never crashes softmoe-opt: every split below is malformed, each gets
// a diagnostic with its location, and the exit status is 1, not a signal
// (exit-code.py prints a negative status for a signal).
// RUN: %python %softmoe_src/test/Inputs/exit-code.py softmoe-opt %s -split-input-file 2>&1 | FileCheck %s --check-prefixes=CHECK,EXIT
//
// A file cut in the middle of an op, read whole (no splitting), and truncated
// bytecode: a clear error, exit status 1.
// RUN: %python %softmoe_src/test/Inputs/exit-code.py softmoe-opt %S/Inputs/truncated-layer.mlir 2>&1 | FileCheck %s --check-prefix=TRUNCATED
// RUN: softmoe-opt %S/ops-attrs.mlir --emit-bytecode -o %t.mlirbc
// RUN: head -c 300 %t.mlirbc > %t.truncated.mlirbc
// RUN: %python %softmoe_src/test/Inputs/exit-code.py softmoe-opt %t.truncated.mlirbc 2>&1 | FileCheck %s --check-prefix=BYTECODE
//
// TRUNCATED: truncated-layer.mlir:4:106: error: expected non-function type
// TRUNCATED: exit code: 1
// BYTECODE: error: {{.+}}
// BYTECODE: exit code: 1

func.func @truncated(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:33: error: expected non-function type
  %r = softmoe.router %x, %phi :

// -----

func.func @truncated_type(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:66: error: expected 'x' in dimension list
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4

// -----

func.func @unknown_activation(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                              %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:63: error: custom op 'softmoe.expert_apply' expected ::mlir::softmoe::Activation to be one of: gelu_tanh, gelu_erf, relu, silu, geglu, swiglu
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<foo> : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return
}

// -----

func.func @unknown_activation_generic(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                                      %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:90: error: expected ::mlir::softmoe::Activation to be one of: gelu_tanh, gelu_erf, relu, silu, geglu, swiglu
  %r = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2) <{activation = #softmoe.activation<foo>}> : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
  return
}

// -----

func.func @epsilon_i32(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:8: error: invalid properties {epsilon = 1 : i32} for op softmoe.router: Invalid attribute `epsilon` in property conversion: 1 : i32
  %r = "softmoe.router"(%x, %phi) <{epsilon = 1 : i32}> : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return
}

// -----

func.func @epsilon_not_float(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %sc: tensor<f32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:75: error: unexpected decimal integer literal for a floating point value
  %r = softmoe.router %x, %phi scale(%sc : tensor<f32>) normalize epsilon(1) : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @missing_operands(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:30: error: expected ','
  %r = softmoe.layer %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @missing_types(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:53: error: expected ','
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>
  return
}

// -----

func.func @missing_generic_operands(%x: tensor<2x16x32xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:8: error: 'softmoe.layer' op expected 6 or more operands, but found 1
  %r = "softmoe.layer"(%x) : (tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return
}

// -----

func.func @no_operands() {
  // CHECK: malformed.mlir:[[@LINE+1]]:23: error: expected SSA operand
  %r = softmoe.combine : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
  return
}

// -----

func.func @undefined_value(%x: tensor<2x16x32xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:27: error: use of undeclared SSA value name
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>
  return
}

// -----

func.func @unknown_op(%x: tensor<2x16x32xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:8: error: custom op 'softmoe.route' is unknown
  %r = softmoe.route %x : tensor<2x16x32xf32>
  return
}

// -----

func.func @unclosed_mask(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x16xi1>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:57: error: expected ')'
  %r = softmoe.dispatch %l, %x mask(%m : tensor<2x16xi1> : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @mask_without_type(%l: tensor<2x16x4x2xf32>, %x: tensor<2x16x32xf32>, %m: tensor<2x16xi1>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:39: error: expected ':'
  %r = softmoe.dispatch %l, %x mask(%m) : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
  return
}

// -----

func.func @verifier_error(%x: tensor<2x16x32xf32>, %phi: tensor<30x4x2xf32>) {
  // CHECK: malformed.mlir:[[@LINE+1]]:8: error: phi dim 0 (D) is 30 but x dim 2 (D) is 32
  %r = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<30x4x2xf32>
  return
}

// EXIT: exit code: 1
