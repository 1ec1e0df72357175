// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s
// Raising again finds nothing more and keeps the IR valid.
// RUN: softmoe-opt %s --softmoe-raise-from-linalg --softmoe-raise-from-linalg | FileCheck %s
// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s --check-prefix=REFUSED

// Gated experts (geglu, swiglu): w1 [N,D,2H] and b1 [N,2H]; the first layer's result is split with
// tensor.extract_slice into x and gate (PyTorch's x.chunk(2, dim=-1), lucidrains' GEGLU) and the
// activation is x * gelu_erf(gate) or x * silu(gate). Near misses (REFUSED): the halves swapped, the
// halves overlapping, a gate function the contract does not name.
// Written by Inputs/gen_raise_tests.py --write.

// JAX-style einsums, GEGLU.
// CHECK-LABEL: func.func @gated_einsum_geglu(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<geglu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @gated_einsum_geglu(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<2x16x4x2xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_3 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_5 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_5 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_6 = tensor.empty() : tensor<2x16xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_6 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_7 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_7 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_8 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_8 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_9 = tensor.empty() : tensor<2x16xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_10 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_10 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_11 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_12 = tensor.empty() : tensor<2x4x2x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<2x4x2x128xf32>) -> tensor<2x4x2x128xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x128xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x128xf32>, tensor<4x128xf32>) outs(%empty_13 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 64] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.constant 0.707106769 : f32
    %s2 = arith.mulf %in1, %s1 : f32
    %s3 = math.erf %s2 : f32
    %s4 = arith.constant 5.000000e-01 : f32
    %s5 = arith.mulf %in1, %s4 : f32
    %s6 = arith.constant 1.000000e+00 : f32
    %s7 = arith.addf %s3, %s6 : f32
    %s8 = arith.mulf %s5, %s7 : f32
    %s9 = arith.mulf %in0, %s8 : f32
    linalg.yield %s9 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_15 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_16 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_16 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// SwiGLU with a dynamic batch.
// CHECK-LABEL: func.func @gated_einsum_swiglu_dynamic(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<swiglu> : tensor<?x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<?x16x32xf32>
func.func @gated_einsum_swiglu_dynamic(%x: tensor<?x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<?x16x32xf32> {
  %c0 = arith.constant 0 : index
  %batch = tensor.dim %x, %c0 : tensor<?x16x32xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<?x16x4x2xf32>) -> tensor<?x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %phi : tensor<?x16x32xf32>, tensor<32x4x2xf32>) outs(%fill : tensor<?x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<?x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty(%batch) : tensor<?x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<?x4x2xf32>) -> tensor<?x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<?x16x4x2xf32>) outs(%fill_1 : tensor<?x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<?x4x2xf32>
  %empty_2 = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<?x16x4x2xf32>, tensor<?x4x2xf32>) outs(%empty_2 : tensor<?x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16x4x2xf32>
  %empty_3 = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<?x16x4x2xf32>) outs(%empty_3 : tensor<?x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16x4x2xf32>
  %empty_4 = tensor.empty(%batch) : tensor<?x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<?x4x2xf32>) -> tensor<?x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<?x16x4x2xf32>) outs(%fill_2 : tensor<?x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<?x4x2xf32>
  %empty_5 = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<?x16x4x2xf32>, tensor<?x4x2xf32>) outs(%empty_5 : tensor<?x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16x4x2xf32>
  %empty_6 = tensor.empty(%batch) : tensor<?x16xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_6 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<?x16x4x2xf32>) outs(%fill_3 : tensor<?x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16xf32>
  %empty_7 = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<?x16x4x2xf32>, tensor<?x16xf32>) outs(%empty_7 : tensor<?x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16x4x2xf32>
  %empty_8 = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<?x16x4x2xf32>) outs(%empty_8 : tensor<?x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16x4x2xf32>
  %empty_9 = tensor.empty(%batch) : tensor<?x16xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<?x16xf32>) -> tensor<?x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<?x16x4x2xf32>) outs(%fill_4 : tensor<?x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16xf32>
  %empty_10 = tensor.empty(%batch) : tensor<?x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<?x16x4x2xf32>, tensor<?x16xf32>) outs(%empty_10 : tensor<?x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<?x16x4x2xf32>
  %empty_11 = tensor.empty(%batch) : tensor<?x4x2x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_11 : tensor<?x4x2x32xf32>) -> tensor<?x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<?x16x4x2xf32>, tensor<?x16x32xf32>) outs(%fill_5 : tensor<?x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<?x4x2x32xf32>
  %empty_12 = tensor.empty(%batch) : tensor<?x4x2x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<?x4x2x128xf32>) -> tensor<?x4x2x128xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<?x4x2x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<?x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<?x4x2x128xf32>
  %empty_13 = tensor.empty(%batch) : tensor<?x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<?x4x2x128xf32>, tensor<4x128xf32>) outs(%empty_13 : tensor<?x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<?x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 0] [%batch, 4, 2, 64] [1, 1, 1, 1] : tensor<?x4x2x128xf32> to tensor<?x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 64] [%batch, 4, 2, 64] [1, 1, 1, 1] : tensor<?x4x2x128xf32> to tensor<?x4x2x64xf32>
  %empty_14 = tensor.empty(%batch) : tensor<?x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<?x4x2x64xf32>, tensor<?x4x2x64xf32>) outs(%empty_14 : tensor<?x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.negf %in1 : f32
    %s2 = math.exp %s1 : f32
    %s3 = arith.constant 1.000000e+00 : f32
    %s4 = arith.addf %s3, %s2 : f32
    %s5 = arith.divf %in1, %s4 : f32
    %s6 = arith.mulf %in0, %s5 : f32
    linalg.yield %s6 : f32
  } -> tensor<?x4x2x64xf32>
  %empty_15 = tensor.empty(%batch) : tensor<?x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_15 : tensor<?x4x2x32xf32>) -> tensor<?x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<?x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<?x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<?x4x2x32xf32>
  %empty_16 = tensor.empty(%batch) : tensor<?x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<?x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_16 : tensor<?x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<?x4x2x32xf32>
  %empty_17 = tensor.empty(%batch) : tensor<?x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<?x16x32xf32>) -> tensor<?x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<?x16x4x2xf32>, tensor<?x4x2x32xf32>) outs(%fill_8 : tensor<?x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<?x16x32xf32>
  return %y : tensor<?x16x32xf32>
}

// torch-mlir's lowering: batch_matmul, permutes, the unsqueezed bias, then the chunk.
// CHECK-LABEL: func.func @gated_torch_geglu(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<geglu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @gated_torch_geglu(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
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
  %empty_12 = tensor.empty() : tensor<4x4x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<4x4x128xf32>) -> tensor<4x4x128xf32>
  %bmm_1 = linalg.batch_matmul ins(%collapsed_4, %w1 : tensor<4x4x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<4x4x128xf32>) -> tensor<4x4x128xf32>
  %h = tensor.expand_shape %bmm_1 [[0], [1, 2], [3]] output_shape [4, 2, 2, 128] : tensor<4x4x128xf32> into tensor<4x2x2x128xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x128xf32>
  %permuted_2 = linalg.transpose ins(%h : tensor<4x2x2x128xf32>) outs(%empty_13 : tensor<2x4x2x128xf32>) permutation = [1, 0, 2, 3]
  %b1u = tensor.expand_shape %b1 [[0, 1], [2, 3]] output_shape [1, 4, 1, 128] : tensor<4x128xf32> into tensor<1x4x1x128xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_2, %b1u : tensor<2x4x2x128xf32>, tensor<1x4x1x128xf32>) outs(%empty_14 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 64] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%empty_15 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.constant 0.707106769 : f32
    %s2 = arith.mulf %in1, %s1 : f32
    %s3 = math.erf %s2 : f32
    %s4 = arith.constant 5.000000e-01 : f32
    %s5 = arith.mulf %in1, %s4 : f32
    %s6 = arith.constant 1.000000e+00 : f32
    %s7 = arith.addf %s3, %s6 : f32
    %s8 = arith.mulf %s5, %s7 : f32
    %s9 = arith.mulf %in0, %s8 : f32
    linalg.yield %s9 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_16 = tensor.empty() : tensor<4x2x2x64xf32>
  %permuted_3 = linalg.transpose ins(%act : tensor<2x4x2x64xf32>) outs(%empty_16 : tensor<4x2x2x64xf32>) permutation = [1, 0, 2, 3]
  %collapsed_5 = tensor.collapse_shape %permuted_3 [[0], [1, 2], [3]] : tensor<4x2x2x64xf32> into tensor<4x4x64xf32>
  %empty_17 = tensor.empty() : tensor<4x4x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %bmm_2 = linalg.batch_matmul ins(%collapsed_5, %w2 : tensor<4x4x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %o = tensor.expand_shape %bmm_2 [[0], [1, 2], [3]] output_shape [4, 2, 2, 32] : tensor<4x4x32xf32> into tensor<4x2x2x32xf32>
  %empty_18 = tensor.empty() : tensor<2x4x2x32xf32>
  %permuted_4 = linalg.transpose ins(%o : tensor<4x2x2x32xf32>) outs(%empty_18 : tensor<2x4x2x32xf32>) permutation = [1, 0, 2, 3]
  %b2u = tensor.expand_shape %b2 [[0, 1], [2, 3]] output_shape [1, 4, 1, 32] : tensor<4x32xf32> into tensor<1x4x1x32xf32>
  %empty_19 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_4, %b2u : tensor<2x4x2x32xf32>, tensor<1x4x1x32xf32>) outs(%empty_19 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %collapsed_6 = tensor.collapse_shape %o_bias [[0], [1, 2], [3]] : tensor<2x4x2x32xf32> into tensor<2x8x32xf32>
  %empty_20 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_20 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%combine, %collapsed_6 : tensor<2x16x8xf32>, tensor<2x8x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// The same with permuting generics, SwiGLU.
// CHECK-LABEL: func.func @gated_torch_swiglu_generic_permute(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 activation<swiglu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x128xf32>, tensor<4x128xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @gated_torch_swiglu_generic_permute(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
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
  %empty_12 = tensor.empty() : tensor<4x4x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<4x4x128xf32>) -> tensor<4x4x128xf32>
  %bmm_1 = linalg.batch_matmul ins(%collapsed_4, %w1 : tensor<4x4x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<4x4x128xf32>) -> tensor<4x4x128xf32>
  %h = tensor.expand_shape %bmm_1 [[0], [1, 2], [3]] output_shape [4, 2, 2, 128] : tensor<4x4x128xf32> into tensor<4x2x2x128xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x128xf32>
  %permuted_2 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h : tensor<4x2x2x128xf32>) outs(%empty_13 : tensor<2x4x2x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x2x128xf32>
  %b1u = tensor.expand_shape %b1 [[0, 1], [2, 3]] output_shape [1, 4, 1, 128] : tensor<4x128xf32> into tensor<1x4x1x128xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_2, %b1u : tensor<2x4x2x128xf32>, tensor<1x4x1x128xf32>) outs(%empty_14 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 64] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%empty_15 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.negf %in1 : f32
    %s2 = math.exp %s1 : f32
    %s3 = arith.constant 1.000000e+00 : f32
    %s4 = arith.addf %s3, %s2 : f32
    %s5 = arith.divf %in1, %s4 : f32
    %s6 = arith.mulf %in0, %s5 : f32
    linalg.yield %s6 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_16 = tensor.empty() : tensor<4x2x2x64xf32>
  %permuted_3 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%act : tensor<2x4x2x64xf32>) outs(%empty_16 : tensor<4x2x2x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<4x2x2x64xf32>
  %collapsed_5 = tensor.collapse_shape %permuted_3 [[0], [1, 2], [3]] : tensor<4x2x2x64xf32> into tensor<4x4x64xf32>
  %empty_17 = tensor.empty() : tensor<4x4x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %bmm_2 = linalg.batch_matmul ins(%collapsed_5, %w2 : tensor<4x4x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<4x4x32xf32>) -> tensor<4x4x32xf32>
  %o = tensor.expand_shape %bmm_2 [[0], [1, 2], [3]] output_shape [4, 2, 2, 32] : tensor<4x4x32xf32> into tensor<4x2x2x32xf32>
  %empty_18 = tensor.empty() : tensor<2x4x2x32xf32>
  %permuted_4 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d1, d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o : tensor<4x2x2x32xf32>) outs(%empty_18 : tensor<2x4x2x32xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x2x32xf32>
  %b2u = tensor.expand_shape %b2 [[0, 1], [2, 3]] output_shape [1, 4, 1, 32] : tensor<4x32xf32> into tensor<1x4x1x32xf32>
  %empty_19 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (0, d1, 0, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%permuted_4, %b2u : tensor<2x4x2x32xf32>, tensor<1x4x1x32xf32>) outs(%empty_19 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %collapsed_6 = tensor.collapse_shape %o_bias [[0], [1, 2], [3]] : tensor<2x4x2x32xf32> into tensor<2x8x32xf32>
  %empty_20 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_20 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.batch_matmul ins(%combine, %collapsed_6 : tensor<2x16x8xf32>, tensor<2x8x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// The gate is the first half and x the second.
// CHECK-LABEL: func.func @gated_swapped(
// CHECK-DAG: softmoe.router
// CHECK-DAG: softmoe.dispatch
// CHECK-DAG: softmoe.combine
// REFUSED-LABEL: func.func @gated_swapped(
// REFUSED-NOT: softmoe.layer
// REFUSED-NOT: softmoe.expert_apply
// REFUSED: return
func.func @gated_swapped(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<2x16x4x2xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_3 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_5 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_5 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_6 = tensor.empty() : tensor<2x16xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_6 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_7 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_7 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_8 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_8 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_9 = tensor.empty() : tensor<2x16xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_10 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_10 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_11 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_12 = tensor.empty() : tensor<2x4x2x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<2x4x2x128xf32>) -> tensor<2x4x2x128xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x128xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x128xf32>, tensor<4x128xf32>) outs(%empty_13 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 64] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.constant 0.707106769 : f32
    %s2 = arith.mulf %in1, %s1 : f32
    %s3 = math.erf %s2 : f32
    %s4 = arith.constant 5.000000e-01 : f32
    %s5 = arith.mulf %in1, %s4 : f32
    %s6 = arith.constant 1.000000e+00 : f32
    %s7 = arith.addf %s3, %s6 : f32
    %s8 = arith.mulf %s5, %s7 : f32
    %s9 = arith.mulf %in0, %s8 : f32
    linalg.yield %s9 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_15 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_16 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_16 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// The gate starts at H/2: the halves overlap.
// CHECK-LABEL: func.func @gated_overlap(
// CHECK-DAG: softmoe.router
// CHECK-DAG: softmoe.dispatch
// CHECK-DAG: softmoe.combine
// REFUSED-LABEL: func.func @gated_overlap(
// REFUSED-NOT: softmoe.layer
// REFUSED-NOT: softmoe.expert_apply
// REFUSED: return
func.func @gated_overlap(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<2x16x4x2xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_3 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_5 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_5 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_6 = tensor.empty() : tensor<2x16xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_6 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_7 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_7 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_8 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_8 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_9 = tensor.empty() : tensor<2x16xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_10 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_10 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_11 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_12 = tensor.empty() : tensor<2x4x2x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<2x4x2x128xf32>) -> tensor<2x4x2x128xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x128xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x128xf32>, tensor<4x128xf32>) outs(%empty_13 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 32] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.negf %in1 : f32
    %s2 = math.exp %s1 : f32
    %s3 = arith.constant 1.000000e+00 : f32
    %s4 = arith.addf %s3, %s2 : f32
    %s5 = arith.divf %in1, %s4 : f32
    %s6 = arith.mulf %in0, %s5 : f32
    linalg.yield %s6 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_15 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_16 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_16 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// x * gelu_tanh(gate): not geglu, whose gate is the exact GELU.
// CHECK-LABEL: func.func @gated_gelu_tanh(
// CHECK-DAG: softmoe.router
// CHECK-DAG: softmoe.dispatch
// CHECK-DAG: softmoe.combine
// REFUSED-LABEL: func.func @gated_gelu_tanh(
// REFUSED-NOT: softmoe.layer
// REFUSED-NOT: softmoe.expert_apply
// REFUSED: return
func.func @gated_gelu_tanh(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x128xf32>, %b1: tensor<4x128xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %cst = arith.constant 0.000000e+00 : f32
  %empty = tensor.empty() : tensor<2x16x4x2xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_1 = tensor.empty() : tensor<2x4x2xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_3 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_5 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_5 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_6 = tensor.empty() : tensor<2x16xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_6 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_7 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_7 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_8 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_8 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_9 = tensor.empty() : tensor<2x16xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_10 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_10 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_5 = linalg.fill ins(%cst : f32) outs(%empty_11 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_5 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_12 = tensor.empty() : tensor<2x4x2x128xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<2x4x2x128xf32>) -> tensor<2x4x2x128xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x128xf32>) outs(%fill_6 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x128xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2x128xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x128xf32>, tensor<4x128xf32>) outs(%empty_13 : tensor<2x4x2x128xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x128xf32>
  %x_half = tensor.extract_slice %h_bias[0, 0, 0, 0] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %gate = tensor.extract_slice %h_bias[0, 0, 0, 64] [2, 4, 2, 64] [1, 1, 1, 1] : tensor<2x4x2x128xf32> to tensor<2x4x2x64xf32>
  %empty_14 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x_half, %gate : tensor<2x4x2x64xf32>, tensor<2x4x2x64xf32>) outs(%empty_14 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in1, %in1 : f32
    %s2 = arith.mulf %s1, %in1 : f32
    %s3 = arith.constant 4.471500e-02 : f32
    %s4 = arith.mulf %s3, %s2 : f32
    %s5 = arith.addf %in1, %s4 : f32
    %s6 = arith.constant 0.797884583 : f32
    %s7 = arith.mulf %s6, %s5 : f32
    %s8 = math.tanh %s7 : f32
    %s9 = arith.constant 5.000000e-01 : f32
    %s10 = arith.mulf %s9, %in1 : f32
    %s11 = arith.constant 1.000000e+00 : f32
    %s12 = arith.addf %s11, %s8 : f32
    %s13 = arith.mulf %s10, %s12 : f32
    %s14 = arith.mulf %in0, %s13 : f32
    linalg.yield %s14 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_15 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_15 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_16 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_16 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_17 = tensor.empty() : tensor<2x16x32xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_8 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}
