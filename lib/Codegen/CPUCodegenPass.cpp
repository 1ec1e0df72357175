//===- CPUCodegenPass.cpp - softmoe-cpu-codegen ---------------------------===//
//
// The pass: checks its options, runs the stages of CPUCodegen.h in order
// (plan, fusion, tile, vectorize, register, vector), or up to `stop-after`,
// and keeps the one fallback seam: a function whose code generation fails
// is restored as it was, for the loop lowering.
//
//===----------------------------------------------------------------------===//

#include "CPUCodegen.h"

#include "mlir/IR/OwningOpRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOECPUCODEGEN
#include "softmoe/Codegen/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;
using namespace mlir::softmoe::codegen;

/// Applies one stage's patterns with a bound on the number of rewrites, so
/// that two patterns undoing each other end in a diagnostic naming the stage
/// instead of growing the IR until memory runs out.
LogicalResult codegen::applyStage(func::FuncOp func,
                                  RewritePatternSet &&patterns, StringRef stage,
                                  std::string &why) {
  int64_t ops = 0;
  func.walk([&](Operation *) { ++ops; });
  GreedyRewriteConfig config;
  // Unrolling to registers is the biggest legitimate expansion: a few
  // dozen rewrites per op of the input is above it.
  config.setMaxNumRewrites(std::max<int64_t>(50000, 50 * ops));
  if (succeeded(applyPatternsGreedily(func, std::move(patterns), config)))
    return success();
  why = ("the " + stage + " patterns did not converge").str();
  return failure();
}

namespace {

/// The stages, in the order they run (CPUCodegen.h).
enum class Stage { Plan, Fusion, Tile, Vectorize, Register, Vector };

constexpr llvm::StringLiteral kStageNames =
    "plan, fusion, tile, vectorize, register, vector";

/// The stage `stop-after` names; none (the empty string) runs them all.
std::optional<Stage> parseStage(StringRef name) {
  return llvm::StringSwitch<std::optional<Stage>>(name)
      .Case("plan", Stage::Plan)
      .Case("fusion", Stage::Fusion)
      .Case("tile", Stage::Tile)
      .Case("vectorize", Stage::Vectorize)
      .Case("register", Stage::Register)
      .Cases({"vector", ""}, Stage::Vector)
      .Default(std::nullopt);
}

struct CPUCodegenPass : softmoe::impl::SoftMoECPUCodegenBase<CPUCodegenPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Runs the stages up to `stop`; on failure `why` says why, if known.
  LogicalResult generate(RewriterBase &rewriter, const CodegenOptions &options,
                         Stage stop, std::string &why);
};

} // namespace

void CPUCodegenPass::runOnOperation() {
  func::FuncOp func = getOperation();
  IRRewriter rewriter(&getContext());

  std::optional<CPUTarget> cpuTarget = CPUTarget::get(cpu);
  if (!cpuTarget) {
    func.emitError() << "softmoe-cpu-codegen: unknown cpu '" << cpu
                     << "' (expected " << CPUTarget::knownNames() << ")";
    return signalPassFailure();
  }
  std::optional<RegisterTile> tileOverride;
  if (!registerTile.empty()) {
    int64_t mr = 0, nr = 0;
    StringRef s(registerTile);
    auto [a, b] = s.split('x');
    if (a.getAsInteger(10, mr) || b.getAsInteger(10, nr) || mr <= 0 ||
        nr <= 0) {
      func.emitError() << "softmoe-cpu-codegen: register-tile '" << registerTile
                       << "' is not MRxNR (e.g. 8x48)";
      return signalPassFailure();
    }
    tileOverride = RegisterTile{mr, nr};
  }
  std::optional<Stage> stop = parseStage(stopAfter);
  if (!stop) {
    func.emitError() << "softmoe-cpu-codegen: stop-after must be one of "
                     << kStageNames << ", not '" << stopAfter << "'";
    return signalPassFailure();
  }
  if (threads < 1) {
    func.emitError() << "softmoe-cpu-codegen: threads must be >= 1";
    return signalPassFailure();
  }
  if (expectedSize < 1) {
    func.emitError() << "softmoe-cpu-codegen: expected-size must be >= 1";
    return signalPassFailure();
  }
  int64_t expectedExtent = expectedSize;
  if (Attribute a = func->getAttr(kExpectedSizeAttr)) {
    auto i = dyn_cast<IntegerAttr>(a);
    if (!i || i.getInt() < 1) {
      func.emitError() << "softmoe-cpu-codegen: " << kExpectedSizeAttr
                       << " must be a positive integer";
      return signalPassFailure();
    }
    expectedExtent = i.getInt();
  }

  // Code generation either completes or leaves the function as it was: the
  // loop lowering after this pass still handles every linalg op, so an
  // unexpected IR shape costs speed, never correctness.
  CodegenOptions options;
  options.target = &*cpuTarget;
  options.tileOverride = tileOverride;
  options.threads = threads;
  options.minParallelWork = minParallelWork;
  options.streamBlock = streamBlock;
  options.packPanels = packPanels;
  options.expected = expectedExtent;
  OwningOpRef<func::FuncOp> backup = func.clone();
  std::string failureReason;
  if (succeeded(generate(rewriter, options, *stop, failureReason)))
    return;
  func.getBody().takeBody(backup->getBody());
  emitWarning(func.getLoc())
      << "softmoe-cpu-codegen: "
      << (failureReason.empty() ? "code generation failed" : failureReason)
      << "; the function is left to the loop lowering";
}

LogicalResult CPUCodegenPass::generate(RewriterBase &rewriter,
                                       const CodegenOptions &options,
                                       Stage stop, std::string &why) {
  func::FuncOp func = getOperation();
  planKernels(rewriter, func, options);
  if (stop == Stage::Plan)
    return success();
  if (failed(tileAndFuseKernels(rewriter, func, why)))
    return failure();
  if (stop == Stage::Fusion)
    return success();
  peelKernels(rewriter, func);
  if (stop == Stage::Tile)
    return success();
  if (failed(vectorizeTiles(rewriter, func, why)))
    return failure();
  if (stop == Stage::Vectorize)
    return success();
  const CPUTarget &cpu = *options.target;
  if (failed(tileToRegisters(rewriter, func, cpu.f32Lanes(), cpu.hasAVX512BF16,
                             why)))
    return failure();
  if (stop == Stage::Register)
    return success();
  if (failed(lowerVectorOps(rewriter, func, cpu.f32Lanes(), cpu.hasAVX512BF16,
                            why)))
    return failure();
  insertPrefetches(rewriter, func, prefetchDistance);
  if (streamPrefetch)
    insertStreamPrefetches(rewriter, func);
  func.walk([](Operation *op) {
    op->removeAttr(kAccLoop);
    op->removeAttr(kStream);
  });
  return success();
}
