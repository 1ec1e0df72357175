//===- Passes.td - softmoe CPU code generation passes ------*- tablegen -*-===//

#ifndef SOFTMOE_CODEGEN_PASSES_TD
#define SOFTMOE_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def SoftMoECPUCodegen : Pass<"softmoe-cpu-codegen", "func::FuncOp"> {
  let summary = "Tile, fuse and vectorize bufferized linalg into register-tiled CPU kernels";
  let description = [{
    Runs on bufferized linalg (memref operands). Every op with static shapes
    becomes a loop nest of vector code:

    * contractions (anything `linalg::inferContractionDims` accepts whose
      output's contiguous dimension is the contiguous dimension of one input)
      get an `mr x nr` register tile chosen per shape and target
      (`KernelConfig.h`), loop order batch / column panel / row strip /
      reduction so that one panel of the second operand is reused by all row
      strips, accumulators held in registers across the reduction loop, and
      FMAs (vector.contract lowered to outer products);
    * memory-bound contractions (one batch's B beyond 1 MiB, at most 8 FLOPs
      per byte of it: B-128's expert GEMMs) stream B: the reduction is tiled
      in blocks of `stream-block` whole rows of B outside the column panels,
      the accumulator tile is reloaded per block (the fill and epilogue are
      then kernels of their own), and the next block is prefetched in memory
      order (`stream-prefetch`), which DRAM serves about twice as fast as
      column panels;
    * a column panel of B that several row strips reuse is first copied
      into a contiguous buffer (`pack-panels`): its rows are kilobytes
      apart in B, so they alias in a few L1 sets and each lands on its own
      page, and the strips would otherwise fetch the panel from L2 through
      the TLB again and again;
    * with AVX512-BF16 (`host` where the CPU has it, or `avx512bf16`), bf16 x
      bf16 contractions step the reduction by pairs, each register of the
      tile updated by one vdpbf16ps (`x86vector.avx512.dot`) of B's two rows
      interleaved against A's broadcast pair;
    * the fill or broadcast that initialises a contraction's or reduction's
      output is fused into its tile (the accumulators start from it), and the
      elementwise ops that consume a contraction's output right after it
      (bias, activation) run on the register tile before it is stored;
    * elementwise ops and reductions are vectorized along a contiguous
      dimension (one that no operand strides, if there is one), reductions
      over outer dimensions keep their accumulators in registers;
    * contiguous iteration dimensions are collapsed first, partial tiles are
      peeled so that every kernel has static shapes, and with `threads` > 1
      the outermost loop with enough iterations becomes an `scf.forall`.

    The stages run in that order and pass their state on as attributes:
    the kernel configuration (plan) first, then fusion, tile, vectorize,
    register and vector (`stop-after`; lib/Codegen/CPUCodegen.h).

    Dynamic extents (a `?` batch or token count) get the same kernels: they
    are planned at an expected size (`expected-size`, or the function's
    `softmoe.expected_size` integer attribute), their tile loops are peeled
    so that full tiles run the static register kernels, the remainder runs
    unit tiles along the dynamic dimension (still vectorized along a static
    one), and `scf.forall` splits a dynamic dimension at run time.
  }];
  let options = [
    Option<"cpu", "cpu", "std::string", "\"host\"",
           "CPU to tile for (the same names as softmoe-cpu-pipeline's and the tools' cpu option): host (detected), avx512, avx512bf16 (with "
           "vdpbf16ps), avx2, sse, generic">,
    Option<"threads", "threads", "int64_t", "1",
           "Threads the outermost loops are distributed over (scf.forall)">,
    Option<"registerTile", "register-tile", "std::string", "\"\"",
           "Override every contraction's register tile, as MRxNR (e.g. 8x48)">,
    Option<"prefetchDistance", "prefetch-distance", "int64_t", "0",
           "Prefetch the rows a reduction loop streams this many iterations "
           "ahead (0: none)">,
    Option<"streamBlock", "stream-block", "int64_t", "-1",
           "Rows of the weights per reduction block of a contraction that "
           "streams them from memory: -1 chosen per shape, 0 never stream, "
           "N > 0 every contraction with one reduction dimension longer "
           "than N">,
    Option<"packPanels", "pack-panels", "bool", "false",
           "Copy each column panel of a contraction's second operand into a "
           "contiguous buffer before its row strips reuse it (see above)">,
    Option<"streamPrefetch", "stream-prefetch", "bool", "true",
           "Prefetch the next reduction block of streamed weights in memory "
           "order">,
    Option<"stopAfter", "stop-after", "std::string", "\"\"",
           "Stop after a stage, to inspect it (its markers are left on the "
           "IR): plan (softmoe.plan on each kernel root, softmoe.fused_into "
           "on the ops fused into it), fusion (each root tiled, its "
           "initializer and consumers in its tile), tile (partial tiles "
           "peeled), vectorize (vector ops on whole tiles), register (one "
           "register per vector op, accumulators in loop-carried registers) "
           "or vector (everything, as without the option)">,
    Option<"minParallelWork", "min-parallel-work", "int64_t", "32768",
           "Iterations below which an op is not worth a parallel region">,
    Option<"expectedSize", "expected-size", "int64_t", "128",
           "Extent that dynamic dimensions are planned for (register tiles, "
           "threads); any extent runs correctly">,
  ];
  let dependentDialects = [
    "::mlir::affine::AffineDialect", "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::x86vector::X86VectorDialect"
  ];
}

#endif // SOFTMOE_CODEGEN_PASSES_TD
