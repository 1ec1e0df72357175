//===- CudaRuntime.cpp - mgpu* entry points on the CUDA driver API --------===//
//
// The driver is reached through dlopen("libcuda.so.1") and dlsym, never linked:
// an executable built with this library needs libcuda only when it touches the
// GPU, and the build needs only cuda.h. The versioned symbol names
// (cuMemAlloc_v2, ...) come from cuda.h's own #defines, so each pointer has
// exactly the type and ABI that the header declares.
//
// Modules are loaded lazily: the global constructors that MLIR emits call
// mgpuModuleLoad before main, where a missing GPU must not abort the program,
// so loading happens at the first mgpuModuleGetFunction.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Runtime/CudaRuntime.h"

#include <cuda.h>

#include <dlfcn.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

namespace {

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

SoftMoECudaErrorHandler errorHandler = nullptr;

[[noreturn]] void fail(const std::string &message) {
  if (errorHandler)
    errorHandler(message.c_str());
  else
    std::fprintf(stderr, "error: %s\n", message.c_str());
  std::fflush(stderr);
  std::exit(1);
}

std::string format(const char *fmt, ...) {
  char buffer[1024];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buffer, sizeof(buffer), fmt, args);
  va_end(args);
  return buffer;
}

//===----------------------------------------------------------------------===//
// The driver, loaded on first use
//===----------------------------------------------------------------------===//

#define SOFTMOE_STR_(x) #x
#define SOFTMOE_STR(x) SOFTMOE_STR_(x)

// Every driver entry point used below: X(name) expands to a member `name` of
// the pointer type cuda.h declares, looked up under the ABI name that cuda.h
// maps it to.
#define SOFTMOE_CUDA_FUNCTIONS(X)                                              \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventSynchronize)                                                        \
  X(cuEventRecord)                                                             \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemAllocAsync)                                                           \
  X(cuMemFreeAsync)                                                            \
  X(cuDeviceGetDefaultMemPool)                                                 \
  X(cuMemPoolSetAttribute)                                                     \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD16Async)                                                          \
  X(cuMemcpyHtoD)                                                              \
  X(cuTensorMapEncodeTiled)

struct Driver {
#define SOFTMOE_DECLARE(name) decltype(&::name) name = nullptr;
  SOFTMOE_CUDA_FUNCTIONS(SOFTMOE_DECLARE)
#undef SOFTMOE_DECLARE
  void *library = nullptr;
  CUdevice device = 0;
  CUcontext context = nullptr;
  bool asyncAlloc = false;
  std::string loadError; // empty once the context is ready
};

std::mutex driverMutex;
Driver *driver = nullptr;
int defaultDevice = 0;
thread_local bool contextCurrent = false;

std::string errorName(CUresult r) {
  const char *name = nullptr;
  if (driver && driver->cuGetErrorName &&
      driver->cuGetErrorName(r, &name) == CUDA_SUCCESS && name)
    return name;
  // The stub library and old drivers may not name every code.
  switch (r) {
  case CUDA_ERROR_STUB_LIBRARY:
    return "CUDA_ERROR_STUB_LIBRARY";
  case CUDA_ERROR_NO_DEVICE:
    return "CUDA_ERROR_NO_DEVICE";
  default:
    return "CUresult " + std::to_string(static_cast<int>(r));
  }
}

std::string errorString(CUresult r) {
  const char *text = nullptr;
  if (driver && driver->cuGetErrorString &&
      driver->cuGetErrorString(r, &text) == CUDA_SUCCESS && text)
    return text;
  if (r == CUDA_ERROR_STUB_LIBRARY)
    return "the CUDA driver stub was loaded instead of a real driver";
  return "no description from the driver";
}

std::string describe(const char *call, CUresult r) {
  return format("CUDA driver call %s failed: %s (%s)", call,
                errorName(r).c_str(), errorString(r).c_str());
}

/// Opens libcuda and creates the primary context of the default device.
/// Returns an empty string on success, else why it failed.
std::string loadDriver() {
  if (driver)
    return driver->loadError;
  driver = new Driver();
  Driver &d = *driver;
  d.library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!d.library)
    d.library = dlopen("libcuda.so", RTLD_NOW | RTLD_LOCAL);
  if (!d.library) {
    const char *why = dlerror();
    d.loadError = format("cannot load the CUDA driver (libcuda.so.1): %s; is "
                         "an NVIDIA driver installed?",
                         why ? why : "not found");
    return d.loadError;
  }
#define SOFTMOE_LOAD(name)                                                     \
  d.name = reinterpret_cast<decltype(&::name)>(                                \
      dlsym(d.library, SOFTMOE_STR(name)));
  SOFTMOE_CUDA_FUNCTIONS(SOFTMOE_LOAD)
#undef SOFTMOE_LOAD
  // Stream-ordered allocation (CUDA 11.2) is optional; everything else is not.
  d.asyncAlloc = d.cuMemAllocAsync && d.cuMemFreeAsync &&
                 d.cuDeviceGetDefaultMemPool && d.cuMemPoolSetAttribute;
#define SOFTMOE_CHECK_LOADED(name)                                             \
  if (!d.name && std::strcmp(#name, "cuMemAllocAsync") &&                      \
      std::strcmp(#name, "cuMemFreeAsync") &&                                  \
      std::strcmp(#name, "cuDeviceGetDefaultMemPool") &&                       \
      std::strcmp(#name, "cuMemPoolSetAttribute") &&                           \
      std::strcmp(#name, "cuTensorMapEncodeTiled")) {                          \
    d.loadError = format("the CUDA driver lacks %s; it is too old",            \
                         SOFTMOE_STR(name));                                   \
    return d.loadError;                                                        \
  }
  SOFTMOE_CUDA_FUNCTIONS(SOFTMOE_CHECK_LOADED)
#undef SOFTMOE_CHECK_LOADED

  CUresult r = d.cuInit(0);
  if (r != CUDA_SUCCESS) {
    d.loadError = describe("cuInit", r);
    return d.loadError;
  }
  int count = 0;
  r = d.cuDeviceGetCount(&count);
  if (r != CUDA_SUCCESS) {
    d.loadError = describe("cuDeviceGetCount", r);
    return d.loadError;
  }
  if (defaultDevice < 0 || defaultDevice >= count) {
    d.loadError = format("CUDA device %d requested, but %d device(s) found",
                         defaultDevice, count);
    return d.loadError;
  }
  if ((r = d.cuDeviceGet(&d.device, defaultDevice)) != CUDA_SUCCESS) {
    d.loadError = describe("cuDeviceGet", r);
    return d.loadError;
  }
  if ((r = d.cuDevicePrimaryCtxRetain(&d.context, d.device)) != CUDA_SUCCESS) {
    d.loadError = describe("cuDevicePrimaryCtxRetain", r);
    return d.loadError;
  }
  if (d.asyncAlloc) {
    // Keep freed blocks in the pool: the generated code allocates and frees
    // its intermediates on every call, which must not go back to the OS.
    // Where the pool cannot be set up, plain cuMemAlloc/cuMemFree are used.
    CUmemoryPool pool;
    cuuint64_t threshold = ~cuuint64_t(0);
    if (d.cuDeviceGetDefaultMemPool(&pool, d.device) != CUDA_SUCCESS ||
        d.cuMemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD,
                                &threshold) != CUDA_SUCCESS)
      d.asyncAlloc = false;
  }
  return std::string();
}

/// The driver with the primary context current on this thread; reports a
/// failure through the error handler.
Driver &cuda() {
  if (!driver || !contextCurrent) {
    std::string error;
    {
      std::lock_guard<std::mutex> lock(driverMutex);
      error = loadDriver();
    }
    if (!error.empty())
      fail(error);
    CUresult r = driver->cuCtxSetCurrent(driver->context);
    if (r != CUDA_SUCCESS)
      fail(describe("cuCtxSetCurrent", r));
    contextCurrent = true;
  }
  return *driver;
}

void check(CUresult r, const char *call) {
  if (r != CUDA_SUCCESS)
    fail(describe(call, r));
}

#define SOFTMOE_CU(call, ...) check(cuda().call(__VA_ARGS__), #call)

//===----------------------------------------------------------------------===//
// Modules
//===----------------------------------------------------------------------===//

struct LazyModule {
  const void *data;
  size_t size; // 0 for PTX text
  int optLevel;
  CUmodule module = nullptr;
  std::map<std::string, CUfunction> functions;
  std::mutex mutex;
};

void ensureLoaded(LazyModule &m) {
  if (m.module)
    return;
  Driver &d = cuda();
  char log[8192] = {0};
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {log, reinterpret_cast<void *>(sizeof(log)),
                    reinterpret_cast<void *>(
                        static_cast<intptr_t>(m.optLevel < 0    ? 4
                                              : m.optLevel > 4 ? 4
                                                               : m.optLevel))};
  // The optimisation level only means something for PTX.
  unsigned numOptions = m.size == 0 ? 3 : 2;
  CUresult r = d.cuModuleLoadDataEx(&m.module, m.data, numOptions, options,
                                    values);
  if (r != CUDA_SUCCESS) {
    std::string message = describe("cuModuleLoadDataEx", r);
    // The JIT log names the PTX line; keep the message on one line.
    if (log[0]) {
      for (char *c = log; *c; ++c)
        if (*c == '\n')
          *c = ' ';
      message += "; JIT log: ";
      message += log;
    }
    if (r == CUDA_ERROR_NO_BINARY_FOR_GPU)
      message += "; the program holds no code for this GPU's architecture";
    fail(message);
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Helpers for drivers
//===----------------------------------------------------------------------===//

extern "C" void softmoeCudaSetErrorHandler(SoftMoECudaErrorHandler handler) {
  errorHandler = handler;
}

extern "C" int softmoeCudaInit(char *message, size_t messageSize) {
  std::string error;
  {
    std::lock_guard<std::mutex> lock(driverMutex);
    error = loadDriver();
  }
  if (error.empty()) {
    CUresult r = driver->cuCtxSetCurrent(driver->context);
    if (r != CUDA_SUCCESS)
      error = describe("cuCtxSetCurrent", r);
    else
      contextCurrent = true;
  }
  if (error.empty())
    return 0;
  if (message && messageSize)
    std::snprintf(message, messageSize, "%s", error.c_str());
  return -1;
}

extern "C" int softmoeCudaDeviceDescription(char *buffer, size_t bufferSize) {
  if (softmoeCudaInit(nullptr, 0) != 0)
    return -1;
  Driver &d = cuda();
  char name[256] = {0};
  int major = 0, minor = 0;
  check(d.cuDeviceGetName(name, sizeof(name) - 1, d.device), "cuDeviceGetName");
  check(d.cuDeviceGetAttribute(
            &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d.device),
        "cuDeviceGetAttribute");
  check(d.cuDeviceGetAttribute(
            &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d.device),
        "cuDeviceGetAttribute");
  std::snprintf(buffer, bufferSize, "%s, sm_%d%d", name, major, minor);
  return 0;
}

extern "C" int softmoeCudaComputeCapability(void) {
  if (softmoeCudaInit(nullptr, 0) != 0)
    return -1;
  Driver &d = cuda();
  int major = 0, minor = 0;
  check(d.cuDeviceGetAttribute(
            &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d.device),
        "cuDeviceGetAttribute");
  check(d.cuDeviceGetAttribute(
            &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d.device),
        "cuDeviceGetAttribute");
  return major * 10 + minor;
}

extern "C" int softmoeCudaUseSm90a(void) {
  const char *off = std::getenv("SOFTMOE_CUDA_NO_SM90A");
  if (off && *off && std::strcmp(off, "0") != 0)
    return 0;
  return softmoeCudaComputeCapability() == 90;
}

extern "C" void softmoeCudaSynchronize(void) {
  SOFTMOE_CU(cuCtxSynchronize);
}

//===----------------------------------------------------------------------===//
// MLIR's GPU runtime ABI
//===----------------------------------------------------------------------===//

extern "C" void *mgpuModuleLoad(void *data, size_t gpuBlobSize) {
  auto *m = new LazyModule();
  m->data = data;
  m->size = gpuBlobSize ? gpuBlobSize : 1;
  m->optLevel = 0;
  return m;
}

extern "C" void *mgpuModuleLoadJIT(void *data, int optLevel) {
  auto *m = new LazyModule();
  m->data = data;
  m->size = 0;
  m->optLevel = optLevel;
  return m;
}

extern "C" void mgpuModuleUnload(void *module) {
  auto *m = static_cast<LazyModule *>(module);
  if (!m)
    return;
  // Runs from a global destructor: the driver may already be shutting down,
  // and a module that was never used was never loaded.
  if (m->module && driver && driver->loadError.empty()) {
    CUresult r = driver->cuModuleUnload(m->module);
    // At exit the driver may have shut down first; that is not an error.
    if (r != CUDA_SUCCESS && r != CUDA_ERROR_DEINITIALIZED)
      std::fprintf(stderr, "warning: %s\n",
                   describe("cuModuleUnload", r).c_str());
  }
  delete m;
}

extern "C" void *mgpuModuleGetFunction(void *module, const char *name) {
  auto *m = static_cast<LazyModule *>(module);
  if (!m)
    fail(format("kernel %s requested from a module that was not loaded",
                name));
  std::lock_guard<std::mutex> lock(m->mutex);
  auto it = m->functions.find(name);
  if (it != m->functions.end())
    return it->second;
  ensureLoaded(*m);
  CUfunction function = nullptr;
  CUresult r = cuda().cuModuleGetFunction(&function, m->module, name);
  if (r != CUDA_SUCCESS)
    fail(describe("cuModuleGetFunction", r) + " for kernel " + name);
  m->functions.emplace(name, function);
  return function;
}

extern "C" void mgpuLaunchKernel(void *function, intptr_t gridX,
                                 intptr_t gridY, intptr_t gridZ,
                                 intptr_t blockX, intptr_t blockY,
                                 intptr_t blockZ, int32_t smem, void *stream,
                                 void **params, void ** /*extra*/,
                                 size_t /*paramsCount*/) {
  Driver &d = cuda();
  auto f = static_cast<CUfunction>(function);
  if (smem > 48 * 1024)
    check(d.cuFuncSetAttribute(
              f, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
          "cuFuncSetAttribute");
  CUresult r = d.cuLaunchKernel(f, gridX, gridY, gridZ, blockX, blockY, blockZ,
                                smem, static_cast<CUstream>(stream), params,
                                nullptr);
  if (r != CUDA_SUCCESS)
    fail(describe("cuLaunchKernel", r) +
         format(" (grid %ldx%ldx%ld, block %ldx%ldx%ld, %d bytes of dynamic "
                "shared memory)",
                long(gridX), long(gridY), long(gridZ), long(blockX),
                long(blockY), long(blockZ), int(smem)));
}

extern "C" void *mgpuStreamCreate(void) {
  CUstream stream = nullptr;
  SOFTMOE_CU(cuStreamCreate, &stream, CU_STREAM_NON_BLOCKING);
  return stream;
}

extern "C" void mgpuStreamDestroy(void *stream) {
  SOFTMOE_CU(cuStreamDestroy, static_cast<CUstream>(stream));
}

extern "C" void mgpuStreamSynchronize(void *stream) {
  // Kernel faults surface here, after the launch that caused them.
  SOFTMOE_CU(cuStreamSynchronize, static_cast<CUstream>(stream));
}

extern "C" void mgpuStreamWaitEvent(void *stream, void *event) {
  SOFTMOE_CU(cuStreamWaitEvent, static_cast<CUstream>(stream),
             static_cast<CUevent>(event), 0);
}

extern "C" void *mgpuEventCreate(void) {
  CUevent event = nullptr;
  SOFTMOE_CU(cuEventCreate, &event, CU_EVENT_DISABLE_TIMING);
  return event;
}

extern "C" void mgpuEventDestroy(void *event) {
  SOFTMOE_CU(cuEventDestroy, static_cast<CUevent>(event));
}

extern "C" void mgpuEventSynchronize(void *event) {
  SOFTMOE_CU(cuEventSynchronize, static_cast<CUevent>(event));
}

extern "C" void mgpuEventRecord(void *event, void *stream) {
  SOFTMOE_CU(cuEventRecord, static_cast<CUevent>(event),
             static_cast<CUstream>(stream));
}

extern "C" void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                              bool isHostShared) {
  Driver &d = cuda();
  CUdeviceptr ptr = 0;
  if (sizeBytes == 0)
    return nullptr;
  CUresult r;
  const char *call;
  if (isHostShared) {
    r = d.cuMemAllocManaged(&ptr, sizeBytes, CU_MEM_ATTACH_GLOBAL);
    call = "cuMemAllocManaged";
  } else if (stream && d.asyncAlloc) {
    r = d.cuMemAllocAsync(&ptr, sizeBytes, static_cast<CUstream>(stream));
    call = "cuMemAllocAsync";
  } else {
    r = d.cuMemAlloc(&ptr, sizeBytes);
    call = "cuMemAlloc";
  }
  if (r != CUDA_SUCCESS)
    fail(describe(call, r) +
         format(" for %llu bytes", static_cast<unsigned long long>(sizeBytes)));
  return reinterpret_cast<void *>(ptr);
}

extern "C" void mgpuMemFree(void *ptr, void *stream) {
  if (!ptr)
    return;
  Driver &d = cuda();
  auto dptr = reinterpret_cast<CUdeviceptr>(ptr);
  if (stream && d.asyncAlloc)
    check(d.cuMemFreeAsync(dptr, static_cast<CUstream>(stream)),
          "cuMemFreeAsync");
  else
    check(d.cuMemFree(dptr), "cuMemFree");
}

extern "C" void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                           void *stream) {
  if (sizeBytes == 0)
    return;
  // Unified addressing lets the driver tell host from device pointers.
  SOFTMOE_CU(cuMemcpyAsync, reinterpret_cast<CUdeviceptr>(dst),
             reinterpret_cast<CUdeviceptr>(src), sizeBytes,
             static_cast<CUstream>(stream));
}

extern "C" void mgpuMemset32(void *dst, unsigned int value, size_t count,
                             void *stream) {
  SOFTMOE_CU(cuMemsetD32Async, reinterpret_cast<CUdeviceptr>(dst), value,
             count, static_cast<CUstream>(stream));
}

extern "C" void mgpuMemset16(void *dst, unsigned short value, size_t count,
                             void *stream) {
  SOFTMOE_CU(cuMemsetD16Async, reinterpret_cast<CUdeviceptr>(dst), value,
             count, static_cast<CUstream>(stream));
}

// The tensor maps of the sm_90a kernels' TMA loads
// (nvgpu.tma.create.descriptor). The map lives in device memory, where the
// kernels read it; identical maps (the same buffer and box, every call of a
// layer) share one copy, made once, so that repeated calls cost no
// allocation or synchronous copy. Copies live until the process ends.
extern "C" void *mgpuTensorMapEncodeTiledMemref(
    int64_t rank, void *rankedDescriptor, int64_t dataType, int64_t interleave,
    int64_t swizzle, int64_t l2Promotion, int64_t oobFill,
    int64_t *boxDims) {
  Driver &d = cuda();
  if (!d.cuTensorMapEncodeTiled)
    fail("the CUDA driver lacks cuTensorMapEncodeTiled (TMA needs CUDA 12 "
         "and an sm_90 GPU)");
  if (rank < 1 || rank > 5)
    fail(format("mgpuTensorMapEncodeTiledMemref: rank %ld is not 1 to 5",
                long(rank)));
  // A ranked memref descriptor: allocated and aligned pointers, offset,
  // sizes[rank], strides[rank].
  struct Header {
    char *allocated, *aligned;
    int64_t offset;
  };
  auto *header = static_cast<Header *>(rankedDescriptor);
  const int64_t *sizes = reinterpret_cast<int64_t *>(header + 1);
  const int64_t *strides = sizes + rank;
  static const int elementBytes[] = {1, 2, 4, 4, 8, 8, 2, 4, 8, 2, 4, 4, 4};
  if (dataType < 0 || dataType > 12)
    fail(format("mgpuTensorMapEncodeTiledMemref: data type %ld",
                long(dataType)));
  int64_t bytes = elementBytes[dataType];
  // cuTensorMapEncodeTiled takes the innermost dimension first and the
  // strides of all but the innermost one, in bytes.
  cuuint64_t globalDim[5], globalStrides[5];
  cuuint32_t box[5], elementStrides[5];
  for (int64_t i = 0; i < rank; ++i) {
    globalDim[i] = cuuint64_t(sizes[rank - 1 - i]);
    box[i] = cuuint32_t(boxDims[rank - 1 - i]);
    elementStrides[i] = 1;
    if (i + 1 < rank)
      globalStrides[i] = cuuint64_t(strides[rank - 2 - i] * bytes);
  }
  if (strides[rank - 1] != 1)
    fail("mgpuTensorMapEncodeTiledMemref: the innermost stride must be 1");
  CUtensorMap map;
  void *address = header->aligned + header->offset * bytes;
  CUresult r = d.cuTensorMapEncodeTiled(
      &map, CUtensorMapDataType(dataType), cuuint32_t(rank), address,
      globalDim, globalStrides, box, elementStrides,
      CUtensorMapInterleave(interleave), CUtensorMapSwizzle(swizzle),
      CUtensorMapL2promotion(l2Promotion), CUtensorMapFloatOOBfill(oobFill));
  if (r != CUDA_SUCCESS)
    fail(describe("cuTensorMapEncodeTiled", r) +
         format(" (rank %ld, innermost size %llu, box %u)", long(rank),
                static_cast<unsigned long long>(globalDim[0]), box[0]));
  static std::mutex mapsMutex;
  static std::map<std::string, CUdeviceptr> maps;
  std::lock_guard<std::mutex> lock(mapsMutex);
  std::string key(reinterpret_cast<const char *>(&map), sizeof(map));
  auto [it, inserted] = maps.try_emplace(key, CUdeviceptr(0));
  if (inserted) {
    check(d.cuMemAlloc(&it->second, sizeof(map)), "cuMemAlloc");
    check(d.cuMemcpyHtoD(it->second, &map, sizeof(map)), "cuMemcpyHtoD");
  }
  return reinterpret_cast<void *>(it->second);
}

extern "C" void mgpuSetDefaultDevice(int32_t device) {
  std::lock_guard<std::mutex> lock(driverMutex);
  if (driver && driver->loadError.empty() && device != defaultDevice)
    fail(format("mgpuSetDefaultDevice(%d) after the runtime already started "
                "on device %d",
                device, defaultDevice));
  defaultDevice = device;
}
