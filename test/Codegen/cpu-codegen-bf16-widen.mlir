// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2 stop-after=tile}))" | FileCheck %s --check-prefix=AVX2
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512bf16 stop-after=tile}))" | FileCheck %s --check-prefix=DOT
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx2}),canonicalize,cse)" | FileCheck %s --check-prefix=VEC

// Without a bf16 (or f16) dot instruction, the row operand of a contraction
// into f32 is widened to an f32 copy once, by a kernel of its own, and the
// register tile broadcasts f32 from it; the weights (B) stay narrow and are
// widened in registers. The fill stays next to the contraction it fuses into,
// and the copy is freed at the end of the block. With vdpbf16ps (avx512bf16)
// both stay bf16.

// AVX2-LABEL: func.func @expert_up_bf16
// AVX2:         %[[WIDE:.*]] = memref.alloc() : memref<32x384xf32>
// AVX2:         arith.extf %{{.*}} : bf16 to f32
// AVX2:         linalg.fill
// AVX2:         linalg.matmul {{.*}}ins(%{{.*}}, %{{.*}} : memref<4x384xf32, {{.*}}>, memref<384x24xbf16, {{.*}}>)
// AVX2:         memref.dealloc %[[WIDE]] : memref<32x384xf32>
// AVX2-NEXT:    return

// DOT-LABEL: func.func @expert_up_bf16
// DOT-NOT:     memref.alloc
// DOT:         linalg.matmul {{.*}}ins(%{{.*}}, %{{.*}} : memref<{{.*}}xbf16, {{.*}}>, memref<{{.*}}xbf16, {{.*}}>)

// VEC-LABEL: func.func @expert_up_bf16
// VEC:         scf.for %{{.*}} = %c0 to %c384 step %c1 iter_args({{.*}}) -> (vector<8xf32>,
// VEC-NOT:       memref.load {{.*}} : memref<{{.*}}xbf16
// VEC:           arith.extf %{{.*}} : vector<8xbf16> to vector<8xf32>
// VEC:           vector.fma
func.func @expert_up_bf16(%a: memref<32x384xbf16>, %b: memref<384x1536xbf16>, %c: memref<32x1536xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<32x1536xf32>)
  linalg.matmul ins(%a, %b : memref<32x384xbf16>, memref<384x1536xbf16>) outs(%c : memref<32x1536xf32>)
  return
}

// AVX2-LABEL: func.func @expert_down_f16
// AVX2:         memref.alloc() : memref<2x8x64xf32>
// AVX2:         arith.extf %{{.*}} : f16 to f32
// AVX2:         linalg.batch_matmul {{.*}}ins(%{{.*}}, %{{.*}} : memref<{{.*}}xf32, {{.*}}>, memref<{{.*}}xf16, {{.*}}>)
// AVX2:         memref.dealloc
func.func @expert_down_f16(%a: memref<2x8x64xf16>, %b: memref<2x64x32xf16>, %c: memref<2x8x32xf32>) {
  linalg.batch_matmul ins(%a, %b : memref<2x8x64xf16>, memref<2x64x32xf16>) outs(%c : memref<2x8x32xf32>)
  return
}

// f32 operands, and a bf16 result (no f32 accumulator to widen into), stay.
// AVX2-LABEL: func.func @f32_and_bf16_out
// AVX2-NOT:     memref.alloc
// AVX2:         return
func.func @f32_and_bf16_out(%a: memref<8x64xf32>, %b: memref<64x32xf32>, %c: memref<8x32xf32>,
                            %d: memref<8x64xbf16>, %e: memref<64x32xbf16>, %f: memref<8x32xbf16>) {
  linalg.matmul ins(%a, %b : memref<8x64xf32>, memref<64x32xf32>) outs(%c : memref<8x32xf32>)
  linalg.matmul ins(%d, %e : memref<8x64xbf16>, memref<64x32xbf16>) outs(%f : memref<8x32xbf16>)
  return
}

// The row operand is a view made after the fill (the backward's B and P
// merged into one dimension): the widening copy goes after the view, between
// the fill and the contraction, not before the fill where the view is not yet
// defined.
// AVX2-LABEL: func.func @row_view_after_fill
// AVX2:         linalg.fill
// AVX2:         %[[VIEW:.*]] = memref.collapse_shape %arg0
// AVX2:         %[[WIDE:.*]] = memref.alloc() : memref<32x384xf32>
// AVX2:         memref.collapse_shape %[[VIEW]]
// AVX2:         arith.extf %{{.*}} : bf16 to f32
// AVX2:         linalg.matmul {{.*}}ins(%{{.*}}, %{{.*}} : memref<4x384xf32, {{.*}}>, memref<384x24xbf16, {{.*}}>)
// VEC-LABEL: func.func @row_view_after_fill
// VEC:           vector.fma
func.func @row_view_after_fill(%a: memref<8x4x384xbf16>, %b: memref<384x1536xbf16>, %c: memref<32x1536xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<32x1536xf32>)
  %v = memref.collapse_shape %a [[0, 1], [2]] : memref<8x4x384xbf16> into memref<32x384xbf16>
  linalg.matmul ins(%v, %b : memref<32x384xbf16>, memref<384x1536xbf16>) outs(%c : memref<32x1536xf32>)
  return
}
