//===- AotConfig.h - What an AOT-compiled layer exports ---------*- C++ -*-===//
//
// An executable built by `softmoe-bench --target cuda --aot-out FILE` is the
// AOT driver (lib/Runtime/AOT/AotMain.cpp), the CUDA runtime library, the
// compiled host code (with the kernels embedded) and a small generated C file
// that defines the two symbols below: the shape and options the layer was
// compiled for, and a trampoline to its entry point.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNTIME_AOTCONFIG_H
#define SOFTMOE_RUNTIME_AOTCONFIG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum SoftMoEAotDType { SOFTMOE_AOT_F32 = 0, SOFTMOE_AOT_BF16 = 1,
                       SOFTMOE_AOT_F16 = 2 };

struct SoftMoEAotConfig {
  int64_t batch, tokens, dim, experts, slots, hidden;
  int32_t dtype; // SoftMoEAotDType
  int32_t normalize;
  int32_t mask;
  const char *activation; // gelu_tanh, gelu_erf, relu, silu
  const char *kernels;    // what is embedded, e.g. "cubin sm_80 sm_90, ptx"
  double compileMs;       // time spent compiling the layer
};

/// The configuration this executable was compiled for.
extern const struct SoftMoEAotConfig softmoe_aot_config;

/// Runs the layer once, synchronously. `descriptors` points to the memref
/// descriptors (MLIR's StridedMemRefType layout, device pointers) of x, phi,
/// w1, b1, w2, b2, then scale if normalize, mask if mask, then y.
void softmoe_aot_invoke(void **descriptors);

#ifdef __cplusplus
}
#endif

#endif // SOFTMOE_RUNTIME_AOTCONFIG_H
