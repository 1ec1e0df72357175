//===- GPUPipeline.h - The softmoe CUDA pipeline ----------------*- C++ -*-===//
//
// softmoe-gpu-pipeline: softmoe ops or linalg on tensors (static shapes) ->
// linalg (convert-softmoe-to-linalg) -> bufferized
// linalg -> block-mapped kernels (softmoe-gpu-map-linalg) -> gpu.launch ->
// outlined kernels lowered to NVVM and compiled to PTX/cubin, host code in the
// LLVM dialect calling the mgpu* runtime (lib/Runtime/CUDA).
//
// The host functions take every buffer, results included (as out-parameters
// after the inputs), in device memory.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_PIPELINES_GPUPIPELINE_H
#define SOFTMOE_PIPELINES_GPUPIPELINE_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class OpPassManager;
namespace softmoe {

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> chip{
      *this, "chip", llvm::cl::desc("GPU to compile for (sm_80, sm_90, ...); sm_90a: "
                     "wgmma/TMA kernels for bf16/f16 contractions"),
      llvm::cl::init("sm_80")};
  PassOptions::Option<std::string> features{
      *this, "features",
      llvm::cl::desc("PTX features; sm_90 needs at least +ptx78"),
      llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Kernel object: isa (PTX text, no CUDA tools needed), bin "
                     "(cubin, needs ptxas), fatbin (cubin+PTX, needs ptxas "
                     "and fatbinary), or multi (cubins for every chip in "
                     "`chips` plus PTX in one fat binary; PTX alone when the "
                     "tools are missing)"),
      llvm::cl::init("isa")};
  PassOptions::ListOption<std::string> chips{
      *this, "chips",
      llvm::cl::desc("Chips for format=multi (default sm_80,sm_90)")};
  PassOptions::Option<bool> requireTools{
      *this, "require-tools",
      llvm::cl::desc("format=multi: fail instead of keeping PTX when ptxas "
                     "or fatbinary is missing"),
      llvm::cl::init(false)};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit root for ptxas/fatbinary (default: "
                     "$CUDA_HOME, then PATH)"),
      llvm::cl::init("")};
  PassOptions::Option<int> optLevel{
      *this, "opt-level", llvm::cl::desc("Optimisation level of NVPTX codegen"),
      llvm::cl::init(3)};
  PassOptions::Option<bool> tensorCores{
      *this, "tensor-cores",
      llvm::cl::desc("mma.sync for contractions with bf16/f16 operands"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> bufferize{
      *this, "bufferize",
      llvm::cl::desc("Start from softmoe ops or linalg on tensors (lower and "
                     "bufferize first); off: the input is already bufferized "
                     "linalg on memrefs"),
      llvm::cl::init(true)};
  PassOptions::Option<bool> emitCInterface{
      *this, "emit-c-interface",
      llvm::cl::desc("Add llvm.emit_c_interface to public functions "
                     "(_mlir_ciface_<name> wrappers for drivers)"),
      llvm::cl::init(true)};
};

/// Checks the options (format, chip) and reports a clear error.
/// Whether bf16/f16 contractions get the sm_90a wgmma/TMA kernels
/// (chip=sm_90a with tensor cores on).
bool usesWgmma(const GPUPipelineOptions &options);

LogicalResult verifyGPUPipelineOptions(const GPUPipelineOptions &options,
                                       std::string &error);

/// Adds the whole pipeline to `pm` (which must run on builtin.module).
void buildSoftMoEGPUPipeline(OpPassManager &pm,
                             const GPUPipelineOptions &options);

/// The part up to gpu.launch with async host code, before outlining (what
/// the lit tests inspect).
void buildSoftMoEGPUKernelPipeline(OpPassManager &pm,
                                   const GPUPipelineOptions &options);

/// Registers what running the pipeline needs beyond the dialects: the NVVM
/// target and the translations to LLVM IR of kernels and host code.
void registerSoftMoEGPUExtensions(DialectRegistry &registry);

/// Registers softmoe-gpu-pipeline and softmoe-gpu-kernel-pipeline.
void registerSoftMoEGPUPipeline();

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_PIPELINES_GPUPIPELINE_H
