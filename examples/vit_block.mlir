// A ViT encoder block whose MLP is a Soft MoE layer (the paper's Soft MoE-B/16
// blocks, at a small width): pre-norm multi-head self-attention with a
// residual, then a layer norm and softmoe.layer with a residual.
//
//   h = x + Attention(LayerNorm1(x));   y = h + SoftMoE(LayerNorm2(h))
//
// B=2 sequences of M=65 tokens (64 patches and a class token), width D=192,
// 3 heads of 64, N=8 experts with P=2 slots each, expert hidden H=384. Layer
// norms use epsilon 1e-6 (as ViT does); the experts use the tanh GELU.
// Weight layouts: wq/wk/wv [D, heads, 64], bq/bk/bv [heads, 64],
// wo [heads, 64, D]; the Soft MoE weights are CONTRACT.md's.
//
// @vit_block returns y and the Soft MoE branch. Run it:
//   softmoe-run examples/vit_block.mlir IN/*.npy --output-dir OUT
// with the inputs examples/vit_block.py writes (see test/Examples).

#bmd = affine_map<(b, m, d) -> (b, m, d)>
#bm = affine_map<(b, m, d) -> (b, m)>
#d = affine_map<(b, m, d) -> (d)>
// Projections to heads: (b, h, m, e, d)
#proj_x = affine_map<(b, h, m, e, d) -> (b, m, d)>
#proj_w = affine_map<(b, h, m, e, d) -> (d, h, e)>
#proj_o = affine_map<(b, h, m, e, d) -> (b, h, m, e)>
#bhme = affine_map<(b, h, m, e) -> (b, h, m, e)>
#he = affine_map<(b, h, m, e) -> (h, e)>
// Scores: (b, h, m, k, e)
#score_q = affine_map<(b, h, m, k, e) -> (b, h, m, e)>
#score_k = affine_map<(b, h, m, k, e) -> (b, h, k, e)>
#score_o = affine_map<(b, h, m, k, e) -> (b, h, m, k)>
#bhmk = affine_map<(b, h, m, k) -> (b, h, m, k)>
#bhm = affine_map<(b, h, m, k) -> (b, h, m)>
// Attention-weighted values: (b, h, m, e, k)
#av_a = affine_map<(b, h, m, e, k) -> (b, h, m, k)>
#av_v = affine_map<(b, h, m, e, k) -> (b, h, k, e)>
#av_o = affine_map<(b, h, m, e, k) -> (b, h, m, e)>
// Output projection: (b, m, d, h, e)
#out_o = affine_map<(b, m, d, h, e) -> (b, h, m, e)>
#out_w = affine_map<(b, m, d, h, e) -> (h, e, d)>
#out_y = affine_map<(b, m, d, h, e) -> (b, m, d)>

module {
  // LayerNorm over D with epsilon 1e-6: (x - mean) * rsqrt(var + eps) * g + b.
  func.func private @layer_norm(%x: tensor<2x65x192xf32>, %g: tensor<192xf32>,
                                %b: tensor<192xf32>) -> tensor<2x65x192xf32> {
    %zero = arith.constant 0.0 : f32
    %e2 = tensor.empty() : tensor<2x65xf32>
    %z2 = linalg.fill ins(%zero : f32) outs(%e2 : tensor<2x65xf32>) -> tensor<2x65xf32>
    %sum = linalg.generic {indexing_maps = [#bmd, #bm],
                           iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x : tensor<2x65x192xf32>) outs(%z2 : tensor<2x65xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %s = arith.addf %acc, %in : f32
      linalg.yield %s : f32
    } -> tensor<2x65xf32>
    %var = linalg.generic {indexing_maps = [#bmd, #bm, #bm],
                           iterator_types = ["parallel", "parallel", "reduction"]}
        ins(%x, %sum : tensor<2x65x192xf32>, tensor<2x65xf32>) outs(%z2 : tensor<2x65xf32>) {
    ^bb0(%in: f32, %s: f32, %acc: f32):
      %inv_d = arith.constant 5.20833349E-3 : f32  // 1/192
      %mean = arith.mulf %s, %inv_d : f32
      %c = arith.subf %in, %mean : f32
      %sq = arith.mulf %c, %c : f32
      %r = arith.addf %acc, %sq : f32
      linalg.yield %r : f32
    } -> tensor<2x65xf32>
    %e3 = tensor.empty() : tensor<2x65x192xf32>
    %y = linalg.generic {indexing_maps = [#bmd, #bm, #bm, #d, #d, #bmd],
                         iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%x, %sum, %var, %g, %b : tensor<2x65x192xf32>, tensor<2x65xf32>, tensor<2x65xf32>,
                                     tensor<192xf32>, tensor<192xf32>)
        outs(%e3 : tensor<2x65x192xf32>) {
    ^bb0(%in: f32, %s: f32, %v: f32, %gamma: f32, %beta: f32, %out: f32):
      %inv_d = arith.constant 5.20833349E-3 : f32
      %eps = arith.constant 9.99999997E-7 : f32
      %mean = arith.mulf %s, %inv_d : f32
      %vm = arith.mulf %v, %inv_d : f32
      %ve = arith.addf %vm, %eps : f32
      %rstd = math.rsqrt %ve : f32
      %c = arith.subf %in, %mean : f32
      %n = arith.mulf %c, %rstd : f32
      %ng = arith.mulf %n, %gamma : f32
      %r = arith.addf %ng, %beta : f32
      linalg.yield %r : f32
    } -> tensor<2x65x192xf32>
    return %y : tensor<2x65x192xf32>
  }

  // x [B, M, D] projected to heads: (x @ w + bias) * scale, as [B, heads, M, 64].
  func.func private @project(%x: tensor<2x65x192xf32>, %w: tensor<192x3x64xf32>,
                             %bias: tensor<3x64xf32>, %scale: f32) -> tensor<2x3x65x64xf32> {
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<2x3x65x64xf32>
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x65x64xf32>) -> tensor<2x3x65x64xf32>
    %p = linalg.generic {indexing_maps = [#proj_x, #proj_w, #proj_o],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
        ins(%x, %w : tensor<2x65x192xf32>, tensor<192x3x64xf32>) outs(%z : tensor<2x3x65x64xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %acc, %m : f32
      linalg.yield %s : f32
    } -> tensor<2x3x65x64xf32>
    %r = linalg.generic {indexing_maps = [#bhme, #he, #bhme],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%p, %bias : tensor<2x3x65x64xf32>, tensor<3x64xf32>) outs(%e : tensor<2x3x65x64xf32>) {
    ^bb0(%a: f32, %b: f32, %out: f32):
      %s = arith.addf %a, %b : f32
      %t = arith.mulf %s, %scale : f32
      linalg.yield %t : f32
    } -> tensor<2x3x65x64xf32>
    return %r : tensor<2x3x65x64xf32>
  }

  // Multi-head self-attention of xn, plus the residual x.
  func.func private @attention(%x: tensor<2x65x192xf32>, %xn: tensor<2x65x192xf32>,
                               %wq: tensor<192x3x64xf32>, %bq: tensor<3x64xf32>,
                               %wk: tensor<192x3x64xf32>, %bk: tensor<3x64xf32>,
                               %wv: tensor<192x3x64xf32>, %bv: tensor<3x64xf32>,
                               %wo: tensor<3x64x192xf32>, %bo: tensor<192xf32>) -> tensor<2x65x192xf32> {
    %zero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %ninf = arith.constant 0xFF800000 : f32
    %qscale = arith.constant 0.125 : f32  // 1 / sqrt(64)
    %q = func.call @project(%xn, %wq, %bq, %qscale)
        : (tensor<2x65x192xf32>, tensor<192x3x64xf32>, tensor<3x64xf32>, f32) -> tensor<2x3x65x64xf32>
    %k = func.call @project(%xn, %wk, %bk, %one)
        : (tensor<2x65x192xf32>, tensor<192x3x64xf32>, tensor<3x64xf32>, f32) -> tensor<2x3x65x64xf32>
    %v = func.call @project(%xn, %wv, %bv, %one)
        : (tensor<2x65x192xf32>, tensor<192x3x64xf32>, tensor<3x64xf32>, f32) -> tensor<2x3x65x64xf32>

    // Scores and their softmax over the keys.
    %es = tensor.empty() : tensor<2x3x65x65xf32>
    %zs = linalg.fill ins(%zero : f32) outs(%es : tensor<2x3x65x65xf32>) -> tensor<2x3x65x65xf32>
    %s = linalg.generic {indexing_maps = [#score_q, #score_k, #score_o],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
        ins(%q, %k : tensor<2x3x65x64xf32>, tensor<2x3x65x64xf32>) outs(%zs : tensor<2x3x65x65xf32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %m = arith.mulf %a, %b : f32
      %r = arith.addf %acc, %m : f32
      linalg.yield %r : f32
    } -> tensor<2x3x65x65xf32>
    %e3 = tensor.empty() : tensor<2x3x65xf32>
    %minit = linalg.fill ins(%ninf : f32) outs(%e3 : tensor<2x3x65xf32>) -> tensor<2x3x65xf32>
    %max = linalg.generic {indexing_maps = [#bhmk, #bhm],
                           iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
        ins(%s : tensor<2x3x65x65xf32>) outs(%minit : tensor<2x3x65xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %r = arith.maximumf %acc, %in : f32
      linalg.yield %r : f32
    } -> tensor<2x3x65xf32>
    %ex = linalg.generic {indexing_maps = [#bhmk, #bhm, #bhmk],
                          iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%s, %max : tensor<2x3x65x65xf32>, tensor<2x3x65xf32>) outs(%es : tensor<2x3x65x65xf32>) {
    ^bb0(%in: f32, %mx: f32, %out: f32):
      %d = arith.subf %in, %mx : f32
      %r = math.exp %d : f32
      linalg.yield %r : f32
    } -> tensor<2x3x65x65xf32>
    %sinit = linalg.fill ins(%zero : f32) outs(%e3 : tensor<2x3x65xf32>) -> tensor<2x3x65xf32>
    %sum = linalg.generic {indexing_maps = [#bhmk, #bhm],
                           iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
        ins(%ex : tensor<2x3x65x65xf32>) outs(%sinit : tensor<2x3x65xf32>) {
    ^bb0(%in: f32, %acc: f32):
      %r = arith.addf %acc, %in : f32
      linalg.yield %r : f32
    } -> tensor<2x3x65xf32>
    %a = linalg.generic {indexing_maps = [#bhmk, #bhm, #bhmk],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
        ins(%ex, %sum : tensor<2x3x65x65xf32>, tensor<2x3x65xf32>) outs(%es : tensor<2x3x65x65xf32>) {
    ^bb0(%in: f32, %t: f32, %out: f32):
      %r = arith.divf %in, %t : f32
      linalg.yield %r : f32
    } -> tensor<2x3x65x65xf32>

    // Weighted values, then the output projection, its bias and the residual.
    %eo = tensor.empty() : tensor<2x3x65x64xf32>
    %zo = linalg.fill ins(%zero : f32) outs(%eo : tensor<2x3x65x64xf32>) -> tensor<2x3x65x64xf32>
    %o = linalg.generic {indexing_maps = [#av_a, #av_v, #av_o],
                         iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
        ins(%a, %v : tensor<2x3x65x65xf32>, tensor<2x3x65x64xf32>) outs(%zo : tensor<2x3x65x64xf32>) {
    ^bb0(%p: f32, %w: f32, %acc: f32):
      %m = arith.mulf %p, %w : f32
      %r = arith.addf %acc, %m : f32
      linalg.yield %r : f32
    } -> tensor<2x3x65x64xf32>
    %ey = tensor.empty() : tensor<2x65x192xf32>
    %zy = linalg.fill ins(%zero : f32) outs(%ey : tensor<2x65x192xf32>) -> tensor<2x65x192xf32>
    %proj = linalg.generic {indexing_maps = [#out_o, #out_w, #out_y],
                            iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
        ins(%o, %wo : tensor<2x3x65x64xf32>, tensor<3x64x192xf32>) outs(%zy : tensor<2x65x192xf32>) {
    ^bb0(%p: f32, %w: f32, %acc: f32):
      %m = arith.mulf %p, %w : f32
      %r = arith.addf %acc, %m : f32
      linalg.yield %r : f32
    } -> tensor<2x65x192xf32>
    %h = linalg.generic {indexing_maps = [#bmd, #bmd, #d, #bmd],
                         iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%x, %proj, %bo : tensor<2x65x192xf32>, tensor<2x65x192xf32>, tensor<192xf32>)
        outs(%ey : tensor<2x65x192xf32>) {
    ^bb0(%xi: f32, %pi: f32, %bi: f32, %out: f32):
      %t = arith.addf %pi, %bi : f32
      %r = arith.addf %xi, %t : f32
      linalg.yield %r : f32
    } -> tensor<2x65x192xf32>
    return %h : tensor<2x65x192xf32>
  }

  func.func @vit_block(%x: tensor<2x65x192xf32>,
                       %ln1_g: tensor<192xf32>, %ln1_b: tensor<192xf32>,
                       %wq: tensor<192x3x64xf32>, %bq: tensor<3x64xf32>,
                       %wk: tensor<192x3x64xf32>, %bk: tensor<3x64xf32>,
                       %wv: tensor<192x3x64xf32>, %bv: tensor<3x64xf32>,
                       %wo: tensor<3x64x192xf32>, %bo: tensor<192xf32>,
                       %ln2_g: tensor<192xf32>, %ln2_b: tensor<192xf32>,
                       %phi: tensor<192x8x2xf32>,
                       %w1: tensor<8x192x384xf32>, %b1: tensor<8x384xf32>,
                       %w2: tensor<8x384x192xf32>, %b2: tensor<8x192xf32>)
      -> (tensor<2x65x192xf32>, tensor<2x65x192xf32>) {
    %xn = func.call @layer_norm(%x, %ln1_g, %ln1_b)
        : (tensor<2x65x192xf32>, tensor<192xf32>, tensor<192xf32>) -> tensor<2x65x192xf32>
    %h = func.call @attention(%x, %xn, %wq, %bq, %wk, %bk, %wv, %bv, %wo, %bo)
        : (tensor<2x65x192xf32>, tensor<2x65x192xf32>, tensor<192x3x64xf32>, tensor<3x64xf32>,
           tensor<192x3x64xf32>, tensor<3x64xf32>, tensor<192x3x64xf32>, tensor<3x64xf32>,
           tensor<3x64x192xf32>, tensor<192xf32>) -> tensor<2x65x192xf32>
    %hn = func.call @layer_norm(%h, %ln2_g, %ln2_b)
        : (tensor<2x65x192xf32>, tensor<192xf32>, tensor<192xf32>) -> tensor<2x65x192xf32>
    %moe = softmoe.layer %hn, %phi, %w1, %b1, %w2, %b2
        : tensor<2x65x192xf32>, tensor<192x8x2xf32>, tensor<8x192x384xf32>, tensor<8x384xf32>,
          tensor<8x384x192xf32>, tensor<8x192xf32>
    %e = tensor.empty() : tensor<2x65x192xf32>
    %y = linalg.generic {indexing_maps = [#bmd, #bmd, #bmd], iterator_types = ["parallel", "parallel", "parallel"]}
        ins(%h, %moe : tensor<2x65x192xf32>, tensor<2x65x192xf32>) outs(%e : tensor<2x65x192xf32>) {
    ^bb0(%a: f32, %b: f32, %out: f32):
      %r = arith.addf %a, %b : f32
      linalg.yield %r : f32
    } -> tensor<2x65x192xf32>
    // The Soft MoE branch is returned too, so that a check sees its error at
    // its own scale and not only under the residual stream.
    return %y, %moe : tensor<2x65x192xf32>, tensor<2x65x192xf32>
  }
}
