//===- Passes.td - softmoe dialect passes ------------------*- tablegen -*-===//

#ifndef SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD
#define SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SoftMoEDecompose : Pass<"softmoe-decompose"> {
  let summary = "Split softmoe.layer into router, dispatch, expert_apply and combine";
  let description = [{
    Rewrites every `softmoe.layer` into the four stage ops, forwarding the
    scale, the mask, `normalize`, `epsilon` and `activation`. Shapes, static or
    dynamic, follow from the stage ops' type inference.
  }];
  let dependentDialects = ["::mlir::softmoe::SoftMoEDialect",
                           "::mlir::tensor::TensorDialect"];
}

def SoftMoERaiseFromLinalg : Pass<"softmoe-raise-from-linalg"> {
  let summary = "Recognise Soft MoE layers in linalg/tensor/arith/math IR";
  let description = [{
    Finds the Soft MoE computation of CONTRACT.md in the IR that a generic
    frontend emits (einsum-style `linalg.generic`s or `linalg.matmul` /
    `linalg.batch_matmul` with transposes and reshapes, `linalg.softmax` or
    explicit max/sub/exp/sum/div reductions, the l2 normalisation with its
    scale, and any expert activation of the dialect's `activation` enum,
    identified numerically against softmoe/Dialect/SoftMoE/IR/Activation.h;
    a gated one, geglu or swiglu, reads the two `tensor.extract_slice`
    halves of the first layer's result) and rewrites it into `softmoe.layer` when the whole layer matches, otherwise
    into the stage ops (`softmoe.router`, `softmoe.dispatch`,
    `softmoe.expert_apply`, `softmoe.combine`) whose computation matches.

    Matching is structural: indexing maps, iterator types, the scalar ops of
    the bodies and the identity of the tensors they read, tracked through
    `linalg.transpose`/`linalg.broadcast`/permuting generics,
    `tensor.expand_shape`, `tensor.collapse_shape` and `tensor.cast`. What it
    recognises and what it refuses is in docs/raising.md. IR that does not
    match is left untouched.
  }];
  let dependentDialects = ["::mlir::softmoe::SoftMoEDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

def SoftMoEShardExperts : Pass<"softmoe-shard-experts", "::mlir::ModuleOp"> {
  let summary = "Shard the expert axis of Soft MoE layers over a 1-D process grid";
  let description = [{
    Expert parallelism with the upstream `shard` dialect. Declares a private
    `shard.grid @<grid>(shape = <ranks>)` and annotates every `softmoe.layer`
    and stage op: the slot parameters `phi [D,N,P]` are split along N, the
    expert weights `w1 b1 w2 b2` along their leading N; tokens, `scale` and
    `mask` are replicated, and the layer's output `y` (or combine's) is
    replicated. `sharding-propagation{traversal=forward-backward}` and
    `shard-partition` after `convert-softmoe-to-linalg` then give each
    process its N/R experts and exactly three `shard.all_reduce` per layer:
    the max and the sum of the combine softmax over its slots ([B,M] each)
    and the partial y ([B,M,D]). All three are f32: the lowering accumulates
    in f32 and rounds to bf16/f16 only after the reduction (MLIR 22's MPI
    lowering has no bf16/f16 datatype).

    The module gets `dlti.map<"MPI:Implementation" = "MPICH">` unless it names
    an MPI already: MLIR 22's OpenMPI lowering is broken (docs/distributed.md).

    N must be static and divisible by the number of ranks; otherwise the op
    is reported at its location and the pass fails.
  }];
  let options = [
    Option<"ranks", "ranks", "int64_t", /*default=*/"0",
           "Number of processes of the 1-D grid (MPI ranks); required">,
    Option<"gridName", "grid", "std::string", /*default=*/"\"experts\"",
           "Symbol name of the shard.grid to declare">,
  ];
  let dependentDialects = ["::mlir::shard::ShardDialect",
                           "::mlir::DLTIDialect"];
}

def SoftMoEShardSimplify : Pass<"softmoe-shard-simplify"> {
  let summary = "Drop the per-process choice between equal reduction inits";
  let description = [{
    `shard-partition` (MLIR 22) gives a reduction over a sharded dimension
    an init chosen per process: `scf.if (process index == 0)` yields the
    original init, else a fresh `tensor.empty` filled with the reduction's
    neutral element. The inits of the softmoe lowering are already neutral
    fills (0 for sums, -inf for max), so both branches yield the same
    values; this pass replaces such an `scf.if` by its then-value. Left in,
    the branch bufferizes to strided memrefs and copies that the CPU code
    generation does not tile, and the layer falls back to plain loops.
  }];
}

def SoftMoEMPIWorldComm : Pass<"softmoe-mpi-world-comm"> {
  let summary = "Use MPI_COMM_WORLD for collectives over the whole 1-D grid";
  let description = [{
    `convert-shard-to-mpi` (MLIR 22) emits `mpi.comm_split(world, color,
    key)` before collectives, on every call of the function: a collective of
    its own, and a communicator that is never freed (MPICH runs out of
    context ids after about two thousand). On a 1-D grid as large as the
    communicator (the grid size must equal it; softmoe-bench checks), the
    color is the constant 0 and the key the rank itself, so the split yields
    the world's group in the world's order: this pass uses the world
    communicator instead. Splits with any other color are left alone.
  }];
  let dependentDialects = ["::mlir::mpi::MPIDialect"];
}

#endif // SOFTMOE_DIALECT_SOFTMOE_TRANSFORMS_PASSES_TD
