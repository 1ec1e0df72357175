//===- Passes.td - softmoe GPU code generation passes ------*- tablegen -*-===//
//
// The passes of softmoe-gpu-pipeline between bufferized linalg and the
// upstream NVVM lowering.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_GPU_PASSES_TD
#define SOFTMOE_GPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def SoftMoEGPUMapLinalg : Pass<"softmoe-gpu-map-linalg", "::mlir::ModuleOp"> {
  let summary = "Map linalg ops on memrefs to thread blocks and threads";
  let description = [{
    Every linalg op on memrefs in a host function becomes one kernel: an
    `scf.forall` over thread blocks (`#gpu.block<x>` mapping) whose body is
    the code that each thread of the block runs (SIMT), with the block size
    in the `softmoe.gpu.block_size` attribute and shared memory as
    `memref.alloc` in `#gpu.address_space<workgroup>`. Kernels by kind:

    - contractions (`linalg::isaContractionOpInterface`): tiled GEMMs over
      the flattened batch/M/N/K dimensions with both operands staged in
      shared memory (double-buffered through registers). With a bf16 or f16
      operand the warps use tensor cores (`nvgpu.ldmatrix` and
      `nvvm.mma.sync` m16n8k16, f32 accumulation; f32 operands are rounded
      to the 16-bit type when staged); all-f32 contractions use FMA. A
      `linalg.fill` of the output right before becomes the accumulator's
      start value, and an elementwise op right after that reads the result
      becomes the epilogue;
    - reductions whose body is a recognised combiner: one warp per output
      with shuffles when the reduced dimension is the contiguous one, else
      32 outputs per block with the reduction split 8 ways through shared
      memory; other reductions: a thread per output;
    - everything else (elementwise, broadcasts, copies, fills): a thread per
      element of the iteration space.

    `memref.copy` is treated as a copy kernel. Shapes must be static.
  }];
  let options = [
    Option<"useTensorCores", "tensor-cores", "bool", /*default=*/"true",
           "Use mma.sync for contractions with bf16/f16 operands">,
    Option<"useWgmma", "wgmma", "bool", /*default=*/"false",
           "sm_90a: TMA loads, mbarriers and warpgroup wgmma for "
           "contractions of two bf16 or two f16 operands (else mma.sync)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect", "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect", "::mlir::nvgpu::NVGPUDialect",
    "::mlir::NVVM::NVVMDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::affine::AffineDialect", "::mlir::math::MathDialect",
  ];
}

def SoftMoEGPUForallToLaunch
    : Pass<"softmoe-gpu-forall-to-launch", "::mlir::ModuleOp"> {
  let summary = "Turn block-mapped scf.forall kernels into gpu.launch";
  let description = [{
    Replaces each `scf.forall` with a `#gpu.block` mapping and a
    `softmoe.gpu.block_size` attribute by a `gpu.launch` whose grid is the
    forall's trip counts (x, y, z) and whose block is the attribute. The
    induction variables become block ids, and `memref.alloc`s in workgroup
    memory become workgroup attributions of the launch.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::arith::ArithDialect"];
}

def SoftMoEGPUAsyncHost : Pass<"softmoe-gpu-async-host", "::mlir::ModuleOp"> {
  let summary = "Put host-side GPU work on one stream with async tokens";
  let description = [{
    In every host function that launches kernels: creates a stream
    (`gpu.wait async`), turns `memref.alloc` into `gpu.alloc async` (device
    memory), `gpu.launch` into its async form, frees every allocation with
    `gpu.dealloc async` before returning and waits for the stream there.
    Tokens chain every op in program order, so the stream runs them in
    order. (The synchronous forms of gpu.alloc/dealloc/memcpy are not lowered
    by gpu-to-llvm.) Function arguments must already be device memory.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def SoftMoEGPUAlignShared
    : Pass<"softmoe-gpu-align-shared", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Align every workgroup buffer of outlined kernels to 16 bytes";
  let description = [{
    Workgroup attributions become shared-memory globals aligned only to their
    element type, but the kernels store 16-byte vectors into them and read
    them with ldmatrix, which needs 16-byte aligned rows. Sets `llvm.align`
    (at least 16) on every workgroup attribution of every gpu.func.
  }];
}

def SoftMoEGPUMultiArchBinary
    : Pass<"softmoe-gpu-multiarch-binary", "::mlir::ModuleOp"> {
  let summary = "Replace PTX objects by fat binaries for several chips";
  let description = [{
    For every `gpu.binary` whose object holds PTX (format isa), assembles the
    PTX with ptxas for each chip in `chips` and packs the cubins and the PTX
    with `fatbinary` into one fat binary object, so that one executable runs
    on all those chips (and others through the driver's PTX JIT). The tools
    come from `toolkit`/bin, else $CUDA_HOME/bin, else PATH. Without ptxas
    or fatbinary the PTX stays (the driver compiles it when loading) and a
    remark says so, unless `require-tools` is set, which makes it an error.
  }];
  let options = [
    ListOption<"chips", "chips", "std::string",
               "Chips to assemble cubins for (default sm_80,sm_90)">,
    Option<"toolkit", "toolkit", "std::string", /*default=*/"\"\"",
           "CUDA toolkit root holding bin/ptxas and bin/fatbinary">,
    Option<"requireTools", "require-tools", "bool", /*default=*/"false",
           "Fail when ptxas or fatbinary is missing">,
  ];
}

#endif // SOFTMOE_GPU_PASSES_TD
