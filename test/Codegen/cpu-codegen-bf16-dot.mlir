// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512bf16}),canonicalize,cse)" | FileCheck %s --check-prefix=DOT
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512}),canonicalize,cse)" | FileCheck %s --check-prefix=FMA
// RUN: softmoe-opt %s --pass-pipeline="builtin.module(func.func(softmoe-cpu-codegen{cpu=avx512bf16 stream-block=5}),canonicalize,cse)" | FileCheck %s --check-prefix=ODD
// RUN: softmoe-opt %s --softmoe-cpu-pipeline="cpu=avx512bf16" | FileCheck %s --check-prefix=LLVM

// bf16 x bf16 -> f32 contractions on a CPU with AVX512-BF16: the reduction
// loop takes two steps at a time, and each register of the tile is updated by
// one vdpbf16ps (x86vector.avx512.dot) of the two rows of B interleaved
// against the broadcast pair of A. Without the feature, or where the
// reduction (or a streamed block of it) is odd, FMAs on widened values.

// DOT-LABEL: func.func @expert_up_bf16
// DOT:         scf.for %{{.*}} = %c0 to %c64 step %c2 iter_args(
// DOT:           %[[B0:.*]] = vector.interleave %{{.*}}, %{{.*}} : vector<16xbf16> -> vector<32xbf16>
// DOT:           %[[A0:.*]] = vector.bitcast %{{.*}} : vector<16xi32> to vector<32xbf16>
// DOT:           x86vector.avx512.dot %{{.*}}, %[[A0]], %[[B0]] : vector<32xbf16> -> vector<16xf32>
// DOT-COUNT-15:  x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// DOT-NOT:       vector.fma
// DOT:           scf.yield

// An odd reduction (63) takes single steps, with FMAs.
// DOT-LABEL: func.func @odd_reduction
// DOT-NOT:     x86vector.avx512.dot
// DOT:         scf.for %{{.*}} = %c0 to %c63 step %c1 iter_args(
// DOT:           vector.fma
// DOT-NOT:     x86vector.avx512.dot
// DOT:         return

// Mixed f32 x bf16 (the second expert GEMM) keeps FMAs.
// DOT-LABEL: func.func @mixed
// DOT-NOT:     x86vector.avx512.dot
// DOT:         vector.fma
// DOT-NOT:     x86vector.avx512.dot
// DOT:         return

// FMA-LABEL: func.func @expert_up_bf16
// FMA-NOT:     x86vector
// FMA:         scf.for %{{.*}} = %c0 to %c64 step %c1 iter_args(
// FMA:           vector.fma
// FMA-NOT:     x86vector

// Streamed in blocks of 5: the blocks' reductions are odd, so single steps.
// ODD-LABEL: func.func @expert_up_bf16
// ODD:         scf.for %{{.*}} = %c0 to %c60 step %c5
// ODD:           scf.for %{{.*}} = %c0 to %c5 step %c1 iter_args(
// ODD-NOT:         x86vector.avx512.dot
// ODD:             vector.fma

// The whole pipeline turns it into the LLVM intrinsic.
// LLVM-LABEL: llvm.func @expert_up_bf16
// LLVM:         llvm.call_intrinsic "llvm.x86.avx512bf16.dpbf16ps.512"
func.func @expert_up_bf16(%a: memref<8x64xbf16>, %b: memref<64x64xbf16>, %c: memref<8x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x64xbf16>, memref<64x64xbf16>) outs(%c : memref<8x64xf32>) {
  ^bb0(%x: bf16, %y: bf16, %z: f32):
    %0 = arith.extf %x : bf16 to f32
    %1 = arith.extf %y : bf16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %z, %2 : f32
    linalg.yield %3 : f32
  }
  return
}

func.func @odd_reduction(%a: memref<4x63xbf16>, %b: memref<63x32xbf16>, %c: memref<4x32xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<4x63xbf16>, memref<63x32xbf16>) outs(%c : memref<4x32xf32>) {
  ^bb0(%x: bf16, %y: bf16, %z: f32):
    %0 = arith.extf %x : bf16 to f32
    %1 = arith.extf %y : bf16 to f32
    %2 = arith.mulf %0, %1 : f32
    %3 = arith.addf %z, %2 : f32
    linalg.yield %3 : f32
  }
  return
}

func.func @mixed(%a: memref<8x64xf32>, %b: memref<64x64xbf16>, %c: memref<8x64xf32>) {
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : memref<8x64xf32>, memref<64x64xbf16>) outs(%c : memref<8x64xf32>) {
  ^bb0(%x: f32, %y: bf16, %z: f32):
    %1 = arith.extf %y : bf16 to f32
    %2 = arith.mulf %x, %1 : f32
    %3 = arith.addf %z, %2 : f32
    linalg.yield %3 : f32
  }
  return
}
