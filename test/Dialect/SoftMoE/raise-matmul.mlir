// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s
// Raising again finds nothing more and keeps the IR valid.
// RUN: softmoe-opt %s --softmoe-raise-from-linalg --softmoe-raise-from-linalg | FileCheck %s

// The layer as torch-mlir lowers softmoe_ref.softmoe: each einsum decomposed into permutes, reshapes to
// rank 2 or 3 and linalg.matmul / linalg.batch_matmul; keepdim reductions read back at index 0; biases
// unsqueezed with tensor.expand_shape; the activation fused with the bias add.
// Written by Inputs/gen_raise_tests.py --write.

// PyTorch's default GELU, permutes as linalg.transpose.
// CHECK-LABEL: func.func @torch_gelu_erf(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<gelu_erf> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @torch_gelu_erf(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %collapsed = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
  %collapsed_1 = tensor.collapse_shape %phi [[0], [1, 2]] : tensor<32x4x2xf32> into tensor<32x8xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<32x8xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<32x8xf32>) -> tensor<32x8xf32>
  %mm = linalg.matmul ins(%collapsed, %collapsed_1 : tensor<32x32xf32>, tensor<32x8xf32>) outs(%fill : tensor<32x8xf32>) -> tensor<32x8xf32>
  %logits = tensor.expand_shape %mm [[0, 1], [2, 3]] output_shape [2, 16, 4, 2] : tensor<32x8xf32> into tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x1x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x1x4x2xf32>) -> tensor<2x1x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x1x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x1x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x1x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    %s2 = math.exp %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x1x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_3 : tensor<2x1x4x2xf32>) -> tensor<2x1x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x1x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x1x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x1x4x2xf32>) outs(%empty_4 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %collapsed_2 = tensor.collapse_shape %logits [[0], [1], [2, 3]] : tensor<2x16x4x2xf32> into tensor<2x16x8xf32>
  %empty_5 = tensor.empty() : tensor<2x16x1xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_5 : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%collapsed_2 : tensor<2x16x8xf32>) outs(%fill_3 : tensor<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x1xf32>
  %empty_6 = tensor.empty() : tensor<2x16x8xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%collapsed_2, %combine_max : tensor<2x16x8xf32>, tensor<2x16x1xf32>) outs(%empty_6 : tensor<2x16x8xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    %s2 = math.exp %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x8xf32>
  %empty_7 = tensor.empty() : tensor<2x16x1xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_7 : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%combine_exp : tensor<2x16x8xf32>) outs(%fill_4 : tensor<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x1xf32>
  %empty_8 = tensor.empty() : tensor<2x16x8xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x8xf32>, tensor<2x16x1xf32>) outs(%empty_8 : tensor<2x16x8xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x8xf32>
  %empty_9 = tensor.empty() : tensor<2x4x2x16xf32>
  %permuted = linalg.transpose ins(%dispatch : tensor<2x16x4x2xf32>) outs(%empty_9 : tensor<2x4x2x16xf32>) permutation = [0, 2, 3, 1]
  %collapsed_3 = tensor.collapse_shape %permuted [[0], [1, 2], [3]] : tensor<2x4x2x16xf32> into tensor<2x8x16xf32>
  %empty_10 = tensor.empty() : tensor<2x8x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_10 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %bmm = linalg.batch_matmul ins(%collapsed_3, %x : tensor<2x8x16xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %slots = tensor.expand_shape %bmm [[0], [1, 2], [3]] output_shape [2, 4, 2, 32] : tensor<2x8x32xf32> into tensor<2x4x2x32xf32>
  %empty_11 = tensor.empty() : tensor<4x2x2x32xf32>
  %permuted_1 = linalg.transpose ins(%slots : tensor<2x4x2x32xf32>) outs(%empty_11 : tensor<4x2x2x32xf32>) permutation = [1, 0, 2, 3]
  %collapsed_4 = tensor.collapse_shape %permuted_1 [[0], [1, 2], [3]] : tensor<4x2x2x32xf32> into tensor<4x4x32xf32>
  %empty_12 = tensor.empty() : tensor<4x4x64xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %bmm_1 = linalg.batch_matmul ins(%collapsed_4, %w1 : tensor<4x4x32xf32>, tensor<4x32x64xf32>) outs(%fill_6 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %h = tensor.expand_shape %bmm_1 [[0], [1, 2], [3]] output_shape [4, 2, 2, 64] : tensor<4x4x64xf32> into tensor<4x2x2x64xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x64xf32>
  %permuted_2 = linalg.transpose ins(%h : tensor<4x2x2x64xf32>) outs(%empty_13 : tensor<2x4x2x64xf32>) permutation = [1, 0, 2, 3]
  %b1u = tensor.expand_shape %b1 [[0, 1], [2, 3]] output_shape [1, 4, 1, 64] : tensor<4x64xf32> into tensor<1x4x1x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_2, %b1u : tensor<2x4x2x64xf32>, tensor<1x4x1x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    %s2 = arith.constant 0.707106769 : f32
    %s3 = arith.mulf %s1, %s2 : f32
    %s4 = math.erf %s3 : f32
    %s5 = arith.constant 5.000000e-01 : f32
    %s6 = arith.mulf %s1, %s5 : f32
    %s7 = arith.constant 1.000000e+00 : f32
    %s8 = arith.addf %s4, %s7 : f32
    %s9 = arith.mulf %s6, %s8 : f32
    linalg.yield %s9 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<4x2x2x64xf32>
  %permuted_3 = linalg.transpose ins(%act : tensor<2x4x2x64xf32>) outs(%empty_15 : tensor<4x2x2x64xf32>) permutation = [1, 0, 2, 3]
  %collapsed_5 = tensor.collapse_shape %permuted_3 [[0], [1, 2], [3]] : tensor<4x2x2x64xf32> into tensor<4x4x64xf32>
  %empty_16 = tensor.empty() : tensor<4x4x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_16 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %bmm_2 = linalg.batch_matmul ins(%collapsed_5, %w2 : tensor<4x4x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %o = tensor.expand_shape %bmm_2 [[0], [1, 2], [3]] output_shape [4, 2, 2, 32] : tensor<4x4x32xf32> into tensor<4x2x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x4x2x32xf32>
  %permuted_4 = linalg.transpose ins(%o : tensor<4x2x2x32xf32>) outs(%empty_17 : tensor<2x4x2x32xf32>) permutation = [1, 0, 2, 3]
  %b2u = tensor.expand_shape %b2 [[0, 1], [2, 3]] output_shape [1, 4, 1, 32] : tensor<4x32xf32> into tensor<1x4x1x32xf32>
  %empty_18 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_4, %b2u : tensor<2x4x2x32xf32>, tensor<1x4x1x32xf32>) outs(%empty_18 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %collapsed_6 = tensor.collapse_shape %o_bias [[0], [1, 2], [3]] : tensor<2x4x2x32xf32> into tensor<2x8x32xf32>
  %empty_19 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_19 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%combine, %collapsed_6 : tensor<2x16x8xf32>, tensor<2x8x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// Permutes as linalg.generic with a permuted input map, SiLU.
// CHECK-LABEL: func.func @torch_generic_permute(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<silu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @torch_generic_permute(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %collapsed = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
  %collapsed_1 = tensor.collapse_shape %phi [[0], [1, 2]] : tensor<32x4x2xf32> into tensor<32x8xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<32x8xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<32x8xf32>) -> tensor<32x8xf32>
  %mm = linalg.matmul ins(%collapsed, %collapsed_1 : tensor<32x32xf32>, tensor<32x8xf32>) outs(%fill : tensor<32x8xf32>) -> tensor<32x8xf32>
  %logits = tensor.expand_shape %mm [[0, 1], [2, 3]] output_shape [2, 16, 4, 2] : tensor<32x8xf32> into tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x1x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x1x4x2xf32>) -> tensor<2x1x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x1x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x1x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x1x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    %s2 = math.exp %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x1x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_3 : tensor<2x1x4x2xf32>) -> tensor<2x1x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x1x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x1x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x1x4x2xf32>) outs(%empty_4 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %collapsed_2 = tensor.collapse_shape %logits [[0], [1], [2, 3]] : tensor<2x16x4x2xf32> into tensor<2x16x8xf32>
  %empty_5 = tensor.empty() : tensor<2x16x1xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_5 : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%collapsed_2 : tensor<2x16x8xf32>) outs(%fill_3 : tensor<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x1xf32>
  %empty_6 = tensor.empty() : tensor<2x16x8xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%collapsed_2, %combine_max : tensor<2x16x8xf32>, tensor<2x16x1xf32>) outs(%empty_6 : tensor<2x16x8xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    %s2 = math.exp %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x8xf32>
  %empty_7 = tensor.empty() : tensor<2x16x1xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_7 : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%combine_exp : tensor<2x16x8xf32>) outs(%fill_4 : tensor<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x1xf32>
  %empty_8 = tensor.empty() : tensor<2x16x8xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x8xf32>, tensor<2x16x1xf32>) outs(%empty_8 : tensor<2x16x8xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x8xf32>
  %empty_9 = tensor.empty() : tensor<2x4x2x16xf32>
  %permuted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d3, d1, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch : tensor<2x16x4x2xf32>) outs(%empty_9 : tensor<2x4x2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x2x16xf32>
  %collapsed_3 = tensor.collapse_shape %permuted [[0], [1, 2], [3]] : tensor<2x4x2x16xf32> into tensor<2x8x16xf32>
  %empty_10 = tensor.empty() : tensor<2x8x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_10 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %bmm = linalg.batch_matmul ins(%collapsed_3, %x : tensor<2x8x16xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %slots = tensor.expand_shape %bmm [[0], [1, 2], [3]] output_shape [2, 4, 2, 32] : tensor<2x8x32xf32> into tensor<2x4x2x32xf32>
  %empty_11 = tensor.empty() : tensor<4x2x2x32xf32>
  %permuted_1 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%slots : tensor<2x4x2x32xf32>) outs(%empty_11 : tensor<4x2x2x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x2x2x32xf32>
  %collapsed_4 = tensor.collapse_shape %permuted_1 [[0], [1, 2], [3]] : tensor<4x2x2x32xf32> into tensor<4x4x32xf32>
  %empty_12 = tensor.empty() : tensor<4x4x64xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %bmm_1 = linalg.batch_matmul ins(%collapsed_4, %w1 : tensor<4x4x32xf32>, tensor<4x32x64xf32>) outs(%fill_6 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %h = tensor.expand_shape %bmm_1 [[0], [1, 2], [3]] output_shape [4, 2, 2, 64] : tensor<4x4x64xf32> into tensor<4x2x2x64xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x64xf32>
  %permuted_2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h : tensor<4x2x2x64xf32>) outs(%empty_13 : tensor<2x4x2x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x2x64xf32>
  %b1u = tensor.expand_shape %b1 [[0, 1], [2, 3]] output_shape [1, 4, 1, 64] : tensor<4x64xf32> into tensor<1x4x1x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_2, %b1u : tensor<2x4x2x64xf32>, tensor<1x4x1x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    %s2 = arith.negf %s1 : f32
    %s3 = math.exp %s2 : f32
    %s4 = arith.constant 1.000000e+00 : f32
    %s5 = arith.addf %s4, %s3 : f32
    %s6 = arith.divf %s1, %s5 : f32
    linalg.yield %s6 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<4x2x2x64xf32>
  %permuted_3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%act : tensor<2x4x2x64xf32>) outs(%empty_15 : tensor<4x2x2x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x2x2x64xf32>
  %collapsed_5 = tensor.collapse_shape %permuted_3 [[0], [1, 2], [3]] : tensor<4x2x2x64xf32> into tensor<4x4x64xf32>
  %empty_16 = tensor.empty() : tensor<4x4x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_16 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %bmm_2 = linalg.batch_matmul ins(%collapsed_5, %w2 : tensor<4x4x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %o = tensor.expand_shape %bmm_2 [[0], [1, 2], [3]] output_shape [4, 2, 2, 32] : tensor<4x4x32xf32> into tensor<4x2x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x4x2x32xf32>
  %permuted_4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o : tensor<4x2x2x32xf32>) outs(%empty_17 : tensor<2x4x2x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x2x32xf32>
  %b2u = tensor.expand_shape %b2 [[0, 1], [2, 3]] output_shape [1, 4, 1, 32] : tensor<4x32xf32> into tensor<1x4x1x32xf32>
  %empty_18 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_4, %b2u : tensor<2x4x2x32xf32>, tensor<1x4x1x32xf32>) outs(%empty_18 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %collapsed_6 = tensor.collapse_shape %o_bias [[0], [1, 2], [3]] : tensor<2x4x2x32xf32> into tensor<2x8x32xf32>
  %empty_19 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_19 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%combine, %collapsed_6 : tensor<2x16x8xf32>, tensor<2x8x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// linalg.softmax on the [B,M,N,P] and [B,M,N*P] logits, ReLU.
// CHECK-LABEL: func.func @torch_linalg_softmax(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<relu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @torch_linalg_softmax(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %collapsed = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
  %collapsed_1 = tensor.collapse_shape %phi [[0], [1, 2]] : tensor<32x4x2xf32> into tensor<32x8xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<32x8xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<32x8xf32>) -> tensor<32x8xf32>
  %mm = linalg.matmul ins(%collapsed, %collapsed_1 : tensor<32x32xf32>, tensor<32x8xf32>) outs(%fill : tensor<32x8xf32>) -> tensor<32x8xf32>
  %logits = tensor.expand_shape %mm [[0, 1], [2, 3]] output_shape [2, 16, 4, 2] : tensor<32x8xf32> into tensor<2x16x4x2xf32>
  %empty_1 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.softmax dimension(1) ins(%logits : tensor<2x16x4x2xf32>) outs(%empty_1 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %collapsed_2 = tensor.collapse_shape %logits [[0], [1], [2, 3]] : tensor<2x16x4x2xf32> into tensor<2x16x8xf32>
  %empty_2 = tensor.empty() : tensor<2x16x8xf32>
  %combine = linalg.softmax dimension(2) ins(%collapsed_2 : tensor<2x16x8xf32>) outs(%empty_2 : tensor<2x16x8xf32>) -> tensor<2x16x8xf32>
  %empty_3 = tensor.empty() : tensor<2x4x2x16xf32>
  %permuted = linalg.transpose ins(%dispatch : tensor<2x16x4x2xf32>) outs(%empty_3 : tensor<2x4x2x16xf32>) permutation = [0, 2, 3, 1]
  %collapsed_3 = tensor.collapse_shape %permuted [[0], [1, 2], [3]] : tensor<2x4x2x16xf32> into tensor<2x8x16xf32>
  %empty_4 = tensor.empty() : tensor<2x8x32xf32>
  %fill_1 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %bmm = linalg.batch_matmul ins(%collapsed_3, %x : tensor<2x8x16xf32>, tensor<2x16x32xf32>) outs(%fill_1 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %slots = tensor.expand_shape %bmm [[0], [1, 2], [3]] output_shape [2, 4, 2, 32] : tensor<2x8x32xf32> into tensor<2x4x2x32xf32>
  %empty_5 = tensor.empty() : tensor<4x2x2x32xf32>
  %permuted_1 = linalg.transpose ins(%slots : tensor<2x4x2x32xf32>) outs(%empty_5 : tensor<4x2x2x32xf32>) permutation = [1, 0, 2, 3]
  %collapsed_4 = tensor.collapse_shape %permuted_1 [[0], [1, 2], [3]] : tensor<4x2x2x32xf32> into tensor<4x4x32xf32>
  %empty_6 = tensor.empty() : tensor<4x4x64xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_6 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %bmm_1 = linalg.batch_matmul ins(%collapsed_4, %w1 : tensor<4x4x32xf32>, tensor<4x32x64xf32>) outs(%fill_2 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %h = tensor.expand_shape %bmm_1 [[0], [1, 2], [3]] output_shape [4, 2, 2, 64] : tensor<4x4x64xf32> into tensor<4x2x2x64xf32>
  %empty_7 = tensor.empty() : tensor<2x4x2x64xf32>
  %permuted_2 = linalg.transpose ins(%h : tensor<4x2x2x64xf32>) outs(%empty_7 : tensor<2x4x2x64xf32>) permutation = [1, 0, 2, 3]
  %b1u = tensor.expand_shape %b1 [[0, 1], [2, 3]] output_shape [1, 4, 1, 64] : tensor<4x64xf32> into tensor<1x4x1x64xf32>
  %empty_8 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_2, %b1u : tensor<2x4x2x64xf32>, tensor<1x4x1x64xf32>) outs(%empty_8 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    %s2 = arith.constant 0.000000e+00 : f32
    %s3 = arith.maximumf %s1, %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_9 = tensor.empty() : tensor<4x2x2x64xf32>
  %permuted_3 = linalg.transpose ins(%act : tensor<2x4x2x64xf32>) outs(%empty_9 : tensor<4x2x2x64xf32>) permutation = [1, 0, 2, 3]
  %collapsed_5 = tensor.collapse_shape %permuted_3 [[0], [1, 2], [3]] : tensor<4x2x2x64xf32> into tensor<4x4x64xf32>
  %empty_10 = tensor.empty() : tensor<4x4x32xf32>
  %fill_3 = linalg.fill ins(%cst : f32) outs(%empty_10 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %bmm_2 = linalg.batch_matmul ins(%collapsed_5, %w2 : tensor<4x4x64xf32>, tensor<4x64x32xf32>) outs(%fill_3 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %o = tensor.expand_shape %bmm_2 [[0], [1, 2], [3]] output_shape [4, 2, 2, 32] : tensor<4x4x32xf32> into tensor<4x2x2x32xf32>
  %empty_11 = tensor.empty() : tensor<2x4x2x32xf32>
  %permuted_4 = linalg.transpose ins(%o : tensor<4x2x2x32xf32>) outs(%empty_11 : tensor<2x4x2x32xf32>) permutation = [1, 0, 2, 3]
  %b2u = tensor.expand_shape %b2 [[0, 1], [2, 3]] output_shape [1, 4, 1, 32] : tensor<4x32xf32> into tensor<1x4x1x32xf32>
  %empty_12 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_4, %b2u : tensor<2x4x2x32xf32>, tensor<1x4x1x32xf32>) outs(%empty_12 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %collapsed_6 = tensor.collapse_shape %o_bias [[0], [1, 2], [3]] : tensor<2x4x2x32xf32> into tensor<2x8x32xf32>
  %empty_13 = tensor.empty() : tensor<2x16x32xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_13 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%combine, %collapsed_6 : tensor<2x16x8xf32>, tensor<2x8x32xf32>) outs(%fill_4 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// The tanh GELU.
// CHECK-LABEL: func.func @torch_gelu_tanh(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @torch_gelu_tanh(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %collapsed = tensor.collapse_shape %x [[0, 1], [2]] : tensor<2x16x32xf32> into tensor<32x32xf32>
  %collapsed_1 = tensor.collapse_shape %phi [[0], [1, 2]] : tensor<32x4x2xf32> into tensor<32x8xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<32x8xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<32x8xf32>) -> tensor<32x8xf32>
  %mm = linalg.matmul ins(%collapsed, %collapsed_1 : tensor<32x32xf32>, tensor<32x8xf32>) outs(%fill : tensor<32x8xf32>) -> tensor<32x8xf32>
  %logits = tensor.expand_shape %mm [[0, 1], [2, 3]] output_shape [2, 16, 4, 2] : tensor<32x8xf32> into tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x1x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x1x4x2xf32>) -> tensor<2x1x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x1x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x1x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x1x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    %s2 = math.exp %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x1x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_3 : tensor<2x1x4x2xf32>) -> tensor<2x1x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x1x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x1x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, 0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x1x4x2xf32>) outs(%empty_4 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %collapsed_2 = tensor.collapse_shape %logits [[0], [1], [2, 3]] : tensor<2x16x4x2xf32> into tensor<2x16x8xf32>
  %empty_5 = tensor.empty() : tensor<2x16x1xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_5 : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%collapsed_2 : tensor<2x16x8xf32>) outs(%fill_3 : tensor<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x1xf32>
  %empty_6 = tensor.empty() : tensor<2x16x8xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%collapsed_2, %combine_max : tensor<2x16x8xf32>, tensor<2x16x1xf32>) outs(%empty_6 : tensor<2x16x8xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    %s2 = math.exp %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x8xf32>
  %empty_7 = tensor.empty() : tensor<2x16x1xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_7 : tensor<2x16x1xf32>) -> tensor<2x16x1xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%combine_exp : tensor<2x16x8xf32>) outs(%fill_4 : tensor<2x16x1xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x1xf32>
  %empty_8 = tensor.empty() : tensor<2x16x8xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, 0)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x8xf32>, tensor<2x16x1xf32>) outs(%empty_8 : tensor<2x16x8xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x8xf32>
  %empty_9 = tensor.empty() : tensor<2x4x2x16xf32>
  %permuted = linalg.transpose ins(%dispatch : tensor<2x16x4x2xf32>) outs(%empty_9 : tensor<2x4x2x16xf32>) permutation = [0, 2, 3, 1]
  %collapsed_3 = tensor.collapse_shape %permuted [[0], [1, 2], [3]] : tensor<2x4x2x16xf32> into tensor<2x8x16xf32>
  %empty_10 = tensor.empty() : tensor<2x8x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_10 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %bmm = linalg.batch_matmul ins(%collapsed_3, %x : tensor<2x8x16xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x8x32xf32>) -> tensor<2x8x32xf32>
  %slots = tensor.expand_shape %bmm [[0], [1, 2], [3]] output_shape [2, 4, 2, 32] : tensor<2x8x32xf32> into tensor<2x4x2x32xf32>
  %empty_11 = tensor.empty() : tensor<4x2x2x32xf32>
  %permuted_1 = linalg.transpose ins(%slots : tensor<2x4x2x32xf32>) outs(%empty_11 : tensor<4x2x2x32xf32>) permutation = [1, 0, 2, 3]
  %collapsed_4 = tensor.collapse_shape %permuted_1 [[0], [1, 2], [3]] : tensor<4x2x2x32xf32> into tensor<4x4x32xf32>
  %empty_12 = tensor.empty() : tensor<4x4x64xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %bmm_1 = linalg.batch_matmul ins(%collapsed_4, %w1 : tensor<4x4x32xf32>, tensor<4x32x64xf32>) outs(%fill_6 : tensor<4x4x64xf32>) -> tensor<4x4x64xf32>
  %h = tensor.expand_shape %bmm_1 [[0], [1, 2], [3]] output_shape [4, 2, 2, 64] : tensor<4x4x64xf32> into tensor<4x2x2x64xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x64xf32>
  %permuted_2 = linalg.transpose ins(%h : tensor<4x2x2x64xf32>) outs(%empty_13 : tensor<2x4x2x64xf32>) permutation = [1, 0, 2, 3]
  %b1u = tensor.expand_shape %b1 [[0, 1], [2, 3]] output_shape [1, 4, 1, 64] : tensor<4x64xf32> into tensor<1x4x1x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_2, %b1u : tensor<2x4x2x64xf32>, tensor<1x4x1x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    %s2 = arith.mulf %s1, %s1 : f32
    %s3 = arith.mulf %s2, %s1 : f32
    %s4 = arith.constant 4.471500e-02 : f32
    %s5 = arith.mulf %s4, %s3 : f32
    %s6 = arith.addf %s1, %s5 : f32
    %s7 = arith.constant 0.797884583 : f32
    %s8 = arith.mulf %s7, %s6 : f32
    %s9 = math.tanh %s8 : f32
    %s10 = arith.constant 5.000000e-01 : f32
    %s11 = arith.mulf %s10, %s1 : f32
    %s12 = arith.constant 1.000000e+00 : f32
    %s13 = arith.addf %s12, %s9 : f32
    %s14 = arith.mulf %s11, %s13 : f32
    linalg.yield %s14 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<4x2x2x64xf32>
  %permuted_3 = linalg.transpose ins(%act : tensor<2x4x2x64xf32>) outs(%empty_15 : tensor<4x2x2x64xf32>) permutation = [1, 0, 2, 3]
  %collapsed_5 = tensor.collapse_shape %permuted_3 [[0], [1, 2], [3]] : tensor<4x2x2x64xf32> into tensor<4x4x64xf32>
  %empty_16 = tensor.empty() : tensor<4x4x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_16 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %bmm_2 = linalg.batch_matmul ins(%collapsed_5, %w2 : tensor<4x4x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %o = tensor.expand_shape %bmm_2 [[0], [1, 2], [3]] output_shape [4, 2, 2, 32] : tensor<4x4x32xf32> into tensor<4x2x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x4x2x32xf32>
  %permuted_4 = linalg.transpose ins(%o : tensor<4x2x2x32xf32>) outs(%empty_17 : tensor<2x4x2x32xf32>) permutation = [1, 0, 2, 3]
  %b2u = tensor.expand_shape %b2 [[0, 1], [2, 3]] output_shape [1, 4, 1, 32] : tensor<4x32xf32> into tensor<1x4x1x32xf32>
  %empty_18 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_4, %b2u : tensor<2x4x2x32xf32>, tensor<1x4x1x32xf32>) outs(%empty_18 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %collapsed_6 = tensor.collapse_shape %o_bias [[0], [1, 2], [3]] : tensor<2x4x2x32xf32> into tensor<2x8x32xf32>
  %empty_19 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_19 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%combine, %collapsed_6 : tensor<2x16x8xf32>, tensor<2x8x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}
