//===- AsyncHost.cpp - Host-side GPU work on one stream -------------------===//
//
// gpu-to-llvm lowers only the async forms of gpu.alloc, gpu.dealloc and
// gpu.memcpy (the synchronous ones are left in place without a diagnostic),
// so every host function that launches kernels is rewritten into a single
// chain of async tokens: one stream per call, created on entry and
// synchronised and destroyed before each return.
//
//===----------------------------------------------------------------------===//

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEGPUASYNCHOST
#include "softmoe/GPU/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;

namespace {

/// The buffer that a memref value views.
Value rootOf(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

bool isDeviceAlloc(memref::AllocOp alloc) {
  return !alloc.getType().getMemorySpace();
}

LogicalResult rewriteFunction(func::FuncOp func) {
  bool hasLaunch = false;
  WalkResult nested = func.walk([&](gpu::LaunchOp launch) {
    hasLaunch = true;
    if (launch->getParentOp() != func.getOperation())
      return WalkResult::interrupt();
    return WalkResult::advance();
  });
  if (!hasLaunch)
    return success();
  if (nested.wasInterrupted() || !func.getBody().hasOneBlock())
    return func.emitOpError("launches kernels inside control flow, which "
                            "softmoe-gpu-async-host does not support");

  Block &block = func.getBody().front();
  Location loc = func.getLoc();
  OpBuilder b = OpBuilder::atBlockBegin(&block);
  Type tokenType = gpu::AsyncTokenType::get(func.getContext());
  Value token =
      gpu::WaitOp::create(b, loc, tokenType, ValueRange{}).getAsyncToken();
  SmallVector<Value> live; // device buffers to free at the end

  for (Operation &op : llvm::make_early_inc_range(block)) {
    b.setInsertionPoint(&op);
    if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      if (!isDeviceAlloc(alloc))
        continue;
      auto gpuAlloc = gpu::AllocOp::create(
          b, alloc.getLoc(), alloc.getType(), tokenType, ValueRange{token},
          alloc.getDynamicSizes(), alloc.getSymbolOperands(),
          /*hostShared=*/false);
      token = gpuAlloc.getAsyncToken();
      alloc.getResult().replaceAllUsesWith(gpuAlloc.getMemref());
      live.push_back(gpuAlloc.getMemref());
      alloc.erase();
    } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
      token = gpu::DeallocOp::create(b, dealloc.getLoc(), tokenType,
                                     ValueRange{token}, dealloc.getMemref())
                  .getAsyncToken();
      llvm::erase(live, dealloc.getMemref());
      dealloc.erase();
    } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
      token = gpu::MemcpyOp::create(b, copy.getLoc(), tokenType,
                                    ValueRange{token}, copy.getTarget(),
                                    copy.getSource())
                  .getAsyncToken();
      copy.erase();
    } else if (auto launch = dyn_cast<gpu::LaunchOp>(op)) {
      if (launch.getAsyncToken())
        return launch.emitOpError("is already asynchronous");
      gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
      gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
      SmallVector<Type> attributions;
      for (BlockArgument arg : launch.getWorkgroupAttributions())
        attributions.push_back(arg.getType());
      SmallVector<Type> privates;
      for (BlockArgument arg : launch.getPrivateAttributions())
        privates.push_back(arg.getType());
      auto async = gpu::LaunchOp::create(
          b, launch.getLoc(), grid.x, grid.y, grid.z, blockSize.x,
          blockSize.y, blockSize.z, launch.getDynamicSharedMemorySize(),
          tokenType, ValueRange{token}, attributions, privates);
      // Move the body over, block arguments included.
      async.getBody().front().erase();
      async.getBody().takeBody(launch.getBody());
      token = async.getAsyncToken();
      launch.erase();
    } else if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (Value v : ret.getOperands())
        if (llvm::is_contained(live, rootOf(v)))
          return ret.emitOpError("returns a buffer allocated on the device; "
                                 "return results through out-parameters");
      for (Value buffer : live)
        token = gpu::DeallocOp::create(b, loc, tokenType, ValueRange{token},
                                       buffer)
                    .getAsyncToken();
      gpu::WaitOp::create(b, loc, Type(), ValueRange{token});
    }
  }
  return success();
}

struct AsyncHostPass
    : softmoe::impl::SoftMoEGPUAsyncHostBase<AsyncHostPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (failed(rewriteFunction(func)))
        return signalPassFailure();
  }
};

} // namespace
