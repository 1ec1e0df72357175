// RUN: softmoe-opt %s --softmoe-gpu-map-linalg --split-input-file --verify-diagnostics

func.func @dynamic(%a: memref<?x8xf32>, %b: memref<?x8xf32>) {
  // expected-error @+1 {{has dynamic shapes; the GPU pipeline needs static shapes}}
  linalg.copy ins(%a : memref<?x8xf32>) outs(%b : memref<?x8xf32>)
  return
}

// -----

func.func @tensors(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{must be bufferized before GPU mapping}}
  %r = linalg.copy ins(%a : tensor<8xf32>) outs(%b : tensor<8xf32>) -> tensor<8xf32>
  return %r : tensor<8xf32>
}

// -----

func.func @host_access(%a: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @+1 {{reads or writes a buffer on the host, but the GPU pipeline keeps buffers in device memory}}
  %v = memref.load %a[%c0] : memref<8xf32>
  return %v : f32
}
