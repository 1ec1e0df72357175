//===- GemmKernels.cpp - Tiled GEMM kernels for linalg contractions -------===//
//
// A contraction's loops are grouped (inferContractionDims) into batch, M, N
// and K; each group is flattened (dimensions of size 1 dropped), so every
// einsum of the layer becomes a batched [M,K] x [K,N] product, whatever the
// operands' layouts. A block computes a BM x BN tile of one batch entry: for
// each BK slice of K, every thread loads its chunks of the A and B tiles from
// global memory into registers (while the warps still compute on the previous
// slice), and stores them into the other half of a double-buffered shared
// memory tile; one barrier per slice.
//
// Each operand tile is read along the dimension that is contiguous in memory
// (coalesced; 16-byte vector loads when that group is linear in memory and
// the sizes and strides allow), and kept in shared memory with that dimension
// contiguous, padded by 16 bytes per row against bank conflicts.
//
// Tensor cores (when an operand is bf16 or f16): 8 warps in a warpsM x warpsN
// grid, each owning a (BM/warpsM) x (BN/warpsN) sub-tile of 16x8
// accumulators; fragments come from shared memory through ldmatrix (with
// .trans for tiles stored K-major) and feed mma.sync.m16n8k16 with f32
// accumulation. f32 operands of such a product are rounded to the 16-bit type
// when staged. FMA (all-f32): 64x64 tiles, 4x4 outputs per thread.
//
// The epilogue adds the output's start value (the folded fill, or the old
// output), applies the fused elementwise op if any, and stores.
//
//===----------------------------------------------------------------------===//

#include "GemmPlan.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::softmoe::gpu_codegen;

namespace {

/// The memory stride of loop `dim` in `operand`, if it indexes exactly one
/// dimension through a plain dim expression.
std::optional<int64_t> loopStride(const OperandPlan &p, unsigned dim) {
  auto type = cast<MemRefType>(p.memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return std::nullopt;
  std::optional<int64_t> found;
  for (auto [i, e] : llvm::enumerate(p.map.getResults())) {
    if (auto d = dyn_cast<AffineDimExpr>(e)) {
      if (d.getPosition() == dim) {
        if (found || ShapedType::isDynamic(strides[i]))
          return std::nullopt;
        found = strides[i];
      }
    } else if (e.isFunctionOfDim(dim)) {
      return std::nullopt;
    }
  }
  return found;
}

/// Whether the flattened index of `dims` (sizes `sizes`) is the memory offset
/// with unit stride.
bool isLinearUnitStride(const OperandPlan &p, ArrayRef<unsigned> dims,
                        ArrayRef<int64_t> sizes) {
  if (dims.empty())
    return false;
  int64_t expected = 1;
  for (int64_t i = int64_t(dims.size()) - 1; i >= 0; --i) {
    std::optional<int64_t> s = loopStride(p, dims[i]);
    if (!s || *s != expected)
      return false;
    expected *= sizes[i];
  }
  return true;
}

/// Whether `vec`-element vectors along the unit-stride group `dims` stay
/// aligned to their size wherever a tile chunk starts.
bool vectorAligned(const OperandPlan &p, ArrayRef<unsigned> dims,
                   ArrayRef<int64_t> loopSizes, int64_t groupSize,
                   int64_t vec) {
  if (groupSize % vec != 0)
    return false;
  auto type = cast<MemRefType>(p.memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      ShapedType::isDynamic(offset) || offset % vec != 0)
    return false;
  for (auto [i, e] : llvm::enumerate(p.map.getResults())) {
    auto d = dyn_cast<AffineDimExpr>(e);
    // Dimensions of the group, or always indexed at 0, do not matter.
    if (d && (llvm::is_contained(dims, d.getPosition()) ||
              loopSizes[d.getPosition()] == 1))
      continue;
    if (ShapedType::isDynamic(strides[i]) || strides[i] % vec != 0)
      return false;
  }
  return true;
}

/// Splits the loops of `dims` into the kept ones (size > 1) and their sizes.
void keepNonUnit(ArrayRef<unsigned> dims, ArrayRef<int64_t> loopSizes,
                 SmallVector<unsigned> &kept, SmallVector<int64_t> &sizes) {
  for (unsigned d : dims) {
    if (loopSizes[d] == 1)
      continue;
    kept.push_back(d);
    sizes.push_back(loopSizes[d]);
  }
}

void planOperand(GemmPlan &g, OperandPlan &p, OpOperand *operand,
                 ArrayRef<unsigned> rowDims, ArrayRef<int64_t> rowSizes,
                 int64_t vec) {
  p.operand = operand;
  p.memref = operand->get();
  p.map = g.op.getMatchingIndexingMap(operand);
  p.elemType = getElementTypeOrSelf(p.memref);
  p.rowDims.assign(rowDims.begin(), rowDims.end());
  p.rowSizes.assign(rowSizes.begin(), rowSizes.end());
  p.rows = product(rowSizes);
  // Read along whichever group the innermost memory dimension (of size > 1)
  // belongs to.
  p.dir = Dir::K;
  for (AffineExpr e : llvm::reverse(p.map.getResults())) {
    auto d = dyn_cast<AffineDimExpr>(e);
    if (d && g.loopSizes[d.getPosition()] == 1)
      continue;
    if (d && llvm::is_contained(rowDims, d.getPosition()))
      p.dir = Dir::Row;
    break;
  }
  ArrayRef<unsigned> along = p.dir == Dir::Row ? ArrayRef(p.rowDims)
                                               : ArrayRef(g.k);
  ArrayRef<int64_t> alongSizes = p.dir == Dir::Row ? ArrayRef(p.rowSizes)
                                                   : ArrayRef(g.kSizes);
  p.vectorizable = isLinearUnitStride(p, along, alongSizes) &&
                   vectorAligned(p, along, g.loopSizes, product(alongSizes),
                                 vec);
}

//===----------------------------------------------------------------------===//
// Staging operand tiles through registers into shared memory
//===----------------------------------------------------------------------===//

/// Loads one operand's tiles. Shared tiles are [2][BK][R + pad] ("K-major",
/// rows contiguous) or [2][R][BK + pad] ("row-major", K contiguous).
class TileLoader {
public:
  TileLoader(const GemmPlan &g, const OperandPlan &p, int64_t tileRows,
             int64_t bk, int64_t vec, bool kMajorShared, Type stagedType)
      : g(g), p(p), tileRows(tileRows), bk(bk), vec(vec),
        kMajorShared(kMajorShared), stagedType(stagedType) {
    numChunks = tileRows * bk / vec;
    slots = llvm::divideCeil(numChunks, kBlockThreads);
    int64_t pad = 16 / int64_t(stagedType.getIntOrFloatBitWidth() / 8);
    sharedShape = kMajorShared
                      ? SmallVector<int64_t>{2, bk, tileRows + pad}
                      : SmallVector<int64_t>{2, tileRows, bk + pad};
  }

  VectorType chunkType() const { return VectorType::get({vec}, stagedType); }

  /// Per-thread state computed once, before the K loop.
  void prepare(OpBuilder &b, Location loc, Value tid, Value rowOrigin,
               ArrayRef<Value> batchIvs) {
    IndexBuilder ib{b, loc};
    shared = allocShared(b, loc, sharedShape, stagedType);
    this->batchIvs.assign(batchIvs.begin(), batchIvs.end());
    for (int64_t s = 0; s < slots; ++s) {
      Chunk c;
      Value v = ib.add(tid, s * kBlockThreads);
      if (p.dir == Dir::K) {
        c.row = ib.div(v, bk / vec);
        c.kOff = ib.mul(ib.rem(v, bk / vec), vec);
      } else {
        c.kOff = ib.div(v, tileRows / vec);
        c.row = ib.mul(ib.rem(v, tileRows / vec), vec);
      }
      c.rowGlobal = ib.add(rowOrigin, c.row);
      c.valid = ib.lt(c.rowGlobal, p.rows);
      if (numChunks % kBlockThreads != 0) {
        c.exists = ib.lt(v, numChunks);
        c.valid = ib.andI(c.valid, c.exists);
      }
      if (p.vectorizable || p.dir == Dir::K)
        c.rowIvs = delinearize(ib, c.rowGlobal, p.rowSizes);
      chunks.push_back(c);
    }
  }

  /// Global loads of the chunks of K slice `kt`, converted to the staged type.
  SmallVector<Value> load(OpBuilder &b, Location loc, Value kt) {
    SmallVector<Value> values;
    IndexBuilder ib{b, loc};
    Value kBase = ib.mul(kt, bk);
    for (Chunk &c : chunks) {
      Value kGlobal = ib.add(kBase, c.kOff);
      if (p.vectorizable) {
        Value inBounds = ib.andI(c.valid, ib.lt(kGlobal, g.K));
        values.push_back(
            buildIf(
                b, loc, inBounds, {chunkType()},
                [&](OpBuilder &b) {
                  IndexBuilder ib{b, loc};
                  SmallVector<Value> idx = indices(
                      ib, c.rowIvs, delinearize(ib, kGlobal, g.kSizes));
                  auto type = VectorType::get({vec}, p.elemType);
                  int64_t bytes =
                      vec * int64_t(p.elemType.getIntOrFloatBitWidth() / 8);
                  Value v = vector::LoadOp::create(
                      b, loc, type, p.memref, idx, /*nontemporal=*/false,
                      llvm::MaybeAlign(std::min<int64_t>(bytes, 16)));
                  return SmallVector<Value>{convertFloat(b, loc, v,
                                                         stagedType)};
                },
                [&](OpBuilder &b) {
                  return SmallVector<Value>{zeroChunk(b, loc)};
                })
                .front());
        continue;
      }
      // Element by element, each guarded.
      SmallVector<Value> elems;
      for (int64_t j = 0; j < vec; ++j) {
        Value row = p.dir == Dir::Row ? ib.add(c.rowGlobal, j) : c.rowGlobal;
        Value kk = p.dir == Dir::K ? ib.add(kGlobal, j) : kGlobal;
        Value inBounds = ib.andI(ib.andI(c.valid, ib.lt(row, p.rows)),
                                 ib.lt(kk, g.K));
        elems.push_back(
            buildIf(
                b, loc, inBounds, {stagedType},
                [&](OpBuilder &b) {
                  IndexBuilder ib{b, loc};
                  SmallVector<Value> rowIvs =
                      p.dir == Dir::K ? c.rowIvs
                                      : delinearize(ib, row, p.rowSizes);
                  SmallVector<Value> idx =
                      indices(ib, rowIvs, delinearize(ib, kk, g.kSizes));
                  Value v = memref::LoadOp::create(b, loc, p.memref, idx);
                  return SmallVector<Value>{convertFloat(b, loc, v,
                                                         stagedType)};
                },
                [&](OpBuilder &b) {
                  return SmallVector<Value>{arith::ConstantOp::create(
                      b, loc, b.getZeroAttr(stagedType))};
                })
                .front());
      }
      values.push_back(
          vector::FromElementsOp::create(b, loc, chunkType(), elems));
    }
    return values;
  }

  /// Stores loaded chunks into shared stage `stage`.
  void store(OpBuilder &b, Location loc, Value stage,
             ArrayRef<Value> values) {
    for (auto [chunk, value] : llvm::zip(chunks, values)) {
      // Lambdas cannot capture structured bindings before C++20.
      const auto &c = chunk;
      Value v = value;
      // Threads past the last chunk (small tiles) have nothing to store.
      if (c.exists) {
        buildIf(b, loc, c.exists, {}, [&](OpBuilder &b) {
          storeChunk(b, loc, stage, c, v);
          return SmallVector<Value>{};
        });
      } else {
        storeChunk(b, loc, stage, c, v);
      }
    }
  }

  Value sharedTile() const { return shared; }

private:
  struct Chunk {
    Value row, kOff, rowGlobal, valid;
    Value exists; // null when every thread has this chunk
    SmallVector<Value> rowIvs;
  };

  void storeChunk(OpBuilder &b, Location loc, Value stage, const Chunk &c,
                  Value v) {
    IndexBuilder ib{b, loc};
    bool contiguous = (p.dir == Dir::Row) == kMajorShared;
    if (contiguous) {
      SmallVector<Value> idx =
          kMajorShared ? SmallVector<Value>{stage, c.kOff, c.row}
                       : SmallVector<Value>{stage, c.row, c.kOff};
      vector::StoreOp::create(b, loc, v, shared, idx, false,
                              llvm::MaybeAlign(16));
      return;
    }
    for (int64_t j = 0; j < vec; ++j) {
      Value e = vector::ExtractOp::create(b, loc, v, ArrayRef<int64_t>{j});
      Value row = p.dir == Dir::Row ? ib.add(c.row, j) : c.row;
      Value kk = p.dir == Dir::K ? ib.add(c.kOff, j) : c.kOff;
      SmallVector<Value> idx = kMajorShared
                                   ? SmallVector<Value>{stage, kk, row}
                                   : SmallVector<Value>{stage, row, kk};
      memref::StoreOp::create(b, loc, e, shared, idx);
    }
  }

  Value zeroChunk(OpBuilder &b, Location loc) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(chunkType(), b.getZeroAttr(stagedType)));
  }

  /// The operand's memref indices for the given row-group and K-group ivs.
  SmallVector<Value> indices(IndexBuilder &ib, ArrayRef<Value> rowIvs,
                             ArrayRef<Value> kIvs) {
    SmallVector<Value> ivs(g.loopSizes.size());
    for (auto &iv : ivs)
      iv = ib.c(0);
    for (auto [d, v] : llvm::zip(g.batch, batchIvs))
      ivs[d] = v;
    for (auto [d, v] : llvm::zip(p.rowDims, rowIvs))
      ivs[d] = v;
    for (auto [d, v] : llvm::zip(g.k, kIvs))
      ivs[d] = v;
    return applyIndexingMap(ib.b, ib.loc, p.map, ivs);
  }

  const GemmPlan &g;
  const OperandPlan &p;
  int64_t tileRows, bk, vec;
  bool kMajorShared;
  Type stagedType;
  int64_t numChunks, slots;
  SmallVector<int64_t> sharedShape;
  Value shared;
  SmallVector<Value> batchIvs;
  SmallVector<Chunk> chunks;
};


//===----------------------------------------------------------------------===//
// Tensor-core kernel
//===----------------------------------------------------------------------===//

struct MmaConfig {
  int64_t bm, bn, bk, warpsM, warpsN;
};

MmaConfig chooseMmaConfig(int64_t m) {
  if (m > 64)
    return {128, 128, 32, 2, 4};
  if (m > 32)
    return {64, 128, 32, 2, 4};
  if (m > 16)
    return {32, 128, 32, 2, 4};
  return {16, 128, 32, 1, 8};
}

/// The 32-bit registers of a 16-bit fragment row, as nvvm.mma.sync takes
/// them: i32 for bf16, vector<2xf16> for f16.
SmallVector<Value> fragmentRegisters(OpBuilder &b, Location loc, Value frag,
                                     int64_t first, int64_t count) {
  SmallVector<Value> regs;
  auto type = cast<VectorType>(frag.getType());
  bool bf16 = type.getElementType().isBF16();
  for (int64_t i = first; i < first + count; ++i) {
    Value row = vector::ExtractOp::create(b, loc, frag, ArrayRef<int64_t>{i});
    if (bf16) {
      Value asInt = vector::BitCastOp::create(
          b, loc, VectorType::get({1}, b.getI32Type()), row);
      row = vector::ExtractOp::create(b, loc, asInt, ArrayRef<int64_t>{0});
    }
    regs.push_back(row);
  }
  return regs;
}

/// The K loop shared by both kernels, over `kTiles` slices staged through two
/// shared-memory stages: slice 0 is staged first; then each iteration issues
/// the next slice's global loads, runs `compute` on the current stage (so the
/// loads are in flight meanwhile), stores the next slice into the idle stage
/// and synchronizes. The last iteration reloads its own slice into the idle
/// stage. Returns the `numAccs` f32 accumulators, which start at zero.
SmallVector<Value> buildDoubleBufferedKLoop(
    OpBuilder &b, Location loc, TileLoader &la, TileLoader &lb, int64_t kTiles,
    int64_t numAccs,
    function_ref<SmallVector<Value>(OpBuilder &, Value, ValueRange)> compute) {
  IndexBuilder ib{b, loc};
  Value c0 = ib.c(0);
  la.store(b, loc, c0, la.load(b, loc, c0));
  lb.store(b, loc, c0, lb.load(b, loc, c0));
  gpu::BarrierOp::create(b, loc);
  SmallVector<Value> zeros(
      numAccs, arith::ConstantOp::create(b, loc, b.getF32FloatAttr(0.0f)));
  return buildFor(
      b, loc, c0, ib.c(kTiles), ib.c(1), zeros,
      [&](OpBuilder &b, Value kt, ValueRange accs) {
        IndexBuilder ib{b, loc};
        Value nextKt =
            arith::MinUIOp::create(b, loc, ib.add(kt, 1), ib.c(kTiles - 1));
        SmallVector<Value> aNext = la.load(b, loc, nextKt);
        SmallVector<Value> bNext = lb.load(b, loc, nextKt);
        Value stage = ib.rem(kt, 2);
        SmallVector<Value> result = compute(b, stage, accs);
        Value other = arith::SubIOp::create(b, loc, ib.c(1), stage);
        la.store(b, loc, other, aNext);
        lb.store(b, loc, other, bNext);
        gpu::BarrierOp::create(b, loc);
        return result;
      });
}

void emitMmaKernel(OpBuilder &b, const GemmPlan &g,
                   const ContractionFusion &fusion) {
  Location loc = g.op.getLoc();
  MmaConfig cfg = chooseMmaConfig(g.M);
  const int64_t vec = 8, warpTileM = cfg.bm / cfg.warpsM,
                warpTileN = cfg.bn / cfg.warpsN;
  const int64_t mFrags = warpTileM / 16, nFrags = warpTileN / 8;
  int64_t mTiles = llvm::divideCeil(g.M, cfg.bm);
  int64_t nTiles = llvm::divideCeil(g.N, cfg.bn);
  int64_t kTiles = llvm::divideCeil(g.K, cfg.bk);
  Type elem = g.mmaElem;
  bool aKMajor = g.a.dir == Dir::Row, bKMajor = g.b.dir == Dir::Row;

  createKernel(b, loc, "mma_gemm", g.numBatch * mTiles * nTiles,
               kBlockThreads, [&](OpBuilder &b, Value bid) {
    IndexBuilder ib{b, loc};
    SmallVector<Value> tile = delinearize(ib, bid, {g.numBatch, mTiles, nTiles});
    SmallVector<Value> batchIvs = delinearize(ib, tile[0], g.batchSizes);
    Value rowOrigin = ib.mul(tile[1], cfg.bm), colOrigin = ib.mul(tile[2], cfg.bn);
    Value tid = ib.threadId();
    Value lane = ib.rem(tid, kWarpLanes), warp = ib.div(tid, kWarpLanes);
    Value warpM = ib.div(warp, cfg.warpsN), warpN = ib.rem(warp, cfg.warpsN);

    TileLoader la(g, g.a, cfg.bm, cfg.bk, vec, aKMajor, elem);
    TileLoader lb(g, g.b, cfg.bn, cfg.bk, vec, bKMajor, elem);
    la.prepare(b, loc, tid, rowOrigin, batchIvs);
    lb.prepare(b, loc, tid, colOrigin, batchIvs);

    // ldmatrix addresses: lane l names row l%8 of 8x8 matrix l/8.
    Value q = ib.div(lane, 8), r = ib.rem(lane, 8);
    Value qLow = ib.rem(q, 2), qHigh = ib.div(q, 2);
    // A: matrices (rows 0-7|8-15) x (k 0-7|8-15), row half = q%2.
    Value aRow = ib.add(ib.mul(warpM, warpTileM), ib.add(ib.mul(qLow, 8), r));
    Value aK = ib.mul(qHigh, 8);
    // Row-major tiles are addressed by row; K-major ones by k, with the
    // matrix's 8 rows becoming the k offsets.
    Value aRowKMajor = ib.add(ib.mul(warpM, warpTileM), ib.mul(qLow, 8));
    Value aKKMajor = ib.add(ib.mul(qHigh, 8), r);
    // B: matrices (n 0-7, k 0-7), (n 0-7, k 8-15), (n 8-15, k 0-7), ...
    Value bRow = ib.add(ib.mul(warpN, warpTileN), ib.add(ib.mul(qHigh, 8), r));
    Value bK = ib.mul(qLow, 8);
    Value bRowKMajor = ib.add(ib.mul(warpN, warpTileN), ib.mul(qHigh, 8));
    Value bKKMajor = ib.add(ib.mul(qLow, 8), r);

    auto fragType = [&](int64_t n) { return VectorType::get({n, 2}, elem); };
    auto ldmatrix = [&](OpBuilder &b, Value tileMem, bool kMajor, Value stage,
                        Value row, Value k, int64_t n) {
      SmallVector<Value> idx = kMajor ? SmallVector<Value>{stage, k, row}
                                      : SmallVector<Value>{stage, row, k};
      return nvgpu::LdMatrixOp::create(b, loc, fragType(n), tileMem, idx,
                                       /*transpose=*/kMajor, n)
          .getResult();
    };
    Type f32 = b.getF32Type();
    auto accType = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                    {f32, f32, f32, f32});
    NVVM::MMATypes ptxType =
        elem.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;

    // One K slice on shared stage `stage`.
    auto compute = [&](OpBuilder &b, Value stage, ValueRange accs) {
      IndexBuilder ib{b, loc};
      SmallVector<Value> next(accs.begin(), accs.end());
      for (int64_t kk = 0; kk < cfg.bk; kk += 16) {
        SmallVector<SmallVector<Value>> aRegs, bRegs;
        for (int64_t mi = 0; mi < mFrags; ++mi) {
          Value frag =
              aKMajor ? ldmatrix(b, la.sharedTile(), true, stage,
                                 ib.add(aRowKMajor, mi * 16),
                                 ib.add(aKKMajor, kk), 4)
                      : ldmatrix(b, la.sharedTile(), false, stage,
                                 ib.add(aRow, mi * 16), ib.add(aK, kk), 4);
          aRegs.push_back(fragmentRegisters(b, loc, frag, 0, 4));
        }
        for (int64_t nj = 0; nj < nFrags; nj += 2) {
          Value frag =
              bKMajor ? ldmatrix(b, lb.sharedTile(), true, stage,
                                 ib.add(bRowKMajor, nj * 8),
                                 ib.add(bKKMajor, kk), 4)
                      : ldmatrix(b, lb.sharedTile(), false, stage,
                                 ib.add(bRow, nj * 8), ib.add(bK, kk), 4);
          bRegs.push_back(fragmentRegisters(b, loc, frag, 0, 2));
          bRegs.push_back(fragmentRegisters(b, loc, frag, 2, 2));
        }
        for (int64_t mi = 0; mi < mFrags; ++mi) {
          for (int64_t nj = 0; nj < nFrags; ++nj) {
            int64_t base = (mi * nFrags + nj) * 4;
            SmallVector<Value> c(next.begin() + base, next.begin() + base + 4);
            Value d = NVVM::MmaOp::create(
                b, loc, accType, aRegs[mi], bRegs[nj], c, {16, 8, 16},
                std::nullopt, std::nullopt,
                std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
                std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                               NVVM::MMALayout::col});
            for (int64_t e = 0; e < 4; ++e)
              next[base + e] = LLVM::ExtractValueOp::create(
                  b, loc, d, ArrayRef<int64_t>{e});
          }
        }
      }
      return next;
    };

    SmallVector<Value> accs = buildDoubleBufferedKLoop(
        b, loc, la, lb, kTiles, mFrags * nFrags * 4, compute);

    // Accumulator element e of fragment (mi, nj) sits at row lane/4 (+8 for
    // e >= 2) and column 2*(lane%4) + e%2.
    Epilogue epilogue(g, fusion);
    Value laneRow = ib.div(lane, 4), laneCol = ib.mul(ib.rem(lane, 4), 2);
    for (int64_t mi = 0; mi < mFrags; ++mi) {
      for (int64_t nj = 0; nj < nFrags; ++nj) {
        for (int64_t e = 0; e < 4; ++e) {
          Value row = ib.add(
              ib.add(rowOrigin, ib.mul(warpM, warpTileM)),
              ib.add(laneRow, mi * 16 + (e >= 2 ? 8 : 0)));
          Value col = ib.add(
              ib.add(colOrigin, ib.mul(warpN, warpTileN)),
              ib.add(laneCol, nj * 8 + e % 2));
          epilogue.store(b, loc, batchIvs, row, col,
                         accs[(mi * nFrags + nj) * 4 + e]);
        }
      }
    }
  });
}

//===----------------------------------------------------------------------===//
// FMA kernel
//===----------------------------------------------------------------------===//

void emitFmaKernel(OpBuilder &b, const GemmPlan &g,
                   const ContractionFusion &fusion) {
  Location loc = g.op.getLoc();
  const int64_t bm = 64, bn = 64, bk = 16, vec = 4, tm = 4, tn = 4;
  const int64_t threadsN = bn / tn; // 16 x 16 threads
  int64_t mTiles = llvm::divideCeil(g.M, bm);
  int64_t nTiles = llvm::divideCeil(g.N, bn);
  int64_t kTiles = llvm::divideCeil(g.K, bk);
  Type f32 = b.getF32Type();

  createKernel(b, loc, "fma_gemm", g.numBatch * mTiles * nTiles,
               kBlockThreads, [&](OpBuilder &b, Value bid) {
    IndexBuilder ib{b, loc};
    SmallVector<Value> tile = delinearize(ib, bid, {g.numBatch, mTiles, nTiles});
    SmallVector<Value> batchIvs = delinearize(ib, tile[0], g.batchSizes);
    Value rowOrigin = ib.mul(tile[1], bm), colOrigin = ib.mul(tile[2], bn);
    Value tid = ib.threadId();
    Value ty = ib.div(tid, threadsN), tx = ib.rem(tid, threadsN);

    TileLoader la(g, g.a, bm, bk, vec, /*kMajorShared=*/true, f32);
    TileLoader lb(g, g.b, bn, bk, vec, /*kMajorShared=*/true, f32);
    la.prepare(b, loc, tid, rowOrigin, batchIvs);
    lb.prepare(b, loc, tid, colOrigin, batchIvs);
    Value aCol = ib.mul(ty, tm), bCol = ib.mul(tx, tn);

    auto compute = [&](OpBuilder &b, Value stage, ValueRange accs) {
      IndexBuilder ib{b, loc};
      SmallVector<Value> next(accs.begin(), accs.end());
      auto type = VectorType::get({4}, f32);
      for (int64_t kk = 0; kk < bk; ++kk) {
        Value av = vector::LoadOp::create(
            b, loc, type, la.sharedTile(), ValueRange{stage, ib.c(kk), aCol},
            false, llvm::MaybeAlign(16));
        Value bv = vector::LoadOp::create(
            b, loc, type, lb.sharedTile(), ValueRange{stage, ib.c(kk), bCol},
            false, llvm::MaybeAlign(16));
        for (int64_t i = 0; i < tm; ++i) {
          Value ai = vector::ExtractOp::create(b, loc, av, ArrayRef<int64_t>{i});
          for (int64_t j = 0; j < tn; ++j) {
            Value bj =
                vector::ExtractOp::create(b, loc, bv, ArrayRef<int64_t>{j});
            next[i * tn + j] =
                math::FmaOp::create(b, loc, ai, bj, next[i * tn + j]);
          }
        }
      }
      return next;
    };

    SmallVector<Value> accs =
        buildDoubleBufferedKLoop(b, loc, la, lb, kTiles, tm * tn, compute);

    Epilogue epilogue(g, fusion);
    for (int64_t i = 0; i < tm; ++i)
      for (int64_t j = 0; j < tn; ++j)
        epilogue.store(b, loc, batchIvs,
                       ib.add(ib.add(rowOrigin, aCol), i),
                       ib.add(ib.add(colOrigin, bCol), j), accs[i * tn + j]);
  });
}

FailureOr<GemmPlan> planGemm(linalg::LinalgOp op, std::string &why) {
  GemmPlan g;
  g.op = op;
  if (!linalg::isaContractionOpInterface(op)) {
    why = "the body is not a multiply-accumulate";
    return failure();
  }
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      !op.hasPureBufferSemantics()) {
    why = "not a two-input, one-output contraction on memrefs";
    return failure();
  }
  for (OpOperand &operand : op->getOpOperands()) {
    Type t = getElementTypeOrSelf(operand.get());
    if (!t.isF32() && !t.isBF16() && !t.isF16()) {
      why = "element types must be f32, bf16 or f16";
      return failure();
    }
    if (!op.getMatchingIndexingMap(&operand).isProjectedPermutation()) {
      why = "indexing maps must be projected permutations";
      return failure();
    }
  }
  if (op.hasDynamicShape()) {
    why = "shapes must be static";
    return failure();
  }
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims)) {
    why = "contraction dimensions cannot be inferred";
    return failure();
  }
  g.loopSizes = op.getStaticLoopRanges();
  keepNonUnit(dims->batch, g.loopSizes, g.batch, g.batchSizes);
  keepNonUnit(dims->m, g.loopSizes, g.m, g.mSizes);
  keepNonUnit(dims->n, g.loopSizes, g.n, g.nSizes);
  keepNonUnit(dims->k, g.loopSizes, g.k, g.kSizes);
  g.numBatch = product(g.batchSizes);
  g.M = product(g.mSizes);
  g.N = product(g.nSizes);
  g.K = product(g.kSizes);
  g.c = op.getDpsInitOperand(0);
  g.cElem = getElementTypeOrSelf(g.c->get());
  return g;
}

} // namespace

LogicalResult mlir::softmoe::gpu_codegen::checkGemmSupported(
    linalg::LinalgOp op, std::string &why) {
  return success(succeeded(planGemm(op, why)));
}

void mlir::softmoe::gpu_codegen::emitContractionKernel(
    OpBuilder &b, linalg::LinalgOp op, const ContractionFusion &fusion,
    bool useTensorCores, bool useWgmma) {
  std::string why;
  GemmPlan g = *planGemm(op, why);
  Type aElem = getElementTypeOrSelf(op.getDpsInputs()[0]);
  Type bElem = getElementTypeOrSelf(op.getDpsInputs()[1]);
  if (useTensorCores && (aElem.isF16() || bElem.isF16()))
    g.mmaElem = b.getF16Type();
  else if (useTensorCores && (aElem.isBF16() || bElem.isBF16()))
    g.mmaElem = b.getBF16Type();
  int64_t vec = g.mmaElem ? 8 : 4;
  planOperand(g, g.a, op.getDpsInputOperand(0), g.m, g.mSizes, vec);
  planOperand(g, g.b, op.getDpsInputOperand(1), g.n, g.nSizes, vec);
  if (g.mmaElem && useWgmma && canUseWgmma(g, why))
    emitWgmmaKernel(b, g, fusion);
  else if (g.mmaElem)
    emitMmaKernel(b, g, fusion);
  else
    emitFmaKernel(b, g, fusion);
}
