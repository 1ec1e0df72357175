//===- ShardExperts.cpp - Expert parallelism with the shard dialect -------===//
//
// softmoe-shard-experts annotates the expert axis of Soft MoE layers with a
// sharding over a 1-D grid of R processes; the upstream passes do the rest:
//
//   softmoe-shard-experts{ranks=R}   grid, shard.shard on operands / result
//   convert-softmoe-to-linalg        generics with projected-permutation maps
//   sharding-propagation{traversal=forward-backward}, shard-partition
//                                    local work + 3 shard.all_reduce (f32)
//   convert-shard-to-mpi             mpi.comm_split + mpi.allreduce
//   softmoe-mpi-world-comm           the split replaced by the world comm
//
// Why this plan: logits[b,m,n,p] need only phi[:, n, :], the dispatch softmax
// normalises per slot (b,n,p) and slots belong to their expert, so router,
// dispatch and the experts are local to the rank that owns expert n. Only the
// combine softmax (over all slots of a token) and combine's sum over slots
// cross experts: their partial max, partial sum and partial y are reduced.
// The default traversal (backward-forward) picks an all_gather plan that
// MLIR 22 cannot lower to MPI, hence forward-backward.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Conversion/MPIToLLVM/MPIToLLVM.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/DLTI/DLTI.h"
#include "mlir/Dialect/Func/Extensions/ShardingExtensions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Linalg/Transforms/ShardingInterfaceImpl.h"
#include "mlir/Dialect/MPI/IR/MPI.h"
#include "mlir/Dialect/Shard/IR/ShardOps.h"
#include "mlir/Dialect/Shard/Interfaces/ShardingInterface.h"
#include "mlir/Dialect/Tensor/IR/ShardingInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/DenseMap.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOESHARDEXPERTS
#define GEN_PASS_DEF_SOFTMOEMPIWORLDCOMM
#define GEN_PASS_DEF_SOFTMOESHARDSIMPLIFY
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;

namespace {

/// No split: the value is the same on every process.
constexpr int64_t kReplicated = -1;

class Annotator {
public:
  Annotator(OpBuilder &b, StringRef grid) : b(b), grid(grid) {}

  /// Makes `operand` read its value through a shard.shard that splits tensor
  /// dimension `splitDim` over the grid (or replicates it).
  void operand(OpOperand &operand, int64_t splitDim) {
    Value v = operand.get();
    auto key = std::make_pair(v, splitDim);
    auto it = annotated.find(key);
    if (it == annotated.end()) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(operand.getOwner());
      Value sharded = shard::ShardOp::create(b, v.getLoc(), v,
                                             sharding(v.getLoc(), splitDim));
      it = annotated.try_emplace(key, sharded).first;
    }
    operand.set(it->second);
  }

  /// Declares `result` replicated where it is produced and for its users:
  /// the partial sums of the sharded reduction are all-reduced before it.
  void replicatedResult(Value result) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointAfterValue(result);
    Location loc = result.getLoc();
    Value rep = sharding(loc, kReplicated);
    auto produced = shard::ShardOp::create(b, loc, result, rep);
    auto forUsers = shard::ShardOp::create(b, loc, produced, rep,
                                           /*annotate_for_users=*/true);
    result.replaceAllUsesExcept(forUsers, produced);
  }

private:
  Value sharding(Location loc, int64_t splitDim) {
    SmallVector<shard::GridAxesAttr> axes;
    for (int64_t d = 0; d <= std::max<int64_t>(splitDim, 0); ++d)
      axes.push_back(b.getDenseI16ArrayAttr(
          d == splitDim ? ArrayRef<int16_t>{0} : ArrayRef<int16_t>{}));
    return shard::ShardingOp::create(b, loc, grid, axes);
  }

  OpBuilder &b;
  StringRef grid;
  llvm::DenseMap<std::pair<Value, int64_t>, Value> annotated;
};

/// The static expert count of `value`'s dimension `dim`, checked against
/// the grid; reports at `op` and returns failure otherwise.
LogicalResult checkExperts(Operation *op, Value value, unsigned dim,
                           int64_t ranks) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t n = type.getDimSize(dim);
  if (ShapedType::isDynamic(n))
    return op->emitOpError("softmoe-shard-experts needs a static number of "
                           "experts N to split them over ")
           << ranks << " ranks";
  if (n % ranks != 0)
    return op->emitOpError("softmoe-shard-experts cannot split ")
           << n << " experts evenly over " << ranks
           << " ranks: N must be divisible by the number of ranks";
  return success();
}

struct ShardExpertsPass
    : mlir::softmoe::impl::SoftMoEShardExpertsBase<ShardExpertsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (ranks < 1) {
      module.emitError("softmoe-shard-experts needs ranks >= 1 (the number "
                       "of MPI processes), got ")
          << static_cast<int64_t>(ranks);
      return signalPassFailure();
    }
    OpBuilder b(module.getContext());
    if (failed(declareGrid(module, b)))
      return signalPassFailure();
    declareMPIImplementation(module, b);

    Annotator annotate(b, gridName);
    bool failedAny = false;
    module.walk([&](Operation *op) {
      if (auto layer = dyn_cast<LayerOp>(op)) {
        if (failed(checkExperts(op, layer.getPhi(), 1, ranks))) {
          failedAny = true;
          return;
        }
        annotate.operand(layer.getXMutable(), kReplicated);
        annotate.operand(layer.getPhiMutable(), 1);
        for (OpOperand *w : {&layer.getW1Mutable(), &layer.getB1Mutable(),
                             &layer.getW2Mutable(), &layer.getB2Mutable()})
          annotate.operand(*w, 0);
        for (OpOperand &o : layer.getScaleMutable())
          annotate.operand(o, kReplicated);
        for (OpOperand &o : layer.getMaskMutable())
          annotate.operand(o, kReplicated);
        annotate.replicatedResult(layer.getResult());
      } else if (auto router = dyn_cast<RouterOp>(op)) {
        if (failed(checkExperts(op, router.getPhi(), 1, ranks))) {
          failedAny = true;
          return;
        }
        annotate.operand(router.getXMutable(), kReplicated);
        annotate.operand(router.getPhiMutable(), 1);
        for (OpOperand &o : router.getScaleMutable())
          annotate.operand(o, kReplicated);
      } else if (auto dispatch = dyn_cast<DispatchOp>(op)) {
        annotate.operand(dispatch.getXMutable(), kReplicated);
        for (OpOperand &o : dispatch.getMaskMutable())
          annotate.operand(o, kReplicated);
      } else if (auto experts = dyn_cast<ExpertApplyOp>(op)) {
        if (failed(checkExperts(op, experts.getW1(), 0, ranks))) {
          failedAny = true;
          return;
        }
        for (OpOperand *w :
             {&experts.getW1Mutable(), &experts.getB1Mutable(),
              &experts.getW2Mutable(), &experts.getB2Mutable()})
          annotate.operand(*w, 0);
      } else if (auto combine = dyn_cast<CombineOp>(op)) {
        for (OpOperand &o : combine.getMaskMutable())
          annotate.operand(o, kReplicated);
        annotate.replicatedResult(combine.getResult());
      }
    });
    if (failedAny)
      signalPassFailure();
  }

  /// convert-shard-to-mpi and the MPI lowering ask the module which MPI ABI
  /// to target (and report an error when nobody says): MPICH, the one MLIR
  /// 22 lowers correctly. A module that names one keeps it.
  void declareMPIImplementation(ModuleOp module, OpBuilder &b) {
    StringAttr key = b.getStringAttr("MPI:Implementation");
    SmallVector<DataLayoutEntryInterface> entries;
    if (auto map = module->getAttrOfType<MapAttr>(DLTIDialect::kMapAttrName)) {
      for (DataLayoutEntryInterface entry : map.getEntries()) {
        if (entry.getKey() == DataLayoutEntryKey(key))
          return;
        entries.push_back(entry);
      }
    }
    entries.push_back(DataLayoutEntryAttr::get(key, b.getStringAttr("MPICH")));
    module->setAttr(DLTIDialect::kMapAttrName,
                    MapAttr::get(module.getContext(), entries));
  }

  /// A private grid (symbol-dce drops it after convert-shard-to-mpi, which
  /// mlir-translate needs); an existing one must have the same shape.
  LogicalResult declareGrid(ModuleOp module, OpBuilder &b) {
    Operation *existing = SymbolTable::lookupSymbolIn(module, gridName);
    if (existing) {
      auto grid = dyn_cast<shard::GridOp>(existing);
      if (!grid || grid.getShape() != ArrayRef<int64_t>{ranks})
        return existing->emitError("softmoe-shard-experts: symbol @")
               << gridName << " exists and is not a 1-D shard.grid of "
               << static_cast<int64_t>(ranks) << " processes";
      return success();
    }
    b.setInsertionPointToStart(module.getBody());
    auto grid = shard::GridOp::create(b, module.getLoc(), gridName.getValue(),
                                      ArrayRef<int64_t>{ranks});
    grid.setPrivate();
    return success();
  }
};

/// The constant `v` is filled with, when it is a linalg.fill of a constant
/// into a static tensor.
std::optional<Attribute> filledConstant(Value v) {
  auto fill = v.getDefiningOp<linalg::FillOp>();
  auto type = dyn_cast<RankedTensorType>(v.getType());
  Attribute value;
  if (!fill || !type || !type.hasStaticShape() ||
      !matchPattern(fill.getInputs()[0], m_Constant(&value)))
    return std::nullopt;
  return value;
}

struct ShardSimplifyPass
    : mlir::softmoe::impl::SoftMoEShardSimplifyBase<ShardSimplifyPass> {
  void runOnOperation() override {
    SmallVector<scf::IfOp> ifs;
    getOperation()->walk([&](scf::IfOp op) {
      if (op.getNumResults() == 0 || !op.elseBlock() ||
          op.thenBlock()->getOperations().size() != 1)
        return;
      for (auto [t, e] : llvm::zip(op.thenYield().getOperands(),
                                   op.elseYield().getOperands())) {
        std::optional<Attribute> a = filledConstant(t);
        std::optional<Attribute> b = filledConstant(e);
        if (!a || !b || *a != *b || t.getType() != e.getType())
          return;
      }
      ifs.push_back(op);
    });
    for (scf::IfOp op : ifs) {
      op.replaceAllUsesWith(op.thenYield().getOperands());
      op.erase();
    }
  }
};

/// True when `v` is an i32 constant equal to `value`.
bool isConstantI32(Value v, int64_t value) {
  IntegerAttr attr;
  return matchPattern(v, m_Constant(&attr)) && attr.getInt() == value;
}

/// True when `key` is the caller's rank in `world` modulo some constant
/// (what convert-shard-to-mpi computes for a 1-D grid), or the rank itself.
bool isWorldRank(Value key) {
  if (auto cast = key.getDefiningOp<arith::IndexCastOp>())
    key = cast.getIn();
  if (auto rem = key.getDefiningOp<arith::RemSIOp>())
    key = rem.getLhs();
  else if (auto rem = key.getDefiningOp<arith::RemUIOp>())
    key = rem.getLhs();
  if (auto cast = key.getDefiningOp<arith::IndexCastOp>())
    key = cast.getIn();
  auto rank = key.getDefiningOp<mpi::CommRankOp>();
  return rank && rank.getComm().getDefiningOp<mpi::CommWorldOp>();
}

struct MPIWorldCommPass
    : mlir::softmoe::impl::SoftMoEMPIWorldCommBase<MPIWorldCommPass> {
  void runOnOperation() override {
    SmallVector<mpi::CommSplitOp> splits;
    getOperation()->walk([&](mpi::CommSplitOp split) {
      if (split.getComm().getDefiningOp<mpi::CommWorldOp>() &&
          isConstantI32(split.getColor(), 0) && isWorldRank(split.getKey()) &&
          (!split.getRetval() || split.getRetval().use_empty()))
        splits.push_back(split);
    });
    for (mpi::CommSplitOp split : splits) {
      split.getNewcomm().replaceAllUsesWith(split.getComm());
      split.erase();
    }
  }
};

/// mpi.allreduce reads its send buffer and writes its receive buffer.
struct AllReduceMemoryEffects
    : MemoryEffectOpInterface::ExternalModel<AllReduceMemoryEffects,
                                             mpi::AllReduceOp> {
  void getEffects(Operation *op,
                  SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                      &effects) const {
    auto reduce = cast<mpi::AllReduceOp>(op);
    effects.emplace_back(MemoryEffects::Read::get(),
                         &reduce.getSendbufMutable(),
                         SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Read::get(),
                         &reduce.getRecvbufMutable(),
                         SideEffects::DefaultResource::get());
    effects.emplace_back(MemoryEffects::Write::get(),
                         &reduce.getRecvbufMutable(),
                         SideEffects::DefaultResource::get());
  }
};

/// tensor.extract_slice taking whole dimensions except some that are not
/// split: what a gated expert's lowering reads the halves of its first
/// layer with (dimension 3, the 2H-wide one; the split is along N). Each
/// dimension of the slice is that of the source (identity maps); a split
/// dimension must be taken whole, and becomes the local one.
struct ExtractSliceSharding
    : shard::ShardingInterface::ExternalModel<ExtractSliceSharding,
                                              tensor::ExtractSliceOp> {
  SmallVector<utils::IteratorType> getLoopIteratorTypes(Operation *op) const {
    auto slice = cast<tensor::ExtractSliceOp>(op);
    return SmallVector<utils::IteratorType>(slice.getSourceType().getRank(),
                                            utils::IteratorType::parallel);
  }

  SmallVector<AffineMap> getIndexingMaps(Operation *op) const {
    auto slice = cast<tensor::ExtractSliceOp>(op);
    int64_t rank = slice.getSourceType().getRank();
    if (slice.getResultType().getRank() != rank)
      return {}; // rank-reducing: not modelled
    MLIRContext *ctx = op->getContext();
    // The source and the result; the dynamic offsets, sizes and strides are
    // indices, which carry no sharding.
    SmallVector<AffineMap> maps(op->getNumOperands(),
                                AffineMap::get(rank, 0, ctx));
    maps[0] = AffineMap::getMultiDimIdentityMap(rank, ctx);
    maps.push_back(AffineMap::getMultiDimIdentityMap(rank, ctx));
    return maps;
  }

  LogicalResult partition(Operation *op, ArrayRef<Value> partitionedOperands,
                          ArrayRef<shard::Sharding> operandShardings,
                          ArrayRef<shard::Sharding> resultShardings,
                          IRMapping &partitionMap,
                          SymbolTableCollection &symbolTable,
                          OpBuilder &builder) const {
    auto slice = cast<tensor::ExtractSliceOp>(op);
    RankedTensorType src = slice.getSourceType(), res = slice.getResultType();
    if (src.getRank() != res.getRank())
      return op->emitOpError("softmoe-shard-experts: a rank-reducing slice "
                             "cannot be partitioned");
    auto mapped = [&](OpFoldResult f) -> OpFoldResult {
      if (auto v = dyn_cast<Value>(f))
        return partitionMap.lookupOrDefault(v);
      return f;
    };
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (OpFoldResult f : slice.getMixedOffsets())
      offsets.push_back(mapped(f));
    for (OpFoldResult f : slice.getMixedStrides())
      strides.push_back(mapped(f));
    Value local = partitionedOperands[0];
    auto split = [](ArrayRef<shard::Sharding> s, int64_t d) {
      return !s.empty() && s[0] &&
             d < static_cast<int64_t>(s[0].getSplitAxes().size()) &&
             !s[0].getSplitAxes()[d].empty();
    };
    for (auto [d, size] : llvm::enumerate(slice.getMixedSizes())) {
      std::optional<int64_t> offset = getConstantIntValue(offsets[d]);
      bool whole = offset && *offset == 0 && !src.isDynamicDim(d) &&
                   getConstantIntValue(size) == src.getDimSize(d);
      if (whole) {
        sizes.push_back(
            tensor::getMixedSize(builder, op->getLoc(), local, d));
        continue;
      }
      if (split(operandShardings, d) || split(resultShardings, d))
        return op->emitOpError("softmoe-shard-experts: dimension ")
               << d << " is split over the grid but not taken whole";
      sizes.push_back(mapped(size));
    }
    Value result = tensor::ExtractSliceOp::create(builder, op->getLoc(), local,
                                                  offsets, sizes, strides);
    partitionMap.map(op->getResult(0), result);
    partitionMap.map(op, result.getDefiningOp());
    return success();
  }
};

} // namespace

void mlir::softmoe::registerShardExpertsExtensions(DialectRegistry &registry) {
  linalg::registerShardingInterfaceExternalModels(registry);
  tensor::registerShardingInterfaceExternalModels(registry);
  func::registerShardingInterfaceExternalModels(registry);
  mpi::registerConvertMPIToLLVMInterface(registry);
  registry.addExtension(+[](MLIRContext *ctx, mpi::MPIDialect *) {
    mpi::AllReduceOp::attachInterface<AllReduceMemoryEffects>(*ctx);
  });
  registry.addExtension(+[](MLIRContext *ctx, tensor::TensorDialect *) {
    tensor::ExtractSliceOp::attachInterface<ExtractSliceSharding>(*ctx);
  });
}
