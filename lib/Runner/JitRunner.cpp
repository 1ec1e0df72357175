//===- JitRunner.cpp - JIT-compile and call tensor functions --------------===//
//
// Calling convention: with `llvm.emit_c_interface`, func-to-llvm emits
// `_mlir_ciface_NAME`, which takes a pointer to a memref descriptor per
// argument and, when the function has results, first a pointer to the result
// descriptor (one result) or to a struct of result descriptors (several).
// A rank-R descriptor is {allocated ptr, aligned ptr, offset, sizes[R],
// strides[R]}, all 8-byte fields, so a struct of them has no padding. The
// ExecutionEngine wraps every function in `_mlir_NAME(void **args)`, where
// args[i] points at the i-th argument of NAME (here: at a descriptor pointer).
//
//===----------------------------------------------------------------------===//

#include "softmoe/Runner/JitRunner.h"

#include "JitMemory.h"

#include "softmoe/Codegen/CPUTarget.h"
#include "softmoe/InitSoftMoE.h"

#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <numeric>

using llvm::createStringError;
using llvm::Error;
using llvm::Expected;
using llvm::toString;
using namespace mlir;
using namespace mlir::softmoe;

#ifndef SOFTMOE_LLVM_LIBRARY_DIR
#error                                                                         \
    "SOFTMOE_LLVM_LIBRARY_DIR must name the folder of the MLIR runtime libraries"
#endif

void mlir::softmoe::registerRunnerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerSoftMoEDialects(registry);
  registerSoftMoEPipelineExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
}

double mlir::softmoe::nowMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
}

static std::string typeToString(Type type) {
  std::string s;
  llvm::raw_string_ostream os(s);
  type.print(os);
  return s;
}

//===----------------------------------------------------------------------===//
// Signatures
//===----------------------------------------------------------------------===//

static Expected<TensorSignature> tensorSignature(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  std::optional<ElementKind> kind =
      ranked ? elementKindOf(ranked.getElementType()) : std::nullopt;
  if (!kind)
    return createStringError("has type " + typeToString(type) +
                             "; only ranked tensors of f32, bf16, f16 or i1 "
                             "can cross the boundary of compiled code");
  TensorSignature sig;
  sig.kind = *kind;
  sig.shape.assign(ranked.getShape().begin(), ranked.getShape().end());
  sig.typeString = typeToString(type);
  return sig;
}

static Expected<func::FuncOp> findEntry(ModuleOp module, StringRef entry) {
  SmallVector<func::FuncOp> defined;
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isDeclaration())
      defined.push_back(fn);
  auto names = [&] {
    std::string s;
    for (func::FuncOp fn : defined)
      s += (s.empty() ? "" : ", ") + fn.getSymName().str();
    return s.empty() ? std::string("none") : s;
  };
  if (entry.empty()) {
    SmallVector<func::FuncOp> publics;
    for (func::FuncOp fn : defined)
      if (fn.isPublic())
        publics.push_back(fn);
    if (publics.size() != 1)
      return createStringError(
          "the module has " + Twine(publics.size()) +
          " public functions; name the one to run with --entry (functions: " +
          names() + ")");
    return publics.front();
  }
  auto fn = module.lookupSymbol<func::FuncOp>(entry);
  if (!fn || fn.isDeclaration())
    return createStringError("the module has no func.func named '" + entry +
                             "' with a body (functions: " + names() + ")");
  return fn;
}

ArgumentNames mlir::softmoe::collectArgumentNames(ModuleOp module,
                                                  const AsmParserState &state) {
  ArgumentNames names;
  for (func::FuncOp fn : module.getOps<func::FuncOp>()) {
    if (fn.isDeclaration())
      continue;
    const AsmParserState::BlockDefinition *def =
        state.getBlockDef(&fn.getBody().front());
    if (!def || def->arguments.size() != fn.getNumArguments())
      continue;
    SmallVector<std::string> &list = names[fn.getSymName()];
    for (const AsmParserState::SMDefinition &arg : def->arguments) {
      const char *begin = arg.loc.Start.getPointer();
      const char *end = arg.loc.End.getPointer();
      StringRef text =
          begin && end > begin ? StringRef(begin, end - begin) : StringRef();
      // The range covers the SSA name, `%phi`; anything else is not a name.
      list.push_back(text.starts_with("%") ? text.str() : std::string());
    }
  }
  return names;
}

std::string mlir::softmoe::describeArgument(const FunctionSignature &sig,
                                            unsigned index) {
  std::string count =
      (Twine(index + 1) + " of " + Twine(sig.args.size())).str();
  const std::string &name = sig.args[index].name;
  return name.empty() ? "argument " + count
                      : "argument " + name + " (" + count + ")";
}

Expected<FunctionSignature>
mlir::softmoe::getFunctionSignature(ModuleOp module, StringRef entry,
                                    const ArgumentNames *names) {
  Expected<func::FuncOp> fnOr = findEntry(module, entry);
  if (!fnOr)
    return fnOr.takeError();
  func::FuncOp fn = *fnOr;
  FunctionSignature sig;
  sig.name = fn.getSymName().str();
  ArrayRef<std::string> argNames;
  if (names) {
    auto it = names->find(sig.name);
    if (it != names->end() && it->second.size() == fn.getNumArguments())
      argNames = it->second;
  }
  // Every argument's signature first, so that describeArgument can count.
  std::optional<std::pair<unsigned, std::string>> bad;
  for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes())) {
    Expected<TensorSignature> t = tensorSignature(type);
    if (t) {
      sig.args.push_back(std::move(*t));
    } else {
      std::string msg = toString(t.takeError());
      if (!bad)
        bad.emplace(i, std::move(msg));
      sig.args.emplace_back();
    }
    if (!argNames.empty())
      sig.args.back().name = argNames[i];
  }
  if (bad)
    return createStringError("@" + sig.name + ": " +
                             describeArgument(sig, bad->first) + " " +
                             bad->second);
  unsigned numResults = fn.getNumResults();
  for (auto [i, type] : llvm::enumerate(fn.getResultTypes())) {
    Expected<TensorSignature> t = tensorSignature(type);
    if (!t)
      return createStringError("@" + sig.name + ": result " + Twine(i + 1) +
                               " of " + Twine(numResults) + " " +
                               toString(t.takeError()));
    sig.results.push_back(std::move(*t));
  }
  return sig;
}

bool mlir::softmoe::specializeArgumentShapes(
    ModuleOp module, FunctionSignature &sig,
    ArrayRef<SmallVector<int64_t>> shapes) {
  auto func = module.lookupSymbol<func::FuncOp>(sig.name);
  if (!func || func.isExternal() || shapes.size() != sig.args.size() ||
      shapes.size() != func.getNumArguments() ||
      !SymbolTable::symbolKnownUseEmpty(func, module))
    return false;
  // A model of softmoe ops alone has not loaded the tensor dialect yet.
  module.getContext()->getOrLoadDialect<tensor::TensorDialect>();
  Block &entry = func.getBody().front();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  SmallVector<Type> inputs(func.getArgumentTypes());
  bool changed = false;
  for (auto [i, arg] : llvm::enumerate(entry.getArguments())) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (!type || type.hasStaticShape() ||
        shapes[i].size() != size_t(type.getRank()))
      continue;
    auto fixed = RankedTensorType::get(shapes[i], type.getElementType(),
                                       type.getEncoding());
    arg.setType(fixed);
    auto cast = tensor::CastOp::create(b, func.getLoc(), type, arg);
    arg.replaceAllUsesExcept(cast.getResult(), cast);
    inputs[i] = fixed;
    sig.args[i].shape.assign(shapes[i].begin(), shapes[i].end());
    llvm::raw_string_ostream os(sig.args[i].typeString);
    sig.args[i].typeString.clear();
    fixed.print(os);
    changed = true;
  }
  if (changed)
    func.setType(
        FunctionType::get(func.getContext(), inputs, func.getResultTypes()));
  return changed;
}

Error mlir::softmoe::checkArgument(const FunctionSignature &fsig,
                                   unsigned index, ElementKind kind,
                                   ArrayRef<int64_t> shape, StringRef what) {
  const TensorSignature &sig = fsig.args[index];
  std::string arg = describeArgument(fsig, index);
  if (kind != sig.kind)
    return createStringError(what + ": element type " + elementKindName(kind) +
                             " does not match " + arg + ", which expects " +
                             sig.typeString);
  if (shape.size() != sig.shape.size())
    return createStringError(what + ": shape " + formatShape(shape) +
                             " has rank " + Twine(shape.size()) + ", but " +
                             arg + " expects " + sig.typeString + ", of rank " +
                             Twine(sig.shape.size()));
  for (auto [d, pair] : llvm::enumerate(llvm::zip(shape, sig.shape))) {
    auto [got, want] = pair;
    if (!ShapedType::isDynamic(want) && got != want)
      return createStringError(what + ": shape " + formatShape(shape) +
                               " does not match " + arg + ", which expects " +
                               sig.typeString + ": dim " + Twine(d) + " is " +
                               Twine(got) + ", expected " + Twine(want));
  }
  return Error::success();
}

Error mlir::softmoe::checkShapesAgainstOps(
    ModuleOp module, StringRef entry, ArrayRef<SmallVector<int64_t>> shapes) {
  Expected<func::FuncOp> fnOr = findEntry(module, entry);
  if (!fnOr)
    return fnOr.takeError();
  if (shapes.size() != fnOr->getNumArguments())
    return createStringError("expected " + Twine(fnOr->getNumArguments()) +
                             " inputs, got " + Twine(shapes.size()));
  MLIRContext *ctx = module.getContext();
  OwningOpRef<func::FuncOp> copy = fnOr->clone();
  for (auto [arg, shape] :
       llvm::zip(copy->getBody().front().getArguments(), shapes)) {
    auto type = cast<ShapedType>(arg.getType());
    arg.setType(RankedTensorType::get(shape, type.getElementType()));
  }

  DiagnosticCollector diags(ctx);
  WalkResult result = copy->walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (auto castOp = dyn_cast<tensor::CastOp>(op)) {
      if (!tensor::CastOp::areCastCompatible(castOp.getSource().getType(),
                                             castOp.getType())) {
        op->emitError() << "an input of shape " << castOp.getSource().getType()
                        << " is cast to " << castOp.getType();
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    }
    Dialect *dialect = op->getDialect();
    auto infer = dyn_cast<InferTypeOpInterface>(op);
    if (!dialect || dialect->getNamespace() != "softmoe" || !infer)
      return WalkResult::advance();
    SmallVector<Type> inferred;
    if (failed(infer.inferReturnTypes(
            ctx, op->getLoc(), op->getOperands(), op->getRawDictionaryAttrs(),
            op->getPropertiesStorage(), op->getRegions(), inferred)))
      return WalkResult::interrupt();
    // Later ops see the refined (now static) types.
    for (auto [res, type] : llvm::zip(op->getResults(), inferred))
      res.setType(type);
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    return createStringError("the input shapes do not fit the model: " +
                             diags.getText());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// JIT compilation
//===----------------------------------------------------------------------===//

JitFunction::JitFunction() { jit_memory::retainCache(); }

JitFunction::~JitFunction() { jit_memory::releaseCache(); }

/// The runtime libraries that the lowered module calls into.
static Expected<SmallVector<std::string>> runtimeLibraries(ModuleOp module) {
  bool needsOmp = false, needsAsync = false, needsMpi = false;
  module.walk([&](Operation *op) {
    // omp.parallel and friends become __kmpc_* calls only when the module is
    // translated to LLVM IR, after this check.
    needsOmp |= op->getDialect() &&
                op->getDialect()->getNamespace() == "omp";
    auto fn = dyn_cast<LLVM::LLVMFuncOp>(op);
    if (!fn || !fn.isExternal())
      return;
    StringRef name = fn.getSymName();
    needsOmp |= name.starts_with("__kmpc_") || name.starts_with("omp_");
    needsAsync |= name.starts_with("mlirAsync");
    needsMpi |= name.starts_with("MPI_");
  });
  SmallVector<std::string> libs;
  auto add = [&](StringRef file, StringRef why) -> Error {
    llvm::SmallString<128> path(SOFTMOE_LLVM_LIBRARY_DIR);
    llvm::sys::path::append(path, file);
    if (!llvm::sys::fs::exists(path))
      return createStringError("the compiled code needs " + why + " but " +
                               path + " does not exist");
    libs.push_back(path.str().str());
    return Error::success();
  };
  // memrefCopy and friends: finalize-memref-to-llvm calls them for copies of
  // non-contiguous memrefs.
  if (Error err = add("libmlir_c_runner_utils.so", "the MLIR C runner utils"))
    return std::move(err);
  if (needsOmp)
    if (Error err = add("libomp.so", "the OpenMP runtime (libomp-22-dev)"))
      return std::move(err);
  if (needsAsync)
    if (Error err = add("libmlir_async_runtime.so", "the MLIR async runtime"))
      return std::move(err);
  // Expert-parallel layers call MPI (MPICH ABI). The process that runs them
  // has called MPI_Init through the same library (the dynamic loader hands
  // back the copy already loaded).
  if (needsMpi) {
#ifdef SOFTMOE_MPI_LIBRARY
    libs.push_back(SOFTMOE_MPI_LIBRARY);
#else
    return createStringError("the compiled code calls MPI, but this build "
                             "found no MPICH library (install libmpich-dev "
                             "and reconfigure)");
#endif
  }
  return libs;
}

Expected<std::unique_ptr<JitFunction>>
JitFunction::compile(ModuleOp module, const FunctionSignature &sig,
                     function_ref<void(OpPassManager &)> buildPipeline,
                     const JitOptions &options) {
  MLIRContext *ctx = module.getContext();
  std::unique_ptr<JitFunction> fn(new JitFunction());
  fn->sig = sig;

  double start = nowMs();
  {
    DiagnosticCollector diags(ctx);
    PassManager pm = PassManager::on<ModuleOp>(ctx);
    buildPipeline(pm);
    if (failed(pm.run(module)))
      return createStringError("lowering @" + sig.name +
                               " failed: " + diags.getText());
  }
  fn->pipelineMs = nowMs() - start;

  std::string wrapper = "_mlir_ciface_" + sig.name;
  auto wrapperFn = module.lookupSymbol<LLVM::LLVMFuncOp>(wrapper);
  if (!wrapperFn)
    return createStringError("the lowered module has no " + wrapper +
                             " (the pipeline must emit C interfaces)");
  unsigned expectedParams = sig.args.size() + (sig.results.empty() ? 0 : 1);
  if (wrapperFn.getNumArguments() != expectedParams)
    return createStringError(wrapper + " takes " +
                             Twine(wrapperFn.getNumArguments()) +
                             " parameters, expected " + Twine(expectedParams) +
                             " (a result pointer and one descriptor pointer "
                             "per argument)");

  Expected<SmallVector<std::string>> libs = runtimeLibraries(module);
  if (!libs)
    return libs.takeError();
  for (const std::string &lib : options.sharedLibs)
    libs->push_back(lib);
  SmallVector<StringRef> libRefs(libs->begin(), libs->end());

  start = nowMs();
  static bool targetsReady = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    jit_memory::configureMalloc();
    return true;
  }();
  (void)targetsReady;
  Expected<llvm::orc::JITTargetMachineBuilder> tmBuilder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!tmBuilder)
    return createStringError("cannot set up the host target: " +
                             toString(tmBuilder.takeError()));
  if (options.cpu != "host") {
    std::optional<CPUTarget> target = CPUTarget::get(options.cpu);
    if (!target)
      return createStringError("unknown CPU target '" + options.cpu +
                               "' (known: " + CPUTarget::knownNames() + ")");
    tmBuilder->setCPU(target->llvmCPU.empty() ? "generic" : target->llvmCPU);
    tmBuilder->setFeatures(target->llvmFeatures);
  }
  llvm::CodeGenOptLevel cgLevel =
      options.optLevel >= 3   ? llvm::CodeGenOptLevel::Aggressive
      : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
      : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
                              : llvm::CodeGenOptLevel::None;
  tmBuilder->setCodeGenOptLevel(cgLevel);
  Expected<std::unique_ptr<llvm::TargetMachine>> tm =
      tmBuilder->createTargetMachine();
  if (!tm)
    return createStringError("cannot create the host target machine: " +
                             toString(tm.takeError()));
  // The optimizer needs the host target machine for its cost models (vector
  // widths), or the loop vectorizer stays conservative.
  auto transformer = makeOptimizingTransformer(options.optLevel,
                                               /*sizeLevel=*/0, tm->get());
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = cgLevel;
  engineOptions.sharedLibPaths = libRefs;
  engineOptions.enableGDBNotificationListener = false;
  // SOFTMOE_JIT_PERF=1 writes a jitdump for `perf inject --jit`, so that perf
  // can attribute samples to the compiled kernels (see docs/benchmarks.md).
  const char *perfEnv = std::getenv("SOFTMOE_JIT_PERF");
  engineOptions.enablePerfNotificationListener =
      perfEnv && StringRef(perfEnv) != "0";
  Expected<std::unique_ptr<ExecutionEngine>> engine =
      ExecutionEngine::create(module, engineOptions, std::move(*tm));
  if (!engine)
    return createStringError("JIT compilation of @" + sig.name +
                             " failed: " + toString(engine.takeError()));
  fn->engine = std::move(*engine);
  // The lowered code calls malloc for its buffers and uses the result
  // unchecked, and frees its scratch on return: both go to JitMemory.cpp,
  // which exits with one error line on a failed allocation (nothing has been
  // written yet, and outputs are written atomically after the call) and keeps
  // large blocks across calls. Defined in the main JITDylib, they take
  // precedence over the process's malloc and free for the JIT'd code only.
  fn->engine->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("malloc")] = {
        llvm::orc::ExecutorAddr::fromPtr(&jit_memory::allocate),
        llvm::JITSymbolFlags::Exported};
    symbols[interner("free")] = {
        llvm::orc::ExecutorAddr::fromPtr(&jit_memory::release),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
  // Looking the wrapper up materialises (compiles) the code, so codegen time
  // is all in codegenMs and none in the first call.
  Expected<void (*)(void **)> packed = fn->engine->lookupPacked(wrapper);
  if (!packed)
    return createStringError("JIT lookup of " + wrapper +
                             " failed: " + toString(packed.takeError()));
  fn->packed = *packed;
  fn->engine->initialize();
  fn->codegenMs = nowMs() - start;
  return std::move(fn);
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

/// The memory of one call: argument descriptors and the result struct.
struct JitFunction::CallFrame {
  SmallVector<SmallVector<int64_t>> argDescs;
  SmallVector<void *> argDescPtrs;
  SmallVector<int64_t> resultWords;
  void *resultPtr = nullptr;
  SmallVector<void *> packedArgs;
  SmallVector<std::pair<const char *, const char *>> inputRanges;
};

static int64_t pointerWord(const void *p) {
  return static_cast<int64_t>(reinterpret_cast<intptr_t>(p));
}
static char *wordPointer(int64_t w) {
  return reinterpret_cast<char *>(static_cast<intptr_t>(w));
}

void JitFunction::invoke(CallFrame &frame) { packed(frame.packedArgs.data()); }

Expected<SmallVector<HostTensor>>
JitFunction::collectResults(CallFrame &frame) {
  SmallVector<HostTensor> results;
  size_t offset = 0;
  for (auto [i, rsig] : llvm::enumerate(sig.results)) {
    size_t rank = rsig.shape.size();
    ArrayRef<int64_t> words(frame.resultWords.data() + offset, 3 + 2 * rank);
    offset += 3 + 2 * rank;
    char *aligned = wordPointer(words[1]);
    int64_t elemOffset = words[2];
    ArrayRef<int64_t> sizes = words.slice(3, rank);
    ArrayRef<int64_t> strides = words.slice(3 + rank, rank);
    for (auto [d, size] : llvm::enumerate(sizes))
      if (size < 0 ||
          (!ShapedType::isDynamic(rsig.shape[d]) && size != rsig.shape[d]))
        return createStringError("result " + Twine(i) +
                                 " came back with shape " + formatShape(sizes) +
                                 ", which does not fit " + rsig.typeString);
    Expected<HostTensor> tensor = HostTensor::allocate(rsig.kind, sizes);
    if (!tensor)
      return createStringError("result " + Twine(i) + ": " +
                               toString(tensor.takeError()));
    if (tensor->getNumElements() > 0 && !aligned)
      return createStringError("result " + Twine(i) +
                               " came back with a null buffer");
    size_t elemSize = elementKindSize(rsig.kind);
    const char *base = aligned + elemOffset * static_cast<int64_t>(elemSize);
    char *out = tensor->data();
    if (tensor->getNumElements() > 0) {
      // Copy row by row; the innermost dimension is usually contiguous.
      SmallVector<int64_t> index(rank, 0);
      int64_t inner = rank ? sizes[rank - 1] : 1;
      bool innerContiguous = rank == 0 || strides[rank - 1] == 1;
      int64_t rows = tensor->getNumElements() / std::max<int64_t>(inner, 1);
      for (int64_t row = 0; row < rows; ++row) {
        int64_t src = 0;
        for (size_t d = 0; d + 1 < rank; ++d)
          src += index[d] * strides[d];
        if (innerContiguous) {
          std::memcpy(out, base + src * elemSize, inner * elemSize);
          out += inner * elemSize;
        } else {
          for (int64_t k = 0; k < inner; ++k, out += elemSize)
            std::memcpy(out, base + (src + k * strides[rank - 1]) * elemSize,
                        elemSize);
        }
        for (int64_t d = static_cast<int64_t>(rank) - 2; d >= 0; --d) {
          if (++index[d] < sizes[d])
            break;
          index[d] = 0;
        }
      }
    }
    results.push_back(std::move(*tensor));
  }
  return results;
}

void JitFunction::freeResults(CallFrame &frame) {
  // The caller owns result buffers, except where a result is a global
  // (memref.get_global marks its allocated pointer 0xdeadbeef) or aliases an
  // input buffer; several results may share one buffer.
  SmallPtrSet<void *, 4> freed;
  size_t offset = 0;
  for (const TensorSignature &rsig : sig.results) {
    char *allocated = wordPointer(frame.resultWords[offset]);
    offset += 3 + 2 * rsig.shape.size();
    if (!allocated || reinterpret_cast<intptr_t>(allocated) == 0xdeadbeef)
      continue;
    bool aliasesInput = llvm::any_of(frame.inputRanges, [&](auto range) {
      return allocated >= range.first && allocated < range.second;
    });
    if (aliasesInput || !freed.insert(allocated).second)
      continue;
    jit_memory::release(allocated);
  }
  std::fill(frame.resultWords.begin(), frame.resultWords.end(), 0);
}

/// Builds the descriptors for `args`, after checking them against `sig`.
static Error buildFrame(
    const FunctionSignature &sig, ArrayRef<const HostTensor *> args,
    SmallVectorImpl<SmallVector<int64_t>> &argDescs,
    SmallVectorImpl<std::pair<const char *, const char *>> &inputRanges) {
  if (args.size() != sig.args.size())
    return createStringError("@" + sig.name + " takes " +
                             Twine(sig.args.size()) + " tensors, got " +
                             Twine(args.size()));
  for (auto [i, arg] : llvm::enumerate(args)) {
    if (Error err = checkArgument(sig, i, arg->getKind(), arg->getShape(),
                                  "@" + sig.name))
      return err;
    SmallVector<int64_t> &desc = argDescs.emplace_back();
    ArrayRef<int64_t> shape = arg->getShape();
    desc.push_back(pointerWord(arg->data()));
    desc.push_back(pointerWord(arg->data()));
    desc.push_back(0);
    desc.append(shape.begin(), shape.end());
    SmallVector<int64_t> strides(shape.size(), 1);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * shape[d + 1];
    desc.append(strides.begin(), strides.end());
    inputRanges.push_back(
        {arg->data(), arg->data() + std::max<size_t>(arg->getNumBytes(), 1)});
  }
  return Error::success();
}

Expected<SmallVector<HostTensor>>
JitFunction::call(ArrayRef<const HostTensor *> args) {
  SmallVector<HostTensor> results;
  Expected<TimingStats> stats = time(args, 0, 1, &results);
  if (!stats)
    return stats.takeError();
  return results;
}

Expected<TimingStats>
JitFunction::time(ArrayRef<const HostTensor *> args, unsigned warmup,
                  unsigned repeat, SmallVectorImpl<HostTensor> *lastResults) {
  if (repeat == 0)
    return createStringError("the repeat count must be at least 1");
  CallFrame frame;
  if (Error err = buildFrame(sig, args, frame.argDescs, frame.inputRanges))
    return std::move(err);
  for (SmallVector<int64_t> &desc : frame.argDescs)
    frame.argDescPtrs.push_back(desc.data());
  size_t resultWords = 0;
  for (const TensorSignature &rsig : sig.results)
    resultWords += 3 + 2 * rsig.shape.size();
  frame.resultWords.assign(resultWords, 0);
  frame.resultPtr = frame.resultWords.data();
  if (!sig.results.empty())
    frame.packedArgs.push_back(&frame.resultPtr);
  for (void *&descPtr : frame.argDescPtrs)
    frame.packedArgs.push_back(&descPtr);

  for (unsigned i = 0; i < warmup; ++i) {
    invoke(frame);
    freeResults(frame);
  }
  TimingStats stats;
  for (unsigned i = 0; i < repeat; ++i) {
    double start = nowMs();
    invoke(frame);
    stats.samplesMs.push_back(nowMs() - start);
    if (i + 1 == repeat && lastResults) {
      Expected<SmallVector<HostTensor>> results = collectResults(frame);
      if (!results) {
        freeResults(frame);
        return results.takeError();
      }
      *lastResults = std::move(*results);
    }
    freeResults(frame);
  }

  SmallVector<double> sorted(stats.samplesMs);
  llvm::sort(sorted);
  size_t n = sorted.size();
  stats.medianMs =
      n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  stats.minMs = sorted.front();
  stats.maxMs = sorted.back();
  stats.meanMs = std::accumulate(sorted.begin(), sorted.end(), 0.0) / n;
  return stats;
}
