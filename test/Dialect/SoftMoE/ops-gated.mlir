// RUN: softmoe-opt %s | FileCheck %s
// RUN: softmoe-opt %s | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --mlir-print-op-generic | softmoe-opt | FileCheck %s
// RUN: softmoe-opt %s --emit-bytecode | softmoe-opt | FileCheck %s
//
// Gated experts: w1 [N, D, 2H] and b1 [N, 2H], w2 [N, H, D]; dynamic sizes
// are accepted where the shapes are dynamic.

// CHECK-LABEL: func.func @expert_geglu(
// CHECK-NEXT:    softmoe.expert_apply %arg0, %arg1, %arg2, %arg3, %arg4 activation<geglu> : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
func.func @expert_geglu(%s: tensor<2x4x2x32xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x4x2x32xf32> {
  %r = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<geglu> : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
  return %r : tensor<2x4x2x32xf32>
}

// CHECK-LABEL: func.func @layer_swiglu_dynamic(
// CHECK-NEXT:    softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<swiglu> : tensor<?x?x32xbf16>, tensor<32x4x2xbf16>, tensor<4x32x?xbf16>, tensor<4x128xbf16>, tensor<4x?x32xbf16>, tensor<4x32xbf16>
func.func @layer_swiglu_dynamic(%x: tensor<?x?x32xbf16>, %phi: tensor<32x4x2xbf16>, %w1: tensor<4x32x?xbf16>, %b1: tensor<4x128xbf16>, %w2: tensor<4x?x32xbf16>, %b2: tensor<4x32xbf16>) -> tensor<?x?x32xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<swiglu> : tensor<?x?x32xbf16>, tensor<32x4x2xbf16>, tensor<4x32x?xbf16>, tensor<4x128xbf16>, tensor<4x?x32xbf16>, tensor<4x32xbf16>
  return %y : tensor<?x?x32xbf16>
}
