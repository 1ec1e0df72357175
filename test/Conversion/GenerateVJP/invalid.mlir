// RUN: softmoe-opt %s --softmoe-generate-vjp --split-input-file -verify-diagnostics

// Only softmoe ops, tensor.cast and func.return can be differentiated.
func.func @other_op(%x: tensor<2x4x8xf32>, %phi: tensor<8x2x1xf32>) -> tensor<2x4x2x1xf32> {
  %l = softmoe.router %x, %phi : tensor<2x4x8xf32>, tensor<8x2x1xf32>
  // expected-error @+1 {{softmoe-generate-vjp: cannot differentiate 'arith.addf'; only softmoe ops, tensor.cast and func.return are supported}}
  %s = arith.addf %l, %l : tensor<2x4x2x1xf32>
  return %s : tensor<2x4x2x1xf32>
}

// -----

// A result must come from a softmoe op.
func.func @returns_argument(%x: tensor<2x4x8xf32>, %phi: tensor<8x2x1xf32>) -> (tensor<2x4x2x1xf32>, tensor<2x4x8xf32>) {
  %l = softmoe.router %x, %phi : tensor<2x4x8xf32>, tensor<8x2x1xf32>
  // expected-error @+1 {{softmoe-generate-vjp: every result must be a float tensor computed by a softmoe op}}
  return %l, %x : tensor<2x4x2x1xf32>, tensor<2x4x8xf32>
}

// -----

// The names it would create are taken.
// expected-error @+1 {{softmoe-generate-vjp: the module already has @f_fwd}}
func.func @f(%x: tensor<2x4x8xf32>, %phi: tensor<8x2x1xf32>) -> tensor<2x4x2x1xf32> {
  %l = softmoe.router %x, %phi : tensor<2x4x8xf32>, tensor<8x2x1xf32>
  return %l : tensor<2x4x2x1xf32>
}
func.func @f_fwd() {
  return
}
