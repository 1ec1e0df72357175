//===- CudaRuntime.h - The project's CUDA runtime library -------*- C++ -*-===//
//
// The mgpu* entry points that MLIR's gpu-to-llvm lowering calls from host code
// (streams, events, device memory, module loading, kernel launch), implemented
// on the CUDA driver API, plus a few helpers for drivers. libcuda.so.1 is
// opened with dlopen at the first call, so programs that link this library
// start (and can print --help) on machines without a GPU or a driver.
//
// Every CUresult is checked. A failure is reported through the error handler
// as one line naming the driver call, the error name and its description; the
// default handler prints it to stderr prefixed with "error: " and exits with
// status 1, since the mgpu* ABI has no way to return an error to generated
// code.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNTIME_CUDARUNTIME_H
#define SOFTMOE_RUNTIME_CUDARUNTIME_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/// Called with a one-line message when a driver call fails. If it returns, the
/// runtime exits with status 1.
typedef void (*SoftMoECudaErrorHandler)(const char *message);

/// Replaces the error handler (nullptr restores the default).
void softmoeCudaSetErrorHandler(SoftMoECudaErrorHandler handler);

/// Loads the driver and initialises the current device's primary context.
/// Returns 0 on success; otherwise fills `message` (if not null) with the
/// reason, e.g. that libcuda.so.1 or a device is missing, and returns -1. Never
/// calls the error handler, so drivers can probe for a GPU.
int softmoeCudaInit(char *message, size_t messageSize);

/// Writes the current device's name and compute capability ("NVIDIA H200,
/// sm_90") into `buffer`. Returns 0 on success, -1 if there is no device.
int softmoeCudaDeviceDescription(char *buffer, size_t bufferSize);

/// The current device's compute capability as major * 10 + minor (90 for
/// an H100/H200), or -1 if there is no device. AOT executables use it to
/// pick their sm_90a (wgmma) code on 9.0 devices.
int softmoeCudaComputeCapability(void);

/// Whether an AOT executable runs its sm_90a (wgmma/TMA) code: on compute
/// capability 9.0, unless SOFTMOE_CUDA_NO_SM90A is set (not "0"), which
/// keeps the mma.sync kernels for comparison.
int softmoeCudaUseSm90a(void);

/// Blocks until all work on the current context has finished.
void softmoeCudaSynchronize(void);

// The entry points of MLIR's GPU runtime ABI (see GPUToLLVMConversion.cpp and
// SelectObjectAttr.cpp upstream for the calls generated code makes).
void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device);
void *mgpuTensorMapEncodeTiledMemref(int64_t rank, void *rankedDescriptor,
                                     int64_t dataType, int64_t interleave,
                                     int64_t swizzle, int64_t l2Promotion,
                                     int64_t oobFill, int64_t *boxDims);

#ifdef __cplusplus
}
#endif

#endif // SOFTMOE_RUNTIME_CUDARUNTIME_H
