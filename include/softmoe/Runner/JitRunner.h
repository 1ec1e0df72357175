//===- JitRunner.h - JIT-compile and call tensor functions ------*- C++ -*-===//
//
// The shared core of softmoe-run and softmoe-bench: read the tensor signature
// of a func.func, check host inputs against it, lower the module with a
// caller-given pass pipeline, JIT it with the MLIR ExecutionEngine, call it
// through its `_mlir_ciface_` wrapper with memref descriptors, copy its
// results out (the caller owns their buffers), and time repeated calls.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_RUNNER_JITRUNNER_H
#define SOFTMOE_RUNNER_JITRUNNER_H

#include "softmoe/Runner/HostTensor.h"
#include "softmoe/Support/DiagnosticCollector.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace mlir {
class AsmParserState;
class DialectRegistry;
class ExecutionEngine;
} // namespace mlir

namespace mlir::softmoe {

/// Adds what the runner needs to parse and JIT a model: every upstream
/// dialect and extension, the softmoe dialect, and the translations to LLVM
/// IR.
void registerRunnerDialects(mlir::DialectRegistry &registry);

/// One tensor argument or result: element kind and shape, with
/// mlir::ShapedType::kDynamic for dynamic dimensions.
struct TensorSignature {
  ElementKind kind;
  llvm::SmallVector<int64_t> shape;
  std::string typeString; // e.g. "tensor<?x16x32xf32>", for messages
  std::string name;       // "%phi" as the source wrote it; empty if unknown
};

struct FunctionSignature {
  std::string name;
  llvm::SmallVector<TensorSignature> args, results;
};

/// The SSA names of the entry-block arguments of each func.func, by symbol
/// name, as the source text wrote them ("%phi"). The parsed IR keeps no
/// names, so they come from the parser's state.
using ArgumentNames = llvm::StringMap<llvm::SmallVector<std::string>>;

/// The argument names of every func.func of `module`, which was parsed with
/// `state` (whose source buffers must still be alive).
ArgumentNames collectArgumentNames(mlir::ModuleOp module,
                                   const mlir::AsmParserState &state);

/// The signature of func.func `entry` of `module`; with an empty `entry`,
/// of its only public function. Every argument and result must be a ranked
/// tensor of f32, bf16, f16 or i1. With `names`, arguments carry their
/// source names, which the messages then use.
llvm::Expected<FunctionSignature>
getFunctionSignature(mlir::ModuleOp module, llvm::StringRef entry,
                     const ArgumentNames *names = nullptr);

/// How messages name argument `index` of `sig`: "argument %phi (2 of 6)",
/// or "argument 2 of 6" without a source name (positions count from 1).
std::string describeArgument(const FunctionSignature &sig, unsigned index);

/// Gives the dynamic dimensions of `sig`'s arguments the sizes of the inputs
/// at hand (`shapes`, one per argument, already checked with checkArgument):
/// each such argument becomes static and is cast back to its dynamic type at
/// the function's entry, so canonicalization makes the whole function static
/// and the CPU code generator's register-tiled kernels apply (with dynamic
/// batch or tokens it falls back to plain loops). Results keep their types.
/// A function that is called from elsewhere in the module is left as it is;
/// returns whether the function was specialized. `sig` is updated.
bool specializeArgumentShapes(mlir::ModuleOp module, FunctionSignature &sig,
                              llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// Checks that a tensor of `kind` and `shape` fits argument `index` of `sig`
/// (static dimensions must match, dynamic ones take any size). `what` names
/// the input and starts the message; the message names the argument (see
/// describeArgument) and its type.
llvm::Error checkArgument(const FunctionSignature &sig, unsigned index,
                          ElementKind kind, llvm::ArrayRef<int64_t> shape,
                          llvm::StringRef what);

/// Checks concrete argument shapes against the shape rules of the softmoe ops
/// of `entry`: the argument types are refined to `shapes` on a copy of the
/// function, and every softmoe op re-infers its result type from them. This
/// catches, before any code runs, dynamic dimensions that agree with the
/// signature but not with each other (e.g. x with M=16 and a mask with M=8),
/// which the compiled code does not check.
llvm::Error
checkShapesAgainstOps(mlir::ModuleOp module, llvm::StringRef entry,
                      llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes);

/// Milliseconds since an arbitrary epoch, from a monotonic clock.
double nowMs();

struct TimingStats {
  double medianMs = 0, minMs = 0, meanMs = 0, maxMs = 0;
  llvm::SmallVector<double> samplesMs;
};

struct JitOptions {
  /// LLVM optimisation level of the JIT (0..3).
  unsigned optLevel = 3;
  /// The CPU the machine code is for: `host`, or a CPUTarget name, whose
  /// LLVM CPU and features then bound what the backend may use (so that
  /// `avx2` kernels get 16 ymm registers, as on an AVX2-only machine, and not
  /// the host's 32 zmm). Must be the pipeline's `cpu`.
  std::string cpu = "host";
  /// Extra shared libraries to load (runtime libraries that the lowered
  /// module needs are found and loaded automatically).
  llvm::SmallVector<std::string> sharedLibs;
};

/// A JIT-compiled function, callable with host tensors.
class JitFunction {
public:
  ~JitFunction();

  /// Lowers `module` in place with the passes `buildPipeline` adds (to the
  /// LLVM dialect, with `llvm.emit_c_interface` on `sig.name`), then
  /// JIT-compiles it. Pass failures come back as one error whose message
  /// holds the diagnostics.
  static llvm::Expected<std::unique_ptr<JitFunction>>
  compile(mlir::ModuleOp module, const FunctionSignature &sig,
          llvm::function_ref<void(mlir::OpPassManager &)> buildPipeline,
          const JitOptions &options = {});

  /// Calls the function once. `args` must match the signature (see
  /// checkArgument); the results are copied into new host tensors and the
  /// buffers the compiled code allocated for them are freed.
  llvm::Expected<llvm::SmallVector<HostTensor>>
  call(llvm::ArrayRef<const HostTensor *> args);

  /// `warmup` untimed calls, then `repeat` (>= 1) timed ones; the results of
  /// the last call go to `lastResults` when it is given.
  llvm::Expected<TimingStats>
  time(llvm::ArrayRef<const HostTensor *> args, unsigned warmup,
       unsigned repeat,
       llvm::SmallVectorImpl<HostTensor> *lastResults = nullptr);

  const FunctionSignature &getSignature() const { return sig; }
  /// Milliseconds spent in the pass pipeline and in LLVM code generation.
  double getPipelineMs() const { return pipelineMs; }
  double getCodegenMs() const { return codegenMs; }

private:
  JitFunction();
  struct CallFrame;
  void invoke(CallFrame &frame);
  llvm::Expected<llvm::SmallVector<HostTensor>>
  collectResults(CallFrame &frame);
  void freeResults(CallFrame &frame);

  FunctionSignature sig;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  void (*packed)(void **) = nullptr;
  double pipelineMs = 0, codegenMs = 0;
};

} // namespace mlir::softmoe

#endif // SOFTMOE_RUNNER_JITRUNNER_H
