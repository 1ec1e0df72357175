// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s
// Raising again finds nothing more and keeps the IR valid.
// RUN: softmoe-opt %s --softmoe-raise-from-linalg --softmoe-raise-from-linalg | FileCheck %s

// The l2-normalised router: x * rsqrt(sum_d x^2 + eps) and scale * phi * rsqrt(sum_d phi^2 + eps).
// Written by Inputs/gen_raise_tests.py --write.

// The learnable scale as a rank-0 tensor argument.
// CHECK-LABEL: func.func @normalize_scale(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @normalize_scale(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %scale: tensor<f32>) -> tensor<2x16x32xf32> {
  %empty = tensor.empty() : tensor<2x16x32xf32>
  %xn_sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %x : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%empty : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x32xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty_1 = tensor.empty() : tensor<2x16xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty_1 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %xn_ss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xn_sq : tensor<2x16x32xf32>) outs(%fill : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_2 = tensor.empty() : tensor<2x16xf32>
  %xn_rsqrt = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%xn_ss : tensor<2x16xf32>) outs(%empty_2 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.constant 9.99999997E-7 : f32
    %s2 = arith.addf %in, %s1 : f32
    %s3 = math.rsqrt %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<2x16xf32>
  %empty_3 = tensor.empty() : tensor<2x16x32xf32>
  %xn = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %xn_rsqrt : tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%empty_3 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x32xf32>
  %empty_4 = tensor.empty() : tensor<32x4x2xf32>
  %phin_sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%phi, %phi : tensor<32x4x2xf32>, tensor<32x4x2xf32>) outs(%empty_4 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_5 = tensor.empty() : tensor<4x2xf32>
  %fill_1 = linalg.fill ins(%cst : f32) outs(%empty_5 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %phin_ss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%phin_sq : tensor<32x4x2xf32>) outs(%fill_1 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<4x2xf32>
  %empty_6 = tensor.empty() : tensor<4x2xf32>
  %phin_rsqrt = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%phin_ss : tensor<4x2xf32>) outs(%empty_6 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.constant 9.99999997E-7 : f32
    %s2 = arith.addf %in, %s1 : f32
    %s3 = math.rsqrt %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<4x2xf32>
  %empty_7 = tensor.empty() : tensor<32x4x2xf32>
  %phin = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%phi, %phin_rsqrt : tensor<32x4x2xf32>, tensor<4x2xf32>) outs(%empty_7 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_8 = tensor.empty() : tensor<32x4x2xf32>
  %phin_scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%scale, %phin : tensor<f32>, tensor<32x4x2xf32>) outs(%empty_8 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_9 = tensor.empty() : tensor<2x16x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%xn, %phin_scaled : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_10 = tensor.empty() : tensor<2x4x2xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_10 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_11 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_12 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_12 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_13 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_14 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_14 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_15 = tensor.empty() : tensor<2x16xf32>
  %fill_5 = linalg.fill ins(%cst_1 : f32) outs(%empty_15 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_5 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_16 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_16 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_17 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_17 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_18 = tensor.empty() : tensor<2x16xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_18 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_6 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_19 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_19 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_20 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_20 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_21 = tensor.empty() : tensor<2x4x2x64xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_21 : tensor<2x4x2x64xf32>) -> tensor<2x4x2x64xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>) outs(%fill_8 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_22 = tensor.empty() : tensor<2x4x2x64xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x64xf32>, tensor<4x64xf32>) outs(%empty_22 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_23 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h_bias : tensor<2x4x2x64xf32>) outs(%empty_23 : tensor<2x4x2x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.mulf %in, %in : f32
    %s2 = arith.mulf %s1, %in : f32
    %s3 = arith.constant 4.471500e-02 : f32
    %s4 = arith.mulf %s3, %s2 : f32
    %s5 = arith.addf %in, %s4 : f32
    %s6 = arith.constant 0.797884583 : f32
    %s7 = arith.mulf %s6, %s5 : f32
    %s8 = math.tanh %s7 : f32
    %s9 = arith.constant 5.000000e-01 : f32
    %s10 = arith.mulf %s9, %in : f32
    %s11 = arith.constant 1.000000e+00 : f32
    %s12 = arith.addf %s11, %s8 : f32
    %s13 = arith.mulf %s10, %s12 : f32
    linalg.yield %s13 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_24 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_9 = linalg.fill ins(%cst : f32) outs(%empty_24 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_9 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_25 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_25 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_26 = tensor.empty() : tensor<2x16x32xf32>
  %fill_10 = linalg.fill ins(%cst : f32) outs(%empty_26 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_10 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// x / sqrt(sum_d x^2 + eps).
// CHECK-LABEL: func.func @normalize_div_sqrt(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%arg6 : tensor<f32>) normalize activation<silu> : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @normalize_div_sqrt(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>, %scale: tensor<f32>) -> tensor<2x16x32xf32> {
  %empty = tensor.empty() : tensor<2x16x32xf32>
  %xn_sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %x : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%empty : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x32xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty_1 = tensor.empty() : tensor<2x16xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty_1 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %xn_ss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xn_sq : tensor<2x16x32xf32>) outs(%fill : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_2 = tensor.empty() : tensor<2x16xf32>
  %xn_norm = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%xn_ss : tensor<2x16xf32>) outs(%empty_2 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.constant 9.99999997E-7 : f32
    %s2 = arith.addf %in, %s1 : f32
    %s3 = math.sqrt %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<2x16xf32>
  %empty_3 = tensor.empty() : tensor<2x16x32xf32>
  %xn = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %xn_norm : tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%empty_3 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x32xf32>
  %empty_4 = tensor.empty() : tensor<32x4x2xf32>
  %phin_sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%phi, %phi : tensor<32x4x2xf32>, tensor<32x4x2xf32>) outs(%empty_4 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_5 = tensor.empty() : tensor<4x2xf32>
  %fill_1 = linalg.fill ins(%cst : f32) outs(%empty_5 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %phin_ss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%phin_sq : tensor<32x4x2xf32>) outs(%fill_1 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<4x2xf32>
  %empty_6 = tensor.empty() : tensor<4x2xf32>
  %phin_norm = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%phin_ss : tensor<4x2xf32>) outs(%empty_6 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.constant 9.99999997E-7 : f32
    %s2 = arith.addf %in, %s1 : f32
    %s3 = math.sqrt %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<4x2xf32>
  %empty_7 = tensor.empty() : tensor<32x4x2xf32>
  %phin = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%phi, %phin_norm : tensor<32x4x2xf32>, tensor<4x2xf32>) outs(%empty_7 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_8 = tensor.empty() : tensor<32x4x2xf32>
  %phin_scaled = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> ()>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%scale, %phin : tensor<f32>, tensor<32x4x2xf32>) outs(%empty_8 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_9 = tensor.empty() : tensor<2x16x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_9 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%xn, %phin_scaled : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_10 = tensor.empty() : tensor<2x4x2xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_10 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_11 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_12 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_12 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_13 = tensor.empty() : tensor<2x4x2xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_13 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_14 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_14 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_15 = tensor.empty() : tensor<2x16xf32>
  %fill_5 = linalg.fill ins(%cst_1 : f32) outs(%empty_15 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_5 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_16 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_16 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_17 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_17 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_18 = tensor.empty() : tensor<2x16xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_18 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_6 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_19 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_19 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_20 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_20 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_21 = tensor.empty() : tensor<2x4x2x64xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_21 : tensor<2x4x2x64xf32>) -> tensor<2x4x2x64xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>) outs(%fill_8 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_22 = tensor.empty() : tensor<2x4x2x64xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x64xf32>, tensor<4x64xf32>) outs(%empty_22 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_23 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h_bias : tensor<2x4x2x64xf32>) outs(%empty_23 : tensor<2x4x2x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.negf %in : f32
    %s2 = math.exp %s1 : f32
    %s3 = arith.constant 1.000000e+00 : f32
    %s4 = arith.addf %s3, %s2 : f32
    %s5 = arith.divf %in, %s4 : f32
    linalg.yield %s5 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_24 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_9 = linalg.fill ins(%cst : f32) outs(%empty_24 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_9 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_25 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_25 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_26 = tensor.empty() : tensor<2x16x32xf32>
  %fill_10 = linalg.fill ins(%cst : f32) outs(%empty_26 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_10 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}

// No scale: the layer gets a constant 1.
// CHECK-LABEL: func.func @normalize_no_scale(
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[Y:.*]] = softmoe.layer %arg0, %arg1, %arg2, %arg3, %arg4, %arg5 scale(%[[ONE]] : tensor<f32>) normalize : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>, tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @normalize_no_scale(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>, %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>) -> tensor<2x16x32xf32> {
  %empty = tensor.empty() : tensor<2x16x32xf32>
  %xn_sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %x : tensor<2x16x32xf32>, tensor<2x16x32xf32>) outs(%empty : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x32xf32>
  %cst = arith.constant 0.000000e+00 : f32
  %empty_1 = tensor.empty() : tensor<2x16xf32>
  %fill = linalg.fill ins(%cst : f32) outs(%empty_1 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %xn_ss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%xn_sq : tensor<2x16x32xf32>) outs(%fill : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_2 = tensor.empty() : tensor<2x16xf32>
  %xn_rsqrt = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%xn_ss : tensor<2x16xf32>) outs(%empty_2 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.constant 9.99999997E-7 : f32
    %s2 = arith.addf %in, %s1 : f32
    %s3 = math.rsqrt %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<2x16xf32>
  %empty_3 = tensor.empty() : tensor<2x16x32xf32>
  %xn = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%x, %xn_rsqrt : tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%empty_3 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x32xf32>
  %empty_4 = tensor.empty() : tensor<32x4x2xf32>
  %phin_sq = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%phi, %phi : tensor<32x4x2xf32>, tensor<32x4x2xf32>) outs(%empty_4 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_5 = tensor.empty() : tensor<4x2xf32>
  %fill_1 = linalg.fill ins(%cst : f32) outs(%empty_5 : tensor<4x2xf32>) -> tensor<4x2xf32>
  %phin_ss = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>], iterator_types = ["reduction", "parallel", "parallel"]}
      ins(%phin_sq : tensor<32x4x2xf32>) outs(%fill_1 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<4x2xf32>
  %empty_6 = tensor.empty() : tensor<4x2xf32>
  %phin_rsqrt = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%phin_ss : tensor<4x2xf32>) outs(%empty_6 : tensor<4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.constant 9.99999997E-7 : f32
    %s2 = arith.addf %in, %s1 : f32
    %s3 = math.rsqrt %s2 : f32
    linalg.yield %s3 : f32
  } -> tensor<4x2xf32>
  %empty_7 = tensor.empty() : tensor<32x4x2xf32>
  %phin = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%phi, %phin_rsqrt : tensor<32x4x2xf32>, tensor<4x2xf32>) outs(%empty_7 : tensor<32x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<32x4x2xf32>
  %empty_8 = tensor.empty() : tensor<2x16x4x2xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_8 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d4, d2, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%xn, %phin : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%fill_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x4x2xf32>
  %cst_1 = arith.constant 0xFF800000 : f32
  %empty_9 = tensor.empty() : tensor<2x4x2xf32>
  %fill_3 = linalg.fill ins(%cst_1 : f32) outs(%empty_9 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_3 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_10 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %dispatch_max : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_10 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_11 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_shifted : tensor<2x16x4x2xf32>) outs(%empty_11 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_12 = tensor.empty() : tensor<2x4x2xf32>
  %fill_4 = linalg.fill ins(%cst : f32) outs(%empty_12 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %dispatch_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>], iterator_types = ["parallel", "reduction", "parallel", "parallel"]}
      ins(%dispatch_exp : tensor<2x16x4x2xf32>) outs(%fill_4 : tensor<2x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2xf32>
  %empty_13 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dispatch_exp, %dispatch_sum : tensor<2x16x4x2xf32>, tensor<2x4x2xf32>) outs(%empty_13 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_14 = tensor.empty() : tensor<2x16xf32>
  %fill_5 = linalg.fill ins(%cst_1 : f32) outs(%empty_14 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_5 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_15 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_15 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_16 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_16 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_17 = tensor.empty() : tensor<2x16xf32>
  %fill_6 = linalg.fill ins(%cst : f32) outs(%empty_17 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_6 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_18 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_18 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_19 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_7 = linalg.fill ins(%cst : f32) outs(%empty_19 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_7 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_20 = tensor.empty() : tensor<2x4x2x64xf32>
  %fill_8 = linalg.fill ins(%cst : f32) outs(%empty_20 : tensor<2x4x2x64xf32>) -> tensor<2x4x2x64xf32>
  %h = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%slots, %w1 : tensor<2x4x2x32xf32>, tensor<4x32x64xf32>) outs(%fill_8 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_21 = tensor.empty() : tensor<2x4x2x64xf32>
  %h_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h, %b1 : tensor<2x4x2x64xf32>, tensor<4x64xf32>) outs(%empty_21 : tensor<2x4x2x64xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_22 = tensor.empty() : tensor<2x4x2x64xf32>
  %act = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%h_bias : tensor<2x4x2x64xf32>) outs(%empty_22 : tensor<2x4x2x64xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.mulf %in, %in : f32
    %s2 = arith.mulf %s1, %in : f32
    %s3 = arith.constant 4.471500e-02 : f32
    %s4 = arith.mulf %s3, %s2 : f32
    %s5 = arith.addf %in, %s4 : f32
    %s6 = arith.constant 0.797884583 : f32
    %s7 = arith.mulf %s6, %s5 : f32
    %s8 = math.tanh %s7 : f32
    %s9 = arith.constant 5.000000e-01 : f32
    %s10 = arith.mulf %s9, %in : f32
    %s11 = arith.constant 1.000000e+00 : f32
    %s12 = arith.addf %s11, %s8 : f32
    %s13 = arith.mulf %s10, %s12 : f32
    linalg.yield %s13 : f32
  } -> tensor<2x4x2x64xf32>
  %empty_23 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_9 = linalg.fill ins(%cst : f32) outs(%empty_23 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %o = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%act, %w2 : tensor<2x4x2x64xf32>, tensor<4x64x32xf32>) outs(%fill_9 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_24 = tensor.empty() : tensor<2x4x2x32xf32>
  %o_bias = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d1, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%o, %b2 : tensor<2x4x2x32xf32>, tensor<4x32xf32>) outs(%empty_24 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.addf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x4x2x32xf32>
  %empty_25 = tensor.empty() : tensor<2x16x32xf32>
  %fill_10 = linalg.fill ins(%cst : f32) outs(%empty_25 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %o_bias : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_10 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}
