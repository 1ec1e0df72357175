//===- AotConfig.h - What an AOT-compiled program exports -------*- C++ -*-===//
//
// An executable built by `softmoe-bench --target cuda --aot-out FILE` (or
// softmoe-gpu-aot) is the AOT driver (lib/Runtime/AOT/AotMain.cpp), the CUDA
// runtime library and the compiled host code with the kernels embedded, which
// also defines the two symbols below: the arguments of the compiled function
// (and, for a Soft MoE layer, its shape and options) and a trampoline to it.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNTIME_AOTCONFIG_H
#define SOFTMOE_RUNTIME_AOTCONFIG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum SoftMoEAotDType {
  SOFTMOE_AOT_F32 = 0,
  SOFTMOE_AOT_BF16 = 1,
  SOFTMOE_AOT_F16 = 2,
  SOFTMOE_AOT_I1 = 3
};

/// One memref argument of the compiled function, in order: the inputs, then
/// the results (as out-parameters).
struct SoftMoEAotArg {
  const char *name; // file stem in --inputs / --save-outputs
  int32_t dtype;    // SoftMoEAotDType
  int32_t isOutput;
  int32_t rank;
  int32_t reserved;
  int64_t shape[8];
};

struct SoftMoEAotConfig {
  int32_t isLayer; // the Soft MoE layer of CONTRACT.md, else any function
  int32_t numArgs;
  const struct SoftMoEAotArg *args;
  // Layer only:
  int64_t batch, tokens, dim, experts, slots, hidden;
  int32_t dtype; // SoftMoEAotDType of the data operands
  int32_t normalize;
  int32_t mask;
  // stringifyActivation of the layer's activation (the names of
  // softmoe/Dialect/SoftMoE/IR/Activation.h; a gated one's w1 and b1 are
  // 2 * hidden wide, see the w1 argument's shape).
  const char *activation;
  // Always:
  const char *kernels; // what is embedded, e.g. "fatbin: cubin sm_80 sm_90"
  double compileMs;    // time spent compiling
};

/// The configuration this executable was compiled for.
extern const struct SoftMoEAotConfig softmoe_aot_config;

/// Runs the compiled function once, synchronously. `descriptors` points to
/// one memref descriptor (MLIR's StridedMemRefType layout, device pointers)
/// per argument, in the order of softmoe_aot_config.args.
void softmoe_aot_invoke(void **descriptors);

#ifdef __cplusplus
}
#endif

#endif // SOFTMOE_RUNTIME_AOTCONFIG_H
