//===- AlignShared.cpp - 16-byte alignment for kernels' shared buffers ----===//

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEGPUALIGNSHARED
#include "softmoe/GPU/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;

namespace {

struct AlignSharedPass
    : softmoe::impl::SoftMoEGPUAlignSharedBase<AlignSharedPass> {
  void runOnOperation() override {
    constexpr int64_t kAlign = 16;
    getOperation().walk([&](gpu::GPUFuncOp func) {
      Builder b(func.getContext());
      StringRef name = LLVM::LLVMDialect::getAlignAttrName();
      for (unsigned i = 0, e = func.getNumWorkgroupAttributions(); i < e; ++i) {
        auto old =
            dyn_cast_or_null<IntegerAttr>(func.getWorkgroupAttributionAttr(i, name));
        if (!old || old.getInt() < kAlign)
          func.setWorkgroupAttributionAttr(i, b.getStringAttr(name),
                                           b.getI64IntegerAttr(kAlign));
      }
    });
  }
};

} // namespace
