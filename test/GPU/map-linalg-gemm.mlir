// RUN: softmoe-opt %s --softmoe-gpu-map-linalg --split-input-file | FileCheck %s
// RUN: softmoe-opt %s --softmoe-gpu-map-linalg="tensor-cores=false" --split-input-file | FileCheck %s --check-prefix=NOTC

// A bf16 contraction on memrefs becomes one tensor-core kernel: the fill of
// its output folds into the accumulator, both operands are staged through
// shared memory (A read along K, B along N, hence ldmatrix without and with
// .trans), and the warps issue mma.sync m16n8k16 with f32 accumulation.

#a = affine_map<(n, m, h, d) -> (n, m, d)>
#b = affine_map<(n, m, h, d) -> (n, d, h)>
#c = affine_map<(n, m, h, d) -> (n, m, h)>
// CHECK-LABEL: func.func @bf16_batched
// CHECK-NOT:     linalg.
// CHECK:         scf.forall (%{{.*}}) in (24) {
// CHECK:           memref.alloc() : memref<2x64x40xbf16, #gpu.address_space<workgroup>>
// CHECK:           memref.alloc() : memref<2x32x136xbf16, #gpu.address_space<workgroup>>
// CHECK:           vector.load %arg0{{.*}} {alignment = 16 : i64} : memref<4x64x128xbf16>, vector<8xbf16>
// CHECK:           scf.for
// CHECK:             nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = false} : memref<2x64x40xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:             nvgpu.ldmatrix {{.*}} {numTiles = 4 : i32, transpose = true} : memref<2x32x136xbf16, #gpu.address_space<workgroup>> -> vector<4x2xbf16>
// CHECK:             nvvm.mma.sync {{.*}}multiplicandAPtxType = #nvvm.mma_type<bf16>{{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>
// CHECK:             gpu.barrier
// CHECK:           memref.store {{.*}} : memref<4x64x768xf32>
// CHECK:         } {mapping = [#gpu.block<x>], softmoe.gpu.block_size = array<i64: 256, 1, 1>, softmoe.gpu.kernel = "mma_gemm"}
// CHECK-NOT:     scf.forall
// NOTC-LABEL: func.func @bf16_batched
// NOTC-NOT:     nvvm.mma.sync
// NOTC:         math.fma
// NOTC:         softmoe.gpu.kernel = "fma_gemm"
func.func @bf16_batched(%x: memref<4x64x128xbf16>, %w: memref<4x128x768xbf16>, %o: memref<4x64x768xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%o : memref<4x64x768xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%x, %w : memref<4x64x128xbf16>, memref<4x128x768xbf16>) outs(%o : memref<4x64x768xf32>) {
  ^bb0(%in: bf16, %wi: bf16, %acc: f32):
    %0 = arith.extf %in : bf16 to f32
    %1 = arith.extf %wi : bf16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %acc, %2 : f32
    linalg.yield %3 : f32
  }
  return
}

// -----

// f16 operands use the f16 form of mma.sync; an f32 operand of the same
// contraction is rounded to f16 when it is staged.
// CHECK-LABEL: func.func @f16_mixed
// CHECK:         arith.truncf {{.*}} : vector<8xf32> to vector<8xf16>
// CHECK:         nvvm.mma.sync {{.*}}shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (vector<2xf16>, vector<2xf16>, f32)
// CHECK:         softmoe.gpu.kernel = "mma_gemm"
func.func @f16_mixed(%a: memref<96x64xf32>, %b: memref<64x80xf16>, %o: memref<96x80xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<96x64xf32>, memref<64x80xf16>) outs(%o : memref<96x80xf32>) {
  ^bb0(%x: f32, %y: f16, %acc: f32):
    %0 = arith.extf %y : f16 to f32
    %1 = arith.mulf %x, %0 : f32
    %2 = arith.addf %acc, %1 : f32
    linalg.yield %2 : f32
  }
  return
}

// -----

// All-f32 contractions use FMA: 64x64 tiles, 4x4 outputs per thread. Without
// a fill, the output's old value is read in the epilogue.
// CHECK-LABEL: func.func @f32_no_fill
// CHECK:         scf.forall (%{{.*}}) in (4) {
// CHECK-NOT:       nvvm.mma.sync
// CHECK:           math.fma
// CHECK:           memref.load %arg2
// CHECK:           arith.addf
// CHECK:           memref.store {{.*}}, %arg2
// CHECK:         softmoe.gpu.kernel = "fma_gemm"
func.func @f32_no_fill(%a: memref<100x50xf32>, %b: memref<50x70xf32>, %o: memref<100x70xf32>) {
  linalg.matmul ins(%a, %b : memref<100x50xf32>, memref<50x70xf32>) outs(%o : memref<100x70xf32>)
  return
}

// -----

// The elementwise op right after the contraction (bias and GELU, in place as
// convert-softmoe-to-linalg writes it) becomes the epilogue of the GEMM
// kernel: one kernel, no pointwise one.
#m5 = affine_map<(b, n, p, h, d) -> (b, n, p, d)>
#w5 = affine_map<(b, n, p, h, d) -> (n, d, h)>
#o5 = affine_map<(b, n, p, h, d) -> (b, n, p, h)>
#id = affine_map<(b, n, p, h) -> (b, n, p, h)>
#bias = affine_map<(b, n, p, h) -> (n, h)>
// CHECK-LABEL: func.func @epilogue
// CHECK:         scf.forall
// CHECK:           nvvm.mma.sync
// CHECK:           math.tanh
// CHECK:           memref.store {{.*}}, %arg3
// CHECK:         softmoe.gpu.kernel = "mma_gemm"
// CHECK-NOT:     scf.forall
func.func @epilogue(%s: memref<8x4x2x64xbf16>, %w: memref<4x64x96xbf16>, %b1: memref<4x96xbf16>, %h: memref<8x4x2x96xf32>) {
  %z = arith.constant 0.0 : f32
  linalg.fill ins(%z : f32) outs(%h : memref<8x4x2x96xf32>)
  linalg.generic {indexing_maps = [#m5, #w5, #o5], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%s, %w : memref<8x4x2x64xbf16>, memref<4x64x96xbf16>) outs(%h : memref<8x4x2x96xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %0 = arith.extf %x : bf16 to f32
    %1 = arith.extf %y : bf16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %acc, %2 : f32
    linalg.yield %3 : f32
  }
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b1 : memref<4x96xbf16>) outs(%h : memref<8x4x2x96xf32>) {
  ^bb0(%bv: bf16, %v: f32):
    %0 = arith.extf %bv : bf16 to f32
    %1 = arith.addf %v, %0 : f32
    %2 = math.tanh %1 : f32
    linalg.yield %2 : f32
  }
  return
}
