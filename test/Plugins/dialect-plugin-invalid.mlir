// The plugin's dialect brings the softmoe verifiers into mlir-opt.
// RUN: mlir-opt %s --load-dialect-plugin=%softmoe_libs/libSoftMoEDialectPlugin%shlibext --split-input-file --verify-diagnostics

func.func @phi_dim_mismatch(%x: tensor<2x16x32xf32>, %phi: tensor<48x4x2xf32>) -> tensor<2x16x4x2xf32> {
  // expected-error @below {{phi dim 0 (D) is 48 but x dim 2 (D) is 32}}
  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<48x4x2xf32>
  return %l : tensor<2x16x4x2xf32>
}

// -----

func.func @int_data(%x: tensor<2x16x32xi32>, %phi: tensor<32x4x2xi32>) -> tensor<2x16x4x2xf32> {
  // expected-error @below {{x element type must be f32, bf16 or f16, but is i32}}
  %l = softmoe.router %x, %phi : tensor<2x16x32xi32>, tensor<32x4x2xi32>
  return %l : tensor<2x16x4x2xf32>
}
