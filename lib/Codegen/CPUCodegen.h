//===- CPUCodegen.h - The stages of softmoe-cpu-codegen ---------*- C++ -*-===//
//
// softmoe-cpu-codegen turns every linalg op on buffers into a loop nest of
// vector code. It is split by stage, the way IREE's LLVMCPU code generation
// is: a kernel configuration comes first and is written on the IR as
// attributes, and each later stage reads what the previous one left there.
// `stop-after=<stage>` ends the pass after a stage, its markers still on the
// IR (test/Codegen/cpu-codegen-stages.mlir):
//
//   plan       KernelPlan.cpp (with Fusion.cpp's groups): which ops fuse into
//              which kernel, and each kernel root's loop plan (softmoe.plan;
//              the tile sizes come from KernelConfig.h); fused ops carry
//              softmoe.fused_into
//   fusion     Tiling.cpp: every root tiled to its register tile (scf.forall
//              for threads, panel packing), its initializer and consumers
//              fused into the same tile (Fusion.cpp)
//   tile       Tiling.cpp: partial and dynamic tiles peeled, so that every
//              full tile has static shapes
//   vectorize  RegisterTiling.cpp: reductions tiled by register steps,
//              dynamic remainders by unit tiles, every tile vectorized
//   register   RegisterTiling.cpp: unrolled to one register per vector op,
//              accumulator tiles carried in registers across reductions
//   vector     VectorPatterns.cpp: transfers forwarded within blocks,
//              contractions lowered to FMAs or vdpbf16ps, polynomials;
//              RegisterTiling.cpp's prefetches (the whole pass)
//
// The pass itself (CPUCodegenPass.cpp) checks the options, runs the stages
// and keeps the one fallback seam: a function that fails to generate is left
// as it was, for the loop lowering.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_LIB_CODEGEN_CPUCODEGEN_H
#define SOFTMOE_LIB_CODEGEN_CPUCODEGEN_H

#include "softmoe/Codegen/CPUTarget.h"
#include "softmoe/Codegen/KernelConfig.h"
#include "softmoe/Codegen/Passes.h"

#include "DynamicSizes.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/IR/PatternMatch.h"

#include <optional>
#include <string>

namespace mlir::softmoe::codegen {

//===----------------------------------------------------------------------===//
// Attributes: every name the stages read or write, declared once here.
//===----------------------------------------------------------------------===//

/// Input: the function attribute that overrides the pass's `expected-size`.
inline constexpr llvm::StringLiteral kExpectedSizeAttr =
    "softmoe.expected_size";
/// Input: optional per-op register tile override, `array<i64: MR, NR>`.
inline constexpr llvm::StringLiteral kTileAttr = "softmoe.register_tile";

/// plan: a kernel root's KernelPlan (planToAttr), with its kernel number.
inline constexpr llvm::StringLiteral kPlan = "softmoe.plan";
/// plan: an op fused into the tile of the kernel with this number.
inline constexpr llvm::StringLiteral kFusedInto = "softmoe.fused_into";
/// plan: a reduction dimension vectorized along the lanes, and its tile.
inline constexpr llvm::StringLiteral kLaneReduction = "softmoe.lane_reduction";
/// fusion: the outermost loop of a kernel, whose partial tiles the tile stage
/// peels.
inline constexpr llvm::StringLiteral kPeelRoot = "softmoe.peel_root";
/// fusion: tiled ops whose reduction dimensions are still to be tiled.
inline constexpr llvm::StringLiteral kReduceLater = "softmoe.reduce_later";
/// fusion: a bf16 x bf16 contraction whose reduction steps by pairs
/// (vdpbf16ps).
inline constexpr llvm::StringLiteral kDotPairs = "softmoe.dot_pairs";
/// fusion: a contraction tiled in reduction blocks that streams B; vectorize:
/// then its innermost reduction loop. `array<i64: KC, NR>` (block rows, panel
/// width).
inline constexpr llvm::StringLiteral kStream = "softmoe.stream";
/// fusion, vectorize: tiled ops that are ready to be vectorized.
inline constexpr llvm::StringLiteral kVectorize = "softmoe.vectorize";
/// vectorize: the reduction loops whose accumulators should live in
/// registers.
inline constexpr llvm::StringLiteral kAccLoop = "softmoe.acc_loop";
/// tile: loops peelPartialTiles has visited (removed before it returns).
inline constexpr llvm::StringLiteral kPeelSeen = "softmoe.peel_seen";

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

/// What the stages need of the pass's options.
struct CodegenOptions {
  const CPUTarget *target = nullptr;
  /// register-tile, for every contraction without a kTileAttr.
  std::optional<RegisterTile> tileOverride;
  int64_t threads = 1;
  int64_t minParallelWork = 0;
  /// stream-block: -1 chosen per shape, 0 never, N > 0 forced.
  int64_t streamBlock = -1;
  bool packPanels = false;
  /// The size dynamic extents are planned for (expected-size, or the
  /// function's kExpectedSizeAttr).
  int64_t expected = 128;
};

//===----------------------------------------------------------------------===//
// Plans (KernelPlan.cpp)
//===----------------------------------------------------------------------===//

/// How one linalg op is turned into loops. Tile sizes are per loop dimension;
/// 0 means "not tiled at this level".
struct KernelPlan {
  /// Dimension distributed over threads (tile `forallTile`), or -1.
  int64_t forallDim = -1;
  /// Tile sizes of the parallel dimensions and the order of their loops.
  SmallVector<int64_t> parallelTiles;
  SmallVector<int64_t> parallelOrder;
  /// Tile sizes of the reduction dimensions (innermost loops).
  SmallVector<int64_t> reductionTiles;
  /// Whether the tile is worth vectorizing at all.
  bool vectorize = true;
  /// Rows of B per reduction block when B is streamed (chooseStreamBlock),
  /// else 0. The reduction dimension is then tiled with the parallel ones,
  /// right inside the batch dimensions, and the register tile's width is
  /// `streamPanel`.
  int64_t streamBlock = 0;
  int64_t streamPanel = 0;
  /// B's column panel is copied into a contiguous buffer inside the panel
  /// loop, before the row strips reuse it (choosePackPanel); `laneDim` is
  /// the panel's dimension and `kDim` the reduction.
  bool packB = false;
  int64_t laneDim = -1;
  int64_t kDim = -1;
  /// bf16 inputs, f32 accumulators and a target with vdpbf16ps: the
  /// reduction runs two steps at a time, as dot products of pairs.
  bool bf16Dot = false;
  /// Contractions: the DPS input broadcast along the register tile's rows
  /// ("A"); the other one ("B") is loaded a register of lanes at a time.
  unsigned rowInput = 0;
  /// Contractions: the output's row dimensions (the register tile's rows
  /// come from one of them).
  SmallVector<unsigned> rowDims;
};

/// A contraction that streams B (chooseStreamBlock) at few rows and not at
/// many, where the rows are one dynamic dimension: which kernel is right is
/// known only at run time, so it gets both (splitStreamVersions).
struct StreamVersions {
  /// The dynamic row dimension, the largest extent that streams, and the
  /// reduction block then.
  unsigned dim = 0;
  int64_t maxExtent = 0;
  int64_t block = 0;
};

SmallVector<int64_t> staticLoopRanges(linalg::LinalgOp op);
bool hasStaticShapes(linalg::LinalgOp op);

/// The register tile `op` must use, if any: its kTileAttr, else the pass's
/// register-tile.
std::optional<RegisterTile> registerTileFor(linalg::LinalgOp op,
                                            const CodegenOptions &options);

/// Register-tiled plan for a contraction whose output's contiguous dimension
/// is the contiguous dimension of one input ("B"), or failure.
FailureOr<KernelPlan> planContraction(linalg::LinalgOp op,
                                      const CPUTarget &target,
                                      std::optional<RegisterTile> tile,
                                      int64_t threads, int64_t minParallelWork,
                                      int64_t streamOverride, int64_t expected,
                                      bool packPanels = false);

/// Whether a contraction's streaming depends on its one dynamic row extent
/// (StreamVersions), and then where.
std::optional<StreamVersions> streamVersions(linalg::LinalgOp op,
                                             const CPUTarget &target,
                                             std::optional<RegisterTile> tile,
                                             int64_t threads,
                                             int64_t minParallelWork);

/// Plan for any other op: vectorized along one contiguous dimension, every
/// other dimension one iteration at a time, reductions innermost.
KernelPlan planElementwise(linalg::LinalgOp op, const CPUTarget &target,
                           int64_t threads, int64_t minParallelWork,
                           int64_t expected);

/// Makes the lane dimension of an elementwise or reduction generic its
/// innermost loop (see KernelPlan.cpp).
linalg::LinalgOp moveLaneDimLast(RewriterBase &rewriter, linalg::LinalgOp op,
                                 int64_t expected, int64_t lanes);

/// A plan as the dictionary of kPlan, numbered `kernel`, and back. The
/// dictionary holds every field but `vectorize` (only vectorized kernels get
/// one); planFromAttr fails on a dictionary it did not write.
DictionaryAttr planToAttr(MLIRContext *ctx, const KernelPlan &plan,
                          int64_t kernel);
FailureOr<KernelPlan> planFromAttr(DictionaryAttr attr);

/// The plan stage: widens narrow row operands, forms the fusion groups
/// (formFusionGroups), plans every group's root and writes the plans as
/// attributes: kPlan (and kLaneReduction) on each root to vectorize,
/// kFusedInto on the ops fused into it.
void planKernels(RewriterBase &rewriter, func::FuncOp func,
                 const CodegenOptions &options);

//===----------------------------------------------------------------------===//
// Fusion groups (Fusion.cpp)
//===----------------------------------------------------------------------===//

/// FusionGroup::streamBlock when the pass's stream-block applies.
inline constexpr int64_t kStreamByOption = -2;

struct FusionGroup {
  linalg::LinalgOp root;
  linalg::LinalgOp initializer;
  SmallVector<linalg::LinalgOp> consumers;
  /// The root's stream-block, where it is decided per group (one version
  /// of a contraction whose streaming depends on a dynamic extent).
  int64_t streamBlock = kStreamByOption;
};

/// A buffer that no other Value aliases: a function argument or an
/// allocation.
bool isRootBuffer(Value v);

/// The next (or previous) op in the block that touches memory, skipping
/// pure ops such as constants and views.
Operation *adjacentMemoryOp(Operation *op, bool forward);

/// An elementwise op writing all of `buffer` from values it does not read
/// from `buffer`, with the same iteration space: a fill, a broadcast of a
/// bias.
bool isInitializerOf(linalg::LinalgOp p, Value buffer);

/// Decides the kernels of `func` on its untouched IR, in program order: each
/// op with reductions claims its initializer and (contractions) its
/// pointwise consumers, streamed contractions claim none, streaming decided
/// at run time puts both versions under an scf.if, and a group's dimensions
/// are collapsed where they can be. Returns the groups in program order;
/// `fused` holds the ops claimed by a group's root.
SmallVector<FusionGroup> formFusionGroups(RewriterBase &rewriter,
                                          func::FuncOp func,
                                          const CodegenOptions &options,
                                          DenseSet<Operation *> &fused);

/// Creates the tile of `op` (whose iteration space is the accumulator
/// buffer's index space) that covers the same elements as `tiledRoot`'s
/// output, at the current insertion point.
LogicalResult tileAlong(RewriterBase &rewriter, linalg::LinalgOp op,
                        linalg::LinalgOp tiledRoot, Value rootBuffer);

//===----------------------------------------------------------------------===//
// Tiling (Tiling.cpp)
//===----------------------------------------------------------------------===//

/// Tiles `op` by `tiles` with its loops in `order` (then the other
/// dimensions), erases it and returns the tile; appends the loops to `loops`.
FailureOr<linalg::LinalgOp>
tileWith(RewriterBase &rewriter, linalg::LinalgOp op, ArrayRef<int64_t> tiles,
         ArrayRef<int64_t> order, scf::SCFTilingOptions::LoopType loopType,
         SmallVectorImpl<LoopLikeOpInterface> *loops = nullptr);

/// Tiles every dynamic dimension of `op` by 1 (parallel ones, and with
/// `reductions` reduction ones too).
FailureOr<linalg::LinalgOp> tileDynamicDimsByOne(RewriterBase &rewriter,
                                                 linalg::LinalgOp op,
                                                 bool reductions);

/// Peels the last partial iteration of every loop nested in `root` (and
/// `root` itself) whose trip count is dynamic or not a multiple of its step.
void peelPartialTiles(RewriterBase &rewriter, Operation *root);

/// Folds the sizes and views of tiles to constants where they are.
LogicalResult cleanupTiles(func::FuncOp func, std::string &why);

/// The fusion stage: reads the plans and fused ops that planKernels wrote,
/// tiles every root by its plan and fuses its group into the tile. Marks the
/// tiles and their outermost loops for the next stages.
LogicalResult tileAndFuseKernels(RewriterBase &rewriter, func::FuncOp func,
                                 std::string &why);

/// The tile stage: peels the loops of every kernel (kPeelRoot).
void peelKernels(RewriterBase &rewriter, func::FuncOp func);

//===----------------------------------------------------------------------===//
// Register tiles (RegisterTiling.cpp)
//===----------------------------------------------------------------------===//

/// Copies the column panel that `op` reads from its input `bInput` into a
/// contiguous buffer and makes `op` read the copy.
LogicalResult packPanel(RewriterBase &rewriter, linalg::LinalgOp op,
                        unsigned bInput, const KernelPlan &plan,
                        int64_t kExtent);

/// The widest piece of at most one register that divides `size`.
int64_t registerPiece(int64_t size, int64_t lanes);

/// The vectorize stage: tiles the reduction dimensions of every kReduceLater
/// op, the dynamic remainders by unit tiles, and vectorizes every kVectorize
/// tile.
LogicalResult vectorizeTiles(RewriterBase &rewriter, func::FuncOp func,
                             std::string &why);

/// The register stage: unrolls every vector op to one register (pairs of
/// bf16 reduction steps stay together with `bf16Dot`), folds unit
/// dimensions, and keeps the accumulator tiles of kAccLoop loops in
/// registers.
LogicalResult tileToRegisters(RewriterBase &rewriter, func::FuncOp func,
                              int64_t lanes, bool bf16Dot, std::string &why);

/// Prefetches the rows that kAccLoop loops stream, `distance` iterations
/// ahead (none if `distance` <= 0).
void insertPrefetches(RewriterBase &rewriter, func::FuncOp func,
                      int64_t distance);

/// Prefetches the next reduction block of streamed contractions (kStream
/// loops) in memory order.
void insertStreamPrefetches(RewriterBase &rewriter, func::FuncOp func);

//===----------------------------------------------------------------------===//
// Vector patterns (VectorPatterns.cpp)
//===----------------------------------------------------------------------===//

/// A transfer_read that broadcasts becomes a narrower read, a shape_cast and
/// a stretching broadcast (see VectorPatterns.cpp).
void populateTransferReadBroadcastToStretchPattern(RewritePatternSet &patterns,
                                                   PatternBenefit benefit);

/// Store-to-load forwarding and dead-store removal between the vector
/// transfers of one block.
void forwardTransfersInBlocks(RewriterBase &rewriter, func::FuncOp func);

/// The vector stage's lowering: forwards transfers within blocks, lowers
/// horizontal reductions, contractions (to FMAs, or vdpbf16ps with
/// `bf16Dot`), transfers, broadcasts and shape casts to one-register ops, and
/// exp/tanh/erf to polynomials.
LogicalResult lowerVectorOps(RewriterBase &rewriter, func::FuncOp func,
                             int64_t lanes, bool bf16Dot, std::string &why);

//===----------------------------------------------------------------------===//
// The pass (CPUCodegenPass.cpp)
//===----------------------------------------------------------------------===//

/// Applies one stage's patterns with a bound on the number of rewrites; on
/// failure `why` names the stage.
LogicalResult applyStage(func::FuncOp func, RewritePatternSet &&patterns,
                         StringRef stage, std::string &why);

} // namespace mlir::softmoe::codegen

#endif // SOFTMOE_LIB_CODEGEN_CPUCODEGEN_H
