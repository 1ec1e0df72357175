//===- FrontHalf.cpp - softmoe on tensors to linalg on buffers ------------===//
//
// What the CPU and GPU pipelines share, up to bufferization:
//   softmoe-decompose, convert-softmoe-to-linalg, canonicalize
//   shardExperts = R > 0 (expert parallelism over R MPI processes, see
//   ShardExperts.cpp): softmoe-shard-experts before the conversion, then
//   sharding-propagation{traversal=forward-backward}, shard-partition,
//   softmoe-shard-simplify, canonicalize, convert-shard-to-mpi, canonicalize,
//   softmoe-mpi-world-comm, symbol-dce (drops the private shard.grid)
//   one-shot-bufferize (function boundaries, identity layouts there)
//
//===----------------------------------------------------------------------===//

#include "softmoe/Pipelines/Pipelines.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Shard/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::softmoe;

void mlir::softmoe::addSoftMoEToBufferizedLinalgPasses(OpPassManager &pm,
                                                       int shardExperts) {
  pm.addPass(createSoftMoEDecompose());
  if (shardExperts > 0) {
    SoftMoEShardExpertsOptions shardOptions;
    shardOptions.ranks = shardExperts;
    pm.addPass(createSoftMoEShardExperts(shardOptions));
  }
  pm.addPass(createConvertSoftMoEToLinalg());
  // No CSE on tensors: it merges the identical tensor.empty + linalg.fill
  // inits of different reductions, and bufferization then copies one of them.
  pm.addPass(createCanonicalizerPass());
  if (shardExperts > 0) {
    // forward-backward finds the all-reduce plan; the default traversal
    // picks all_gathers, which MLIR 22 cannot lower to MPI.
    shard::ShardingPropagationOptions propagation;
    propagation.traversal = shard::TraversalOrder::ForwardBackward;
    pm.addNestedPass<func::FuncOp>(
        shard::createShardingPropagation(propagation));
    pm.addNestedPass<func::FuncOp>(shard::createPartition());
    pm.addPass(createSoftMoEShardSimplify());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createConvertShardToMPIPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createSoftMoEMPIWorldComm());
    pm.addPass(createSymbolDCEPass());
  }

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  // A layer inside scf.for (iterating a block) yields a fresh buffer each
  // iteration; without this, bufferization rejects such loops.
  bufferize.allowReturnAllocsFromLoops = true;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
}
