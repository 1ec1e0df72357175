// RUN: softmoe-opt %s --split-input-file --allow-unregistered-dialect --mlir-very-unsafe-disable-verifier-on-parsing --convert-softmoe-to-linalg --verify-diagnostics

// More IR that skipped the verifier, beyond invalid.mlir: operand lists the
// op accessors cannot read, tensor encodings the einsums would misread, and
// static sizes whose byte counts do not fit in i64. Each is a diagnostic and
// a failed pass, never a crash or silently wrong code.

func.func @router_one_operand(%x: tensor<2x16x32xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op expected 2 or more operands, but found 1}}
  %l = "softmoe.router"(%x) : (tensor<2x16x32xf32>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @layer_no_segments(%x: tensor<2x16x32xf32>) -> tensor<2x16x32xf32> {
  // expected-error @+1 {{'softmoe.layer' op expected 6 or more operands, but found 1}}
  %y = "softmoe.layer"(%x) : (tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// -----

func.func @expert_apply_too_many(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,
                                 %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  // expected-error @+1 {{'softmoe.expert_apply' op expected 5 operands, but found 6}}
  %o = "softmoe.expert_apply"(%s, %w1, %b1, %w2, %b2, %b2)
      : (tensor<2x4x2x32xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>, tensor<4x32xf32>) -> tensor<2x4x2x32xf32>
  return %o : tensor<2x4x2x32xf32>
}

// -----

func.func @no_result(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{'softmoe.router' op requires one result}}
  "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> ()
  return
}

// -----

func.func @two_results(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) {
  // expected-error @+1 {{'softmoe.router' op requires one result}}
  %a:2 = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> (tensor<2x16x4x2xf32>, tensor<2x16x4x2xf32>)
  return
}

// -----

func.func @with_region(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op requires zero regions}}
  %l = "softmoe.router"(%x, %phi) ({ "test.op"() : () -> () }) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @memref_operand(%x: memref<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: x must be a ranked tensor, but is 'memref<2x16x32xf32>'}}
  %l = "softmoe.router"(%x, %phi) : (memref<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

#sparse = #sparse_tensor.encoding<{ map = (d0, d1, d2) -> (d0 : dense, d1 : compressed, d2 : dense) }>
func.func @sparse_x(%x: tensor<2x16x32xf32, #sparse>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: x has a tensor encoding (#sparse_tensor.encoding<{ map = (d0, d1, d2) -> (d0 : dense, d1 : compressed, d2 : dense) }>); only tensors without one are supported}}
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32, #sparse>, tensor<32x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @encoded_result(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32, "enc"> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: the result has a tensor encoding ("enc"); only tensors without one are supported}}
  %l = "softmoe.router"(%x, %phi) : (tensor<2x16x32xf32>, tensor<32x4x2xf32>) -> tensor<2x16x4x2xf32, "enc">
  return %l : tensor<2x16x4x2xf32, "enc">
}

// -----

// 2^32 x 2^32 tokens: every tensor over B and M would wrap the i64 element
// count to a small number and the allocation with it.
func.func @bytes_overflow_i64(%x: tensor<4294967296x4294967296x2xf32>, %phi: tensor<2x4x2xf32>)
    -> tensor<4294967296x4294967296x4x2xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: its BM tensor would hold more than 2^63 bytes}}
  %l = softmoe.router %x, %phi : tensor<4294967296x4294967296x2xf32>, tensor<2x4x2xf32>
  return %l : tensor<4294967296x4294967296x4x2xf32>
}

// -----

// The operands fit (2^34 and 2^31 bytes) but the dispatch's f32 slots
// B x N x P x D (2^61 elements) do not:
// the check covers the tensors the lowering creates, not only the operands.
func.func @slots_overflow(%l: tensor<1x1x65536x65536xf32>, %x: tensor<1x1x536870912xf32>)
    -> tensor<1x65536x65536x536870912xf32> {
  // expected-error @+1 {{'softmoe.dispatch' op cannot be lowered to linalg: its BNPD tensor would hold more than 2^63 bytes}}
  %s = softmoe.dispatch %l, %x : tensor<1x1x65536x65536xf32>, tensor<1x1x536870912xf32>
  return %s : tensor<1x65536x65536x536870912xf32>
}

// -----

// Dynamic sizes are not known here; static ones still count.
func.func @dynamic_and_static(%x: tensor<?x?x4294967296xf32>, %phi: tensor<4294967296x4294967296x1xf32>)
    -> tensor<?x?x4294967296x1xf32> {
  // expected-error @+1 {{'softmoe.router' op cannot be lowered to linalg: its DNP tensor would hold more than 2^63 bytes}}
  %l = softmoe.router %x, %phi : tensor<?x?x4294967296xf32>, tensor<4294967296x4294967296x1xf32>
  return %l : tensor<?x?x4294967296x1xf32>
}
