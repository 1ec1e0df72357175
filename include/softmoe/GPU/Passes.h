//===- Passes.h - softmoe GPU code generation passes ------------*- C++ -*-===//

#ifndef SOFTMOE_GPU_PASSES_H
#define SOFTMOE_GPU_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
namespace affine {
class AffineDialect;
}
namespace arith {
class ArithDialect;
}
namespace gpu {
class GPUDialect;
}
namespace LLVM {
class LLVMDialect;
}
namespace math {
class MathDialect;
}
namespace memref {
class MemRefDialect;
}
namespace NVVM {
class NVVMDialect;
}
namespace nvgpu {
class NVGPUDialect;
}
namespace scf {
class SCFDialect;
}
namespace vector {
class VectorDialect;
}
class ModuleOp;

namespace softmoe {

#define GEN_PASS_DECL
#include "softmoe/GPU/Passes.h.inc"

/// The attribute that carries a kernel's thread-block size on its scf.forall.
inline constexpr llvm::StringLiteral kBlockSizeAttrName =
    "softmoe.gpu.block_size";

/// The attribute that names a kernel's kind on its scf.forall: mma_gemm,
/// fma_gemm, warp_reduction, split_reduction or pointwise.
inline constexpr llvm::StringLiteral kKernelKindAttrName = "softmoe.gpu.kernel";

/// The bytes of dynamic shared memory a kernel's scf.forall needs (absent:
/// none); its gpu.dynamic_shared_memory views it.
inline constexpr llvm::StringLiteral kDynamicSharedBytesAttrName =
    "softmoe.gpu.dynamic_shared_bytes";

#define GEN_PASS_REGISTRATION
#include "softmoe/GPU/Passes.h.inc"

} // namespace softmoe
} // namespace mlir

#endif // SOFTMOE_GPU_PASSES_H
