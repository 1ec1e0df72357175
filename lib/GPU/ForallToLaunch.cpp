//===- ForallToLaunch.cpp - Block-mapped scf.forall to gpu.launch ---------===//

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEGPUFORALLTOLAUNCH
#include "softmoe/GPU/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;

namespace {

bool isWorkgroupMemory(MemRefType type) {
  auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(type.getMemorySpace());
  return space && space.getValue() == gpu::AddressSpace::Workgroup;
}

LogicalResult convert(scf::ForallOp forall) {
  auto blockSize = forall->getAttrOfType<DenseI64ArrayAttr>(kBlockSizeAttrName);
  std::optional<ArrayAttr> mapping = forall.getMapping();
  if (!blockSize || blockSize.size() != 3)
    return forall.emitOpError("needs a ")
           << kBlockSizeAttrName << " attribute of three sizes";
  if (!mapping || mapping->size() != forall.getRank() || forall.getRank() > 3)
    return forall.emitOpError("needs one #gpu.block mapping per dimension (at "
                              "most three)");
  ArrayRef<int64_t> lbs = forall.getStaticLowerBound();
  ArrayRef<int64_t> steps = forall.getStaticStep();
  ArrayRef<int64_t> ubs = forall.getStaticUpperBound();
  if (llvm::any_of(lbs, [](int64_t v) { return v != 0; }) ||
      llvm::any_of(steps, [](int64_t v) { return v != 1; }) ||
      llvm::any_of(ubs, ShapedType::isDynamic))
    return forall.emitOpError("must have static bounds from 0 with step 1");
  if (forall.getNumResults() != 0)
    return forall.emitOpError("must not have results");

  OpBuilder b(forall);
  Location loc = forall.getLoc();
  int64_t grid[3] = {1, 1, 1};
  SmallVector<gpu::Dimension> dims;
  for (auto [attr, ub] : llvm::zip(*mapping, ubs)) {
    auto block = dyn_cast<gpu::GPUBlockMappingAttr>(attr);
    if (!block || block.getBlock() > gpu::MappingId::DimZ)
      return forall.emitOpError("mapping must be #gpu.block<x|y|z>");
    auto dim = static_cast<gpu::Dimension>(block.getBlock());
    grid[static_cast<int>(dim)] = ub;
    dims.push_back(dim);
  }
  // Shared buffers become workgroup attributions.
  SmallVector<memref::AllocOp> sharedAllocs;
  forall.getBody()->walk([&](memref::AllocOp alloc) {
    if (isWorkgroupMemory(alloc.getType()))
      sharedAllocs.push_back(alloc);
  });
  SmallVector<Type> attributionTypes;
  for (memref::AllocOp alloc : sharedAllocs) {
    if (!alloc.getDynamicSizes().empty() || alloc->getParentOp() != forall)
      return alloc.emitOpError(
          "shared memory must be statically sized at the kernel's top level");
    attributionTypes.push_back(alloc.getType());
  }

  auto idx = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v).getResult();
  };
  ArrayRef<int64_t> bs = blockSize.asArrayRef();
  Value dynamicShared;
  if (auto bytes =
          forall->getAttrOfType<IntegerAttr>(kDynamicSharedBytesAttrName))
    dynamicShared = arith::ConstantIntOp::create(b, loc, bytes.getInt(), 32);
  auto launch = gpu::LaunchOp::create(
      b, loc, idx(grid[0]), idx(grid[1]), idx(grid[2]), idx(bs[0]), idx(bs[1]),
      idx(bs[2]), dynamicShared,
      /*asyncTokenType=*/nullptr, ValueRange{}, attributionTypes);
  Block &body = launch.getBody().front();
  OpBuilder bodyBuilder = OpBuilder::atBlockEnd(&body);
  Operation *terminator = gpu::TerminatorOp::create(bodyBuilder, loc);
  Block *forallBody = forall.getBody();
  body.getOperations().splice(terminator->getIterator(),
                              forallBody->getOperations(), forallBody->begin(),
                              std::prev(forallBody->end()));
  gpu::KernelDim3 ids = launch.getBlockIds();
  for (auto [iv, dim] : llvm::zip(forall.getInductionVars(), dims)) {
    Value id = dim == gpu::Dimension::x   ? ids.x
               : dim == gpu::Dimension::y ? ids.y
                                          : ids.z;
    iv.replaceAllUsesWith(id);
  }
  for (auto [alloc, arg] :
       llvm::zip(sharedAllocs, launch.getWorkgroupAttributions())) {
    alloc.getResult().replaceAllUsesWith(arg);
    alloc.erase();
  }
  forall.erase();
  return success();
}

struct ForallToLaunchPass
    : softmoe::impl::SoftMoEGPUForallToLaunchBase<ForallToLaunchPass> {
  void runOnOperation() override {
    SmallVector<scf::ForallOp> kernels;
    getOperation().walk([&](scf::ForallOp forall) {
      if (forall->hasAttr(kBlockSizeAttrName))
        kernels.push_back(forall);
    });
    for (scf::ForallOp forall : kernels)
      if (failed(convert(forall)))
        return signalPassFailure();
  }
};

} // namespace
