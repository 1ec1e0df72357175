// Small models that check the runner's plumbing: bf16/f16 rounding of f32
// inputs, bool inputs, several results, dynamic shapes.

#id1 = affine_map<(i) -> (i)>
#id2 = affine_map<(i, j) -> (i, j)>

func.func @widen_bf16(%x: tensor<?xbf16>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xbf16>
  %init = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<?xbf16>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: bf16, %b: f32):
    %w = arith.extf %a : bf16 to f32
    linalg.yield %w : f32
  } -> tensor<?xf32>
  return %y : tensor<?xf32>
}

func.func @widen_f16(%x: tensor<?xf16>) -> tensor<?xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?xf16>
  %init = tensor.empty(%n) : tensor<?xf32>
  %y = linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]}
      ins(%x : tensor<?xf16>) outs(%init : tensor<?xf32>) {
  ^bb0(%a: f16, %b: f32):
    %w = arith.extf %a : f16 to f32
    linalg.yield %w : f32
  } -> tensor<?xf32>
  return %y : tensor<?xf32>
}

// y = where(mask, -x, x), and the mask itself back as a second result.
func.func @negate_where(%x: tensor<?x?xf32>, %mask: tensor<?x?xi1>) -> (tensor<?x?xf32>, tensor<?x?xi1>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %m = tensor.dim %x, %c0 : tensor<?x?xf32>
  %n = tensor.dim %x, %c1 : tensor<?x?xf32>
  %init = tensor.empty(%m, %n) : tensor<?x?xf32>
  %y = linalg.generic {indexing_maps = [#id2, #id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x, %mask : tensor<?x?xf32>, tensor<?x?xi1>) outs(%init : tensor<?x?xf32>) {
  ^bb0(%a: f32, %b: i1, %c: f32):
    %neg = arith.negf %a : f32
    %s = arith.select %b, %neg, %a : f32
    linalg.yield %s : f32
  } -> tensor<?x?xf32>
  %minit = tensor.empty(%m, %n) : tensor<?x?xi1>
  %mcopy = linalg.copy ins(%mask : tensor<?x?xi1>) outs(%minit : tensor<?x?xi1>) -> tensor<?x?xi1>
  return %y, %mcopy : tensor<?x?xf32>, tensor<?x?xi1>
}

// A static signature, for shape checks.
func.func @static_sum(%x: tensor<4x8xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%init : tensor<4xf32>) -> tensor<4xf32>
  %y = linalg.reduce ins(%x : tensor<4x8xf32>) outs(%fill : tensor<4xf32>) dimensions = [1]
    (%a: f32, %b: f32) {
      %s = arith.addf %a, %b : f32
      linalg.yield %s : f32
    }
  return %y : tensor<4xf32>
}
