// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s
// Raising again finds nothing more and keeps the IR valid.
// RUN: softmoe-opt %s --softmoe-raise-from-linalg --softmoe-raise-from-linalg | FileCheck %s

// IR with only some stages: each stage that matches becomes its op.
// Written by Inputs/gen_raise_tests.py --write.

// Router and dispatch only; the function returns the slots.
// CHECK-LABEL: func.func @router_dispatch(
// CHECK-NOT: linalg.
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<2x16x32xf32>, tensor<32x4x2xf32>
// CHECK-NOT: linalg.
// CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0 : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>
// CHECK: return %[[S]] : tensor<2x4x2x32xf32>
func.func @router_dispatch(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x4x2x32xf32> {
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
  %empty_6 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_3 = linalg.fill ins(%cst : f32) outs(%empty_6 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_3 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  return %slots : tensor<2x4x2x32xf32>
}

// The same with linalg.softmax.
// CHECK-LABEL: func.func @router_dispatch_linalg_softmax(
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1
// CHECK: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0
// CHECK: return %[[S]]
func.func @router_dispatch_linalg_softmax(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x4x2x32xf32> {
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
  %empty_1 = tensor.empty() : tensor<2x16x4x2xf32>
  %dispatch = linalg.softmax dimension(1) ins(%logits : tensor<2x16x4x2xf32>) outs(%empty_1 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %empty_2 = tensor.empty() : tensor<2x4x2x32xf32>
  %fill_1 = linalg.fill ins(%cst : f32) outs(%empty_2 : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d1, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d4, d3)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%dispatch, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%fill_1 : tensor<2x4x2x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x4x2x32xf32>
  return %slots : tensor<2x4x2x32xf32>
}

// Router and combine of expert outputs that arrive as an argument.
// CHECK-LABEL: func.func @combine_only(
// CHECK-NOT: linalg.
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1
// CHECK-NOT: linalg.
// CHECK: %[[Y:.*]] = softmoe.combine %[[L]], %arg2 : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>
// CHECK: return %[[Y]] : tensor<2x16x32xf32>
func.func @combine_only(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %expert_out: tensor<2x4x2x32xf32>) -> tensor<2x16x32xf32> {
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
  %empty_1 = tensor.empty() : tensor<2x16xf32>
  %fill_1 = linalg.fill ins(%cst_1 : f32) outs(%empty_1 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_max = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%logits : tensor<2x16x4x2xf32>) outs(%fill_1 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.maximumf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_2 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_shifted = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%logits, %combine_max : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_2 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.subf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_3 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine_exp = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_shifted : tensor<2x16x4x2xf32>) outs(%empty_3 : tensor<2x16x4x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = math.exp %in : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_4 = tensor.empty() : tensor<2x16xf32>
  %fill_2 = linalg.fill ins(%cst : f32) outs(%empty_4 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %combine_sum = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%combine_exp : tensor<2x16x4x2xf32>) outs(%fill_2 : tensor<2x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s1 = arith.addf %in, %out : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16xf32>
  %empty_5 = tensor.empty() : tensor<2x16x4x2xf32>
  %combine = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%combine_exp, %combine_sum : tensor<2x16x4x2xf32>, tensor<2x16xf32>) outs(%empty_5 : tensor<2x16x4x2xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.divf %in0, %in1 : f32
    linalg.yield %s1 : f32
  } -> tensor<2x16x4x2xf32>
  %empty_6 = tensor.empty() : tensor<2x16x32xf32>
  %fill_3 = linalg.fill ins(%cst : f32) outs(%empty_6 : tensor<2x16x32xf32>) -> tensor<2x16x32xf32>
  %y = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d4, d2)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%combine, %expert_out : tensor<2x16x4x2xf32>, tensor<2x4x2x32xf32>) outs(%fill_3 : tensor<2x16x32xf32>) {
  ^bb0(%in0: f32, %in1: f32, %out: f32):
    %s1 = arith.mulf %in0, %in1 : f32
    %s2 = arith.addf %out, %s1 : f32
    linalg.yield %s2 : f32
  } -> tensor<2x16x32xf32>
  return %y : tensor<2x16x32xf32>
}
