// RUN: softmoe-opt %s --softmoe-raise-from-linalg | FileCheck %s

// linalg's named elementwise and reduction ops read like generics: the dispatch
// softmax as linalg.reduce, linalg.broadcast and linalg.map.
// CHECK-LABEL: func.func @map_reduce_broadcast(
// CHECK-NOT: linalg.
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1 : tensor<2x16x32xf32>, tensor<32x4x2xf32>
// CHECK-NEXT: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0
// CHECK-NEXT: return %[[S]]
func.func @map_reduce_broadcast(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>) -> tensor<2x4x2x32xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %e4 = tensor.empty() : tensor<2x16x4x2xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(b,m,n,p,d)->(b,m,d)>, affine_map<(b,m,n,p,d)->(d,n,p)>, affine_map<(b,m,n,p,d)->(b,m,n,p)>], iterator_types = ["parallel","parallel","parallel","parallel","reduction"]} ins(%x, %phi : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%z4 : tensor<2x16x4x2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x16x4x2xf32>
  %e3 = tensor.empty() : tensor<2x4x2xf32>
  %m3 = linalg.fill ins(%ninf : f32) outs(%e3 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %max = linalg.reduce ins(%logits : tensor<2x16x4x2xf32>) outs(%m3 : tensor<2x4x2xf32>) dimensions = [1]
    (%in: f32, %acc: f32) {
      %r = arith.maximumf %in, %acc : f32
      linalg.yield %r : f32
    }
  %maxb = linalg.broadcast ins(%max : tensor<2x4x2xf32>) outs(%e4 : tensor<2x16x4x2xf32>) dimensions = [1]
  %sh = linalg.map { arith.subf } ins(%logits, %maxb : tensor<2x16x4x2xf32>, tensor<2x16x4x2xf32>) outs(%e4 : tensor<2x16x4x2xf32>)
  %ex = linalg.map { math.exp } ins(%sh : tensor<2x16x4x2xf32>) outs(%e4 : tensor<2x16x4x2xf32>)
  %s3 = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x4x2xf32>) -> tensor<2x4x2xf32>
  %sum = linalg.reduce { arith.addf } ins(%ex : tensor<2x16x4x2xf32>) outs(%s3 : tensor<2x4x2xf32>) dimensions = [1]
  %sumb = linalg.broadcast ins(%sum : tensor<2x4x2xf32>) outs(%e4 : tensor<2x16x4x2xf32>) dimensions = [1]
  %w = linalg.map { arith.divf } ins(%ex, %sumb : tensor<2x16x4x2xf32>, tensor<2x16x4x2xf32>) outs(%e4 : tensor<2x16x4x2xf32>)
  %es = tensor.empty() : tensor<2x4x2x32xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(b,n,p,d,m)->(b,m,n,p)>, affine_map<(b,n,p,d,m)->(b,m,d)>, affine_map<(b,n,p,d,m)->(b,n,p,d)>], iterator_types = ["parallel","parallel","parallel","parallel","reduction"]} ins(%w, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%zs : tensor<2x4x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %c, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x4x2x32xf32>
  return %slots : tensor<2x4x2x32xf32>
}

// The scale read as a scalar with tensor.extract inside the payload that
// normalises phi (torch-mlir turns rank-0 tensors into scalars this way), and
// the norm as powf(x, 2) summed, divided into x.
// CHECK-LABEL: func.func @scale_by_extract(
// CHECK-NOT: {{linalg|tensor}}.
// CHECK: %[[L:.*]] = softmoe.router %arg0, %arg1 scale(%arg2 : tensor<f32>) normalize epsilon(9.99999974E-6)
// CHECK-NEXT: %[[S:.*]] = softmoe.dispatch %[[L]], %arg0
// CHECK-NEXT: return %[[S]]
func.func @scale_by_extract(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>, %scale: tensor<f32>) -> tensor<2x4x2x32xf32> {
  %zero = arith.constant 0.0 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %two = arith.constant 2.0 : f32
  %eps = arith.constant 1.0e-5 : f32
  %s = tensor.extract %scale[] : tensor<f32>
  // xn = x / sqrt(sum_d x^2 + eps)
  %e2 = tensor.empty() : tensor<2x16xf32>
  %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %xss = linalg.generic {indexing_maps = [affine_map<(b,m,d)->(b,m,d)>, affine_map<(b,m,d)->(b,m)>], iterator_types = ["parallel","parallel","reduction"]} ins(%x : tensor<2x16x32xf32>) outs(%z2 : tensor<2x16xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = math.powf %a, %two : f32
    %r = arith.addf %acc, %sq : f32
    linalg.yield %r : f32
  } -> tensor<2x16xf32>
  %e3 = tensor.empty() : tensor<2x16x32xf32>
  %xn = linalg.generic {indexing_maps = [affine_map<(b,m,d)->(b,m,d)>, affine_map<(b,m,d)->(b,m)>, affine_map<(b,m,d)->(b,m,d)>], iterator_types = ["parallel","parallel","parallel"]} ins(%x, %xss : tensor<2x16x32xf32>, tensor<2x16xf32>) outs(%e3 : tensor<2x16x32xf32>) {
  ^bb0(%a: f32, %ss: f32, %o: f32):
    %t = arith.addf %ss, %eps : f32
    %n = math.sqrt %t : f32
    %r = arith.divf %a, %n : f32
    linalg.yield %r : f32
  } -> tensor<2x16x32xf32>
  // phin = phi * rsqrt(sum_d phi^2 + eps) * scale, in one payload
  %enp = tensor.empty() : tensor<4x2xf32>
  %znp = linalg.fill ins(%zero : f32) outs(%enp : tensor<4x2xf32>) -> tensor<4x2xf32>
  %pss = linalg.generic {indexing_maps = [affine_map<(n,p,d)->(d,n,p)>, affine_map<(n,p,d)->(n,p)>], iterator_types = ["parallel","parallel","reduction"]} ins(%phi : tensor<32x4x2xf32>) outs(%znp : tensor<4x2xf32>) {
  ^bb0(%a: f32, %acc: f32):
    %sq = arith.mulf %a, %a : f32
    %r = arith.addf %acc, %sq : f32
    linalg.yield %r : f32
  } -> tensor<4x2xf32>
  %ep = tensor.empty() : tensor<32x4x2xf32>
  %phin = linalg.generic {indexing_maps = [affine_map<(d,n,p)->(d,n,p)>, affine_map<(d,n,p)->(n,p)>, affine_map<(d,n,p)->(d,n,p)>], iterator_types = ["parallel","parallel","parallel"]} ins(%phi, %pss : tensor<32x4x2xf32>, tensor<4x2xf32>) outs(%ep : tensor<32x4x2xf32>) {
  ^bb0(%a: f32, %ss: f32, %o: f32):
    %t = arith.addf %eps, %ss : f32
    %r = math.rsqrt %t : f32
    %as = arith.mulf %s, %a : f32
    %y = arith.mulf %as, %r : f32
    linalg.yield %y : f32
  } -> tensor<32x4x2xf32>
  %e4 = tensor.empty() : tensor<2x16x4x2xf32>
  %z4 = linalg.fill ins(%zero : f32) outs(%e4 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %logits = linalg.generic {indexing_maps = [affine_map<(b,m,n,p,d)->(b,m,d)>, affine_map<(b,m,n,p,d)->(d,n,p)>, affine_map<(b,m,n,p,d)->(b,m,n,p)>], iterator_types = ["parallel","parallel","parallel","parallel","reduction"]} ins(%xn, %phin : tensor<2x16x32xf32>, tensor<32x4x2xf32>) outs(%z4 : tensor<2x16x4x2xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x16x4x2xf32>
  %w = linalg.softmax dimension(1) ins(%logits : tensor<2x16x4x2xf32>) outs(%e4 : tensor<2x16x4x2xf32>) -> tensor<2x16x4x2xf32>
  %es = tensor.empty() : tensor<2x4x2x32xf32>
  %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x4x2x32xf32>) -> tensor<2x4x2x32xf32>
  %slots = linalg.generic {indexing_maps = [affine_map<(b,n,p,d,m)->(b,m,n,p)>, affine_map<(b,n,p,d,m)->(b,m,d)>, affine_map<(b,n,p,d,m)->(b,n,p,d)>], iterator_types = ["parallel","parallel","parallel","parallel","reduction"]} ins(%w, %x : tensor<2x16x4x2xf32>, tensor<2x16x32xf32>) outs(%zs : tensor<2x4x2x32xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.mulf %a, %b : f32
    %r = arith.addf %c, %m : f32
    linalg.yield %r : f32
  } -> tensor<2x4x2x32xf32>
  return %slots : tensor<2x4x2x32xf32>
}
