//===- WgmmaKernel.cpp - sm_90a GEMMs: TMA, mbarriers and wgmma -----------===//
//
// The Hopper kernel for contractions of two bf16 or two f16 operands.
//
// A block (256 threads, two warpgroups) computes a 128 x BN tile (BN = 64 or
// 128) of one batch entry. K is read in slices of 64 elements (128 bytes,
// the width of the 128-byte swizzle) through a ring of up to four
// shared-memory stages in dynamic shared memory. Thread 0 fills a stage with
// TMA (cp.async.bulk.tensor) loads that complete on the stage's mbarrier:
// A as one 128 x 64 box (K contiguous), B as BN/64 boxes of 64 (K) x 64 (N,
// contiguous), both swizzled by 128 bytes. Every thread waits on the
// mbarrier's phase parity; each warpgroup then issues wgmma
// (nvgpu.warpgroup.mma: m64nBNk16 four times) on its 64 rows of A and all of
// B, with f32 accumulators in registers and one wgmma group left in flight.
// Once the previous slice's group has completed in both warpgroups (its
// wgmma.wait_group plus a block barrier), thread 0 refills that slice's
// stage with the slice `stages` ahead, so the loads of the next slices overlap
// the tensor cores.
//
// TMA needs a tensor map per operand, made on the host
// (nvgpu.tma.create.descriptor, cuTensorMapEncodeTiled in the runtime) over
// the operand's memref with its dimensions permuted (memref.transpose) so
// that the box's leading dimension is M (A) or K (B) and the last one is the
// contiguous dimension; batch dimensions are boxes of 1. Out-of-bounds box
// elements read as zero, so tails need no guards in the K loop.
//
// Epilogue: after the last wgmma group, each warpgroup stores its
// accumulator fragments (nvgpu.warpgroup.mma.store, the PTX register layout)
// into an f32 tile in shared memory that reuses the ring; then every thread
// finishes consecutive output elements with the fused start value, bias,
// activation and cast (the Epilogue of GemmPlan.h), coalesced along N.
//
//===----------------------------------------------------------------------===//

#include "GemmPlan.h"

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::softmoe::gpu_codegen;

namespace {

constexpr int64_t kTileM = 128, kSliceK = 64, kBoxN = 64, kMaxStages = 4;
constexpr int64_t kWarpgroupThreads = 128, kWarpgroupRows = 64;
/// The 128-byte swizzle repeats every 8 rows of 128 bytes; TMA destinations
/// and wgmma tiles must start at a multiple of it.
constexpr int64_t kSwizzleBytes = 1024;
/// Spin limit of one mbarrier.try_wait (the lowering loops until the phase
/// completes).
constexpr int64_t kWaitTicks = 10000000;

/// How TMA reads one operand.
struct TmaOperand {
  /// The operand's memref dimensions in tensor-map order: the lead group (M
  /// for A, K for B) first, outer to inner, the contiguous one last, the
  /// rest (batch or unit loops) between.
  SmallVector<int64_t> perm;
  /// The loop dimension of each tensor-map dimension.
  SmallVector<unsigned> loops;
  /// The lead group's loops, outer to inner, and the product of the inner
  /// ones' sizes (boxes cover them whole).
  SmallVector<unsigned> leadLoops;
  int64_t leadInner = 1;
  unsigned innerLoop = 0;
};

/// The memref dimension that loop `loop` indexes in `p`, if any.
std::optional<int64_t> memrefDimOf(const OperandPlan &p, unsigned loop) {
  for (auto [i, e] : llvm::enumerate(p.map.getResults()))
    if (auto d = dyn_cast<AffineDimExpr>(e); d && d.getPosition() == loop)
      return int64_t(i);
  return std::nullopt;
}

/// Checks that `p` is a static memref whose last dimension is loop `inner`
/// with unit stride, and whose other strides and offset are 16-byte
/// multiples (TMA's requirements); fills `t`.
bool planTmaOperand(const OperandPlan &p, ArrayRef<unsigned> lead,
                    ArrayRef<int64_t> leadSizes, int64_t leadBox,
                    unsigned inner, TmaOperand &t, std::string &why) {
  auto type = cast<MemRefType>(p.memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type.hasStaticShape() ||
      failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) ||
      llvm::any_of(strides, ShapedType::isDynamic)) {
    why = "TMA needs static shapes and strides";
    return false;
  }
  int64_t rank = type.getRank();
  if (rank < 2 || rank > 5) {
    why = "TMA tensors have 2 to 5 dimensions";
    return false;
  }
  std::optional<int64_t> innerDim = memrefDimOf(p, inner);
  if (!innerDim || *innerDim != rank - 1 || strides.back() != 1) {
    why = "the operand's contiguous dimension is not the one TMA needs";
    return false;
  }
  // Several lead loops (M = batch x slots) must be stored in their loop
  // order, and a box must cover the inner ones whole, so that the box's rows
  // are the flattened M index.
  SmallVector<int64_t> leadDims;
  for (unsigned loop : lead) {
    std::optional<int64_t> d = memrefDimOf(p, loop);
    if (!d || (!leadDims.empty() && *d < leadDims.back())) {
      why = "the operand's M dimensions are not in loop order";
      return false;
    }
    leadDims.push_back(*d);
  }
  t.leadInner = product(leadSizes.drop_front());
  if (leadBox % t.leadInner != 0 || leadBox / t.leadInner > 256) {
    why = "a tile does not cover whole inner M dimensions";
    return false;
  }
  int64_t elemBytes = type.getElementTypeBitWidth() / 8;
  if ((offset * elemBytes) % 16 != 0) {
    why = "the operand's offset is not a multiple of 16 bytes";
    return false;
  }
  for (int64_t i = 0; i + 1 < rank; ++i)
    if ((strides[i] * elemBytes) % 16 != 0) {
      why = "a stride is not a multiple of 16 bytes";
      return false;
    }
  t.perm.append(leadDims.begin(), leadDims.end());
  for (int64_t i = 0; i < rank; ++i)
    if (!llvm::is_contained(leadDims, i) && i != *innerDim)
      t.perm.push_back(i);
  t.perm.push_back(*innerDim);
  for (int64_t d : t.perm)
    t.loops.push_back(cast<AffineDimExpr>(p.map.getResult(d)).getPosition());
  t.leadLoops.assign(lead.begin(), lead.end());
  t.innerLoop = inner;
  return true;
}

struct WgmmaPlan {
  TmaOperand a, b;
  int64_t bn = 128, stages = 1, kTiles = 1;
};

bool planWgmma(const GemmPlan &g, WgmmaPlan &w, std::string &why) {
  Type elem = g.mmaElem;
  if (!elem || g.a.elemType != elem || g.b.elemType != elem) {
    why = "wgmma/TMA needs both operands in one 16-bit type";
    return false;
  }
  if (g.m.empty() || g.n.size() != 1 || g.k.size() != 1) {
    why = "N and K must each be one loop dimension";
    return false;
  }
  // A is read K-contiguous ("row-major" A); B N-contiguous (transposed B in
  // nvgpu.warpgroup.mma's terms), the layouts of the layer's weights.
  if (!planTmaOperand(g.a, g.m, g.mSizes, kTileM, g.k[0], w.a, why) ||
      !planTmaOperand(g.b, g.k, g.kSizes, kSliceK, g.n[0], w.b, why))
    return false;
  w.bn = g.N <= kBoxN ? kBoxN : 128;
  w.kTiles = llvm::divideCeil(g.K, kSliceK);
  w.stages = std::min<int64_t>(kMaxStages, w.kTiles);
  return true;
}

Attribute workgroupSpace(MLIRContext *ctx) {
  return gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
}

MemRefType sharedType(ArrayRef<int64_t> shape, Type elem) {
  return MemRefType::get(shape, elem, MemRefLayoutAttrInterface(),
                         workgroupSpace(elem.getContext()));
}

/// The box of `t` in shared memory: `lead` rows over the lead group (its
/// inner loops whole), 1 along batch and unit dimensions, `inner` along the
/// contiguous one.
MemRefType boxType(const TmaOperand &t, const GemmPlan &g, int64_t lead,
                   int64_t inner, Type elem) {
  SmallVector<int64_t> shape(t.perm.size(), 1);
  for (auto [i, loop] : llvm::enumerate(t.leadLoops))
    shape[i] = i == 0 ? lead / t.leadInner : g.loopSizes[loop];
  shape.back() = inner;
  return sharedType(shape, elem);
}

/// On the host: the tensor map of operand `p` read in boxes of `box`.
Value createTensorMap(OpBuilder &b, Location loc, const OperandPlan &p,
                      const TmaOperand &t, MemRefType box) {
  IndexBuilder ib{b, loc};
  Value view = p.memref;
  if (!llvm::equal(t.perm, llvm::seq<int64_t>(0, t.perm.size()))) {
    SmallVector<unsigned> perm(t.perm.begin(), t.perm.end());
    view = memref::TransposeOp::create(
        b, loc, view,
        AffineMapAttr::get(AffineMap::getPermutationMap(perm, b.getContext())));
  }
  Value unranked = memref::CastOp::create(
      b, loc, UnrankedMemRefType::get(p.elemType, Attribute()), view);
  SmallVector<Value> boxSizes;
  for (int64_t s : box.getShape())
    boxSizes.push_back(ib.c(s));
  auto type = nvgpu::TensorMapDescriptorType::get(
      b.getContext(), box, nvgpu::TensorMapSwizzleKind::SWIZZLE_128B,
      nvgpu::TensorMapL2PromoKind::L2PROMO_NONE,
      nvgpu::TensorMapOOBKind::OOB_ZERO,
      nvgpu::TensorMapInterleaveKind::INTERLEAVE_NONE);
  return nvgpu::TmaCreateDescriptorOp::create(b, loc, type, unranked, boxSizes);
}

/// TMA coordinates (innermost dimension first, as cp.async.bulk.tensor takes
/// them) of the box at `leadOrigin`/`innerOrigin` in batch entry `batchIvs`.
SmallVector<Value> tmaCoordinates(IndexBuilder &ib, const GemmPlan &g,
                                  const TmaOperand &t, Value leadOrigin,
                                  Value innerOrigin,
                                  ArrayRef<Value> batchIvs) {
  SmallVector<Value> coords;
  for (unsigned loop : t.loops) {
    if (loop == t.leadLoops.front()) {
      coords.push_back(ib.div(leadOrigin, t.leadInner));
    } else if (llvm::is_contained(t.leadLoops, loop)) {
      coords.push_back(ib.c(0));
    } else if (loop == t.innerLoop) {
      coords.push_back(innerOrigin);
    } else {
      Value c = ib.c(0);
      for (auto [d, iv] : llvm::zip(g.batch, batchIvs))
        if (d == loop)
          c = iv;
      coords.push_back(c);
    }
  }
  std::reverse(coords.begin(), coords.end());
  return coords;
}

} // namespace

bool mlir::softmoe::gpu_codegen::canUseWgmma(const GemmPlan &g,
                                             std::string &why) {
  WgmmaPlan w;
  return planWgmma(g, w, why);
}

void mlir::softmoe::gpu_codegen::emitWgmmaKernel(
    OpBuilder &b, const GemmPlan &g, const ContractionFusion &fusion) {
  std::string why;
  WgmmaPlan w;
  bool planned = planWgmma(g, w, why);
  assert(planned && "emitWgmmaKernel needs canUseWgmma");
  (void)planned;
  Location loc = g.op.getLoc();
  MLIRContext *ctx = b.getContext();
  Type elem = g.mmaElem, f32 = b.getF32Type();
  const int64_t bn = w.bn, stages = w.stages, kTiles = w.kTiles;
  const int64_t elemBytes = elem.getIntOrFloatBitWidth() / 8;
  const int64_t aBytes = kTileM * kSliceK * elemBytes;
  const int64_t bBoxBytes = kSliceK * kBoxN * elemBytes;
  const int64_t stageBytes = aBytes + (bn / kBoxN) * bBoxBytes;
  const int64_t tileBytes = kTileM * bn * 4;
  // The ring and, after it, the f32 tile of the epilogue share the space;
  // one swizzle period more lets the kernel align its start.
  const int64_t sharedBytes =
      std::max(stages * stageBytes, tileBytes) + kSwizzleBytes;
  int64_t mTiles = llvm::divideCeil(g.M, kTileM);
  int64_t nTiles = llvm::divideCeil(g.N, bn);

  MemRefType aBox = boxType(w.a, g, kTileM, kSliceK, elem);
  MemRefType bBox = boxType(w.b, g, kSliceK, kBoxN, elem);
  Value aMap = createTensorMap(b, loc, g.a, w.a, aBox);
  Value bMap = createTensorMap(b, loc, g.b, w.b, bBox);

  scf::ForallOp kernel = createKernel(
      b, loc, "wgmma_gemm", g.numBatch * mTiles * nTiles, kBlockThreads,
      [&](OpBuilder &b, Value bid) {
        IndexBuilder ib{b, loc};
        SmallVector<Value> tile =
            delinearize(ib, bid, {g.numBatch, mTiles, nTiles});
        SmallVector<Value> batchIvs = delinearize(ib, tile[0], g.batchSizes);
        Value rowOrigin = ib.mul(tile[1], kTileM);
        Value colOrigin = ib.mul(tile[2], bn);
        Value tid = ib.threadId();
        Value warpgroup = ib.div(tid, kWarpgroupThreads);
        Value leader = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             tid, ib.c(0));

        // Dynamic shared memory, from its first 1024-byte boundary.
        Value dyn = gpu::DynamicSharedMemoryOp::create(
            b, loc,
            sharedType({ShapedType::kDynamic}, b.getIntegerType(8)));
        Value address =
            memref::ExtractAlignedPointerAsIndexOp::create(b, loc, dyn);
        Value misalign = ib.rem(address, kSwizzleBytes);
        Value start = ib.rem(
            arith::SubIOp::create(b, loc, ib.c(kSwizzleBytes), misalign),
            kSwizzleBytes);
        auto view = [&](OpBuilder &b, Value byteOffset, MemRefType type) {
          return memref::ViewOp::create(b, loc, type, dyn, byteOffset,
                                        ValueRange{})
              .getResult();
        };

        auto barrierType = nvgpu::MBarrierGroupType::get(
            ctx, workgroupSpace(ctx), stages);
        Value barriers = nvgpu::MBarrierCreateOp::create(b, loc, barrierType);
        for (int64_t s = 0; s < stages; ++s)
          nvgpu::MBarrierInitOp::create(b, loc, barriers, ib.c(1), ib.c(s),
                                        leader);
        gpu::BarrierOp::create(b, loc);

        // Thread 0: K slice `kt` into stage `stage`.
        auto issue = [&](OpBuilder &b, Value stage, Value kt) {
          IndexBuilder ib{b, loc};
          Value base = ib.add(start, ib.mul(stage, stageBytes));
          nvgpu::MBarrierArriveExpectTxOp::create(
              b, loc, barriers, ib.c(stageBytes), stage, Value());
          Value kOrigin = ib.mul(kt, kSliceK);
          nvgpu::TmaAsyncLoadOp::create(
              b, loc, view(b, base, aBox), barriers, aMap,
              tmaCoordinates(ib, g, w.a, rowOrigin, kOrigin, batchIvs), stage,
              Value(), Value());
          for (int64_t j = 0; j < bn / kBoxN; ++j)
            nvgpu::TmaAsyncLoadOp::create(
                b, loc, view(b, ib.add(base, aBytes + j * bBoxBytes), bBox),
                barriers, bMap,
                tmaCoordinates(ib, g, w.b, kOrigin,
                               ib.add(colOrigin, j * kBoxN), batchIvs),
                stage, Value(), Value());
        };
        buildIf(b, loc, leader, {}, [&](OpBuilder &b) {
          for (int64_t s = 0; s < stages; ++s)
            issue(b, IndexBuilder{b, loc}.c(s), IndexBuilder{b, loc}.c(s));
          return SmallVector<Value>{};
        });

        auto accType = nvgpu::WarpgroupAccumulatorType::get(
            ctx, VectorType::get({kWarpgroupRows, bn}, f32));
        auto aDescType = nvgpu::WarpgroupMatrixDescriptorType::get(
            ctx, sharedType({kWarpgroupRows, kSliceK}, elem));
        auto bDescType = nvgpu::WarpgroupMatrixDescriptorType::get(
            ctx, sharedType({kSliceK, bn}, elem));
        Value acc0 =
            nvgpu::WarpgroupMmaInitAccumulatorOp::create(b, loc, accType);
        Value acc = buildFor(
            b, loc, ib.c(0), ib.c(kTiles), ib.c(1), {acc0},
            [&](OpBuilder &b, Value kt, ValueRange accs) {
              IndexBuilder ib{b, loc};
              Value stage = ib.rem(kt, stages);
              Value parity = arith::CmpIOp::create(
                  b, loc, arith::CmpIPredicate::ne,
                  ib.rem(ib.div(kt, stages), 2), ib.c(0));
              nvgpu::MBarrierTryWaitParityOp::create(
                  b, loc, barriers, parity, ib.c(kWaitTicks), stage);
              Value base = ib.add(start, ib.mul(stage, stageBytes));
              // This warpgroup's 64 rows of A: a whole number of swizzle
              // periods into the stage.
              Value aRows = ib.add(
                  base, ib.mul(warpgroup, kWarpgroupRows * kSliceK * elemBytes));
              Value aDesc = nvgpu::WarpgroupGenerateDescriptorOp::create(
                  b, loc, aDescType,
                  view(b, aRows, sharedType({kWarpgroupRows, kSliceK}, elem)),
                  aMap);
              Value bDesc = nvgpu::WarpgroupGenerateDescriptorOp::create(
                  b, loc, bDescType,
                  view(b, ib.add(base, aBytes), sharedType({kSliceK, bn}, elem)),
                  bMap);
              Value next = nvgpu::WarpgroupMmaOp::create(
                  b, loc, accType, aDesc, bDesc, /*waitGroup=*/uint64_t(1),
                  /*transposeA=*/nullptr, /*transposeB=*/b.getUnitAttr(),
                  accs[0]);
              // The previous slice's wgmma group has completed in this
              // warpgroup (wait_group 1); after the barrier, in both, and
              // its stage takes the slice `stages` further on.
              if (kTiles > stages) {
                Value refill = ib.andI(
                    arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                          kt, ib.c(1)),
                    ib.lt(ib.add(kt, stages - 1), kTiles));
                buildIf(b, loc, refill, {}, [&](OpBuilder &b) {
                  IndexBuilder ib{b, loc};
                  gpu::BarrierOp::create(b, loc);
                  Value prev = arith::SubIOp::create(b, loc, kt, ib.c(1));
                  buildIf(b, loc, leader, {}, [&](OpBuilder &b) {
                    issue(b, IndexBuilder{b, loc}.rem(prev, stages),
                          IndexBuilder{b, loc}.add(prev, stages));
                    return SmallVector<Value>{};
                  });
                  return SmallVector<Value>{};
                });
              }
              return SmallVector<Value>{next};
            })
            .front();

        // Epilogue through shared memory, which the ring no longer needs.
        NVVM::WgmmaWaitGroupSyncOp::create(b, loc, uint64_t(0));
        gpu::BarrierOp::create(b, loc);
        Value rows = ib.add(start, ib.mul(warpgroup, kWarpgroupRows * bn * 4));
        nvgpu::WarpgroupMmaStoreOp::create(
            b, loc, acc, view(b, rows, sharedType({kWarpgroupRows, bn}, f32)));
        gpu::BarrierOp::create(b, loc);
        Value cTile = view(b, start, sharedType({kTileM, bn}, f32));
        Epilogue epilogue(g, fusion);
        buildFor(b, loc, ib.c(0), ib.c(kTileM * bn / kBlockThreads), ib.c(1),
                 {}, [&](OpBuilder &b, Value i, ValueRange) {
                   IndexBuilder ib{b, loc};
                   Value e = ib.add(tid, ib.mul(i, kBlockThreads));
                   Value row = ib.div(e, bn), col = ib.rem(e, bn);
                   Value v = memref::LoadOp::create(b, loc, cTile,
                                                    ValueRange{row, col});
                   epilogue.store(b, loc, batchIvs, ib.add(rowOrigin, row),
                                  ib.add(colOrigin, col), v);
                   return SmallVector<Value>{};
                 });
      });
  kernel->setAttr(mlir::softmoe::kDynamicSharedBytesAttrName,
                  b.getI64IntegerAttr(sharedBytes));
}
