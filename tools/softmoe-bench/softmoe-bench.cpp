//===- softmoe-bench.cpp - Build, compile, run and time one Soft MoE layer ===//
//
// The command-line contract of shared/CONTRACT.md:
//
//   softmoe-bench --batch B --tokens M --dim D --experts N --slots P --hidden H
//                 [--dtype f32|bf16|f16] [--activation
//                 gelu_tanh|gelu_erf|relu|silu]
//                 [--normalize] [--mask] [--threads T] [--repeat R] [--warmup
//                 W]
//                 [--target cpu|cuda] [--inputs DIR] [--save-outputs DIR]
//                 [--seed S] [--aot-out FILE] [--dynamic]
//
// --target cuda compiles the layer with softmoe-gpu-pipeline into a
// self-contained executable (lib/GPU/AOT) and runs it on the local GPU with
// the same inputs and flags, passing its timing on in the JSON line. With
// --aot-out FILE it only writes that executable (no GPU needed); FILE takes
// --inputs/--save-outputs/--repeat/--warmup itself and prints the same JSON.
//
// The layer is built with the C++ op builders (softmoe.layer in a func.func),
// compiled with the project's own pipeline and run on random inputs or on the
// .npy files of --inputs. stdout gets exactly one JSON line; any error is one
// line on stderr and a non-zero exit, and never leaves a partial y.npy.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Codegen/CPUTarget.h"
#include "softmoe/GPU/AotCompiler.h"
#include "softmoe/Pipelines/Pipelines.h"
#include "softmoe/Runner/JitRunner.h"
#include "softmoe/Runner/SoftMoELayer.h"
#include "softmoe/Runner/ToolSupport.h"
#ifdef SOFTMOE_HAVE_CUDA_RUNTIME
#include "softmoe/Runtime/CudaRuntime.h"
#endif

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::softmoe;
using llvm::Error;
using llvm::Expected;

static constexpr llvm::StringLiteral kTool = "softmoe-bench";

/// Exit code of a target that this build does not have.
static constexpr int kExitTargetMissing = 2;

namespace {
llvm::cl::OptionCategory category("softmoe-bench options");

template <typename T> using Opt = llvm::cl::opt<T>;

LayerShape defaults;
Opt<int64_t> batch("batch", llvm::cl::desc("B, groups (sequences)"),
                   llvm::cl::init(defaults.batch), llvm::cl::cat(category));
Opt<int64_t> tokens("tokens", llvm::cl::desc("M, tokens per group"),
                    llvm::cl::init(defaults.tokens), llvm::cl::cat(category));
Opt<int64_t> dim("dim", llvm::cl::desc("D, model width"),
                 llvm::cl::init(defaults.dim), llvm::cl::cat(category));
Opt<int64_t> experts("experts", llvm::cl::desc("N, experts"),
                     llvm::cl::init(defaults.experts), llvm::cl::cat(category));
Opt<int64_t> slots("slots", llvm::cl::desc("P, slots per expert"),
                   llvm::cl::init(defaults.slots), llvm::cl::cat(category));
Opt<int64_t> hidden("hidden", llvm::cl::desc("H, expert MLP width"),
                    llvm::cl::init(defaults.hidden), llvm::cl::cat(category));
Opt<std::string> dtype("dtype",
                       llvm::cl::desc("f32, bf16 or f16 storage of x, phi, "
                                      "scale and the expert weights"),
                       llvm::cl::init("f32"), llvm::cl::cat(category));
Opt<std::string> activation("activation",
                            llvm::cl::desc("gelu_tanh, gelu_erf, relu or silu"),
                            llvm::cl::init("gelu_tanh"),
                            llvm::cl::cat(category));
Opt<bool> normalize("normalize",
                    llvm::cl::desc("l2-normalise tokens and slot parameters "
                                   "(scale = 3 for random inputs)"),
                    llvm::cl::cat(category));
Opt<bool> mask("mask", llvm::cl::desc("Pass a token mask"),
               llvm::cl::cat(category));
/// Set in main (see makeThreadsOption).
llvm::cl::opt<int> *threads;
Opt<int> repeat("repeat", llvm::cl::desc("Timed calls (default 10)"),
                llvm::cl::init(10), llvm::cl::cat(category));
Opt<int> warmup("warmup", llvm::cl::desc("Untimed calls first (default 1)"),
                llvm::cl::init(1), llvm::cl::cat(category));
Opt<std::string> target("target", llvm::cl::desc("cpu or cuda"),
                        llvm::cl::init("cpu"), llvm::cl::cat(category));
Opt<std::string> inputsDir(
    "inputs",
    llvm::cl::desc("Read x phi w1 b1 w2 b2 [scale] [mask] .npy from this "
                   "folder; their shapes override the shape flags"),
    llvm::cl::value_desc("dir"), llvm::cl::cat(category));
Opt<std::string> saveDir("save-outputs",
                         llvm::cl::desc("Write y.npy (float32) to this folder"),
                         llvm::cl::value_desc("dir"), llvm::cl::cat(category));
Opt<std::string> cpu("cpu",
                     llvm::cl::desc("ISA the CPU kernels are tiled for: host "
                                    "(default), avx512, avx512bf16, avx2, "
                                    "sse, generic"),
                     llvm::cl::init("host"), llvm::cl::cat(category));
Opt<std::string> registerTile(
    "register-tile",
    llvm::cl::desc("Override every contraction's register tile, MRxNR "
                   "(default: chosen per shape and cpu)"),
    llvm::cl::init(""), llvm::cl::cat(category));
Opt<int64_t> streamBlock(
    "stream-block",
    llvm::cl::desc("Rows of the weights per reduction block where they are "
                   "streamed from memory: -1 chosen per shape (default), 0 "
                   "never, N every contraction"),
    llvm::cl::init(-1), llvm::cl::cat(category));
Opt<bool> vectorize("vectorize",
                    llvm::cl::desc("Fast CPU kernels (default true); false "
                                   "compiles plain loops"),
                    llvm::cl::init(true), llvm::cl::cat(category));
Opt<bool> dynamicShapes(
    "dynamic",
    llvm::cl::desc("Build the layer with B and M dynamic (?) and compile it "
                   "without the input sizes, as ahead of time (cpu target)"),
    llvm::cl::cat(category));
Opt<uint64_t> seed("seed", llvm::cl::desc("Seed of the random inputs"),
                   llvm::cl::init(0), llvm::cl::cat(category));
Opt<std::string> aotOut(
    "aot-out",
    llvm::cl::desc("With --target cuda: write a self-contained executable "
                   "for this layer (cubins for sm_80 and sm_90 where ptxas "
                   "is found, else PTX) instead of running it"),
    llvm::cl::value_desc("file"), llvm::cl::cat(category));

/// A failure with its exit code.
struct Failure {
  std::string message;
  int exitCode = 1;
};
} // namespace

static Failure fail(Error err) {
  return Failure{llvm::toString(std::move(err)), 1};
}

/// The layer's inputs: read from --inputs (whose files set `config`'s
/// shape), or random for --seed.
static Expected<LayerInputs> layerInputs(LayerConfig &config) {
  return inputsDir.empty() ? makeRandomLayerInputs(config, seed)
                           : loadLayerInputs(inputsDir, config);
}

static Expected<LayerConfig> configFromFlags() {
  LayerConfig config;
  config.shape = {batch, tokens, dim, experts, slots, hidden};
  if (dtype == "f32")
    config.dtype = ElementKind::F32;
  else if (dtype == "bf16")
    config.dtype = ElementKind::BF16;
  else if (dtype == "f16")
    config.dtype = ElementKind::F16;
  else
    return llvm::createStringError("--dtype must be f32, bf16 or f16, not '" +
                                   dtype + "'");
  std::optional<Activation> act = symbolizeActivation(activation);
  if (!act)
    return llvm::createStringError("--activation must be gelu_tanh, gelu_erf, "
                                   "relu or silu, not '" +
                                   activation + "'");
  config.activation = *act;
  config.normalize = normalize;
  config.mask = mask;
  config.dynamicBatchTokens = dynamicShapes;
  if (repeat < 1)
    return llvm::createStringError("--repeat must be at least 1, not " +
                                   llvm::Twine(repeat));
  if (warmup < 0)
    return llvm::createStringError("--warmup must not be negative, not " +
                                   llvm::Twine(warmup));
  if (threads->getNumOccurrences() && threads->getValue() < 1)
    return llvm::createStringError("--threads must be at least 1, not " +
                                   llvm::Twine(threads->getValue()));
  if (target != "cpu" && target != "cuda")
    return llvm::createStringError("--target must be cpu or cuda, not '" +
                                   target + "'");
  // The JIT runs what it compiles here: kernels for a CPU this one is not
  // would stop on an illegal instruction (or fail in LLVM's code generator).
  if (target == "cpu") {
    std::optional<CPUTarget> named = CPUTarget::get(cpu);
    if (!named)
      return llvm::createStringError("--cpu must be " +
                                     CPUTarget::knownNames() + ", not '" +
                                     cpu + "'");
    llvm::SmallVector<std::string> missing = named->missingOnHost();
    if (!missing.empty())
      return llvm::createStringError(
          "--cpu " + cpu + " needs " + llvm::join(missing, ", ") +
          ", which this CPU lacks; name a CPU it has (or host)");
  }
  // With --inputs the files set the shape; the flags are checked otherwise.
  if (inputsDir.empty())
    if (Error err = checkLayerShape(config.shape))
      return std::move(err);
  return config;
}

/// The layer's description for the AOT compiler.
static LayerSpec layerSpec(const LayerConfig &config) {
  LayerSpec spec;
  spec.batch = config.shape.batch;
  spec.tokens = config.shape.tokens;
  spec.dim = config.shape.dim;
  spec.experts = config.shape.experts;
  spec.slots = config.shape.slots;
  spec.hidden = config.shape.hidden;
  spec.dtype = elementKindName(config.dtype).str();
  spec.activation = stringifyActivation(config.activation).str();
  spec.normalize = config.normalize;
  spec.mask = config.mask;
  return spec;
}

/// The attributes every JSON line starts with: the tool, the target and the
/// layer (shape and options), for the CPU and CUDA paths alike.
static void writeLayerAttributes(llvm::json::OStream &json,
                                 llvm::StringRef targetName,
                                 const LayerConfig &config) {
  const LayerShape &s = config.shape;
  json.attribute("tool", kTool);
  json.attribute("target", targetName);
  json.attribute("dtype", elementKindName(config.dtype));
  json.attribute("batch", s.batch);
  json.attribute("tokens", s.tokens);
  json.attribute("dim", s.dim);
  json.attribute("experts", s.experts);
  json.attribute("slots", s.slots);
  json.attribute("hidden", s.hidden);
  json.attribute("activation", stringifyActivation(config.activation));
  json.attribute("normalize", config.normalize);
  json.attribute("mask", config.mask);
}

/// --target cuda: compile to an AOT executable; with --aot-out stop there,
/// else run it here on the same inputs as the CPU target would use.
static std::optional<Failure> runCuda(LayerConfig &config) {
  // Check where the executable goes before spending seconds compiling.
  if (!aotOut.empty()) {
    llvm::StringRef parent = llvm::sys::path::parent_path(aotOut.getValue());
    if (!parent.empty() && !llvm::sys::fs::is_directory(parent))
      return Failure{"--aot-out " + aotOut.getValue() + ": the folder '" +
                         parent.str() + "' does not exist",
                     1};
  }
  // Running here needs a GPU: say so before spending seconds compiling.
  if (aotOut.empty()) {
#ifdef SOFTMOE_HAVE_CUDA_RUNTIME
    char why[1024] = {0};
    if (softmoeCudaInit(why, sizeof(why)) != 0)
      return Failure{std::string("--target cuda needs a GPU: ") + why +
                         " (--aot-out FILE builds an executable without one)",
                     1};
#else
    return Failure{"the cuda target is not built into this softmoe-bench "
                   "(no CUDA toolkit was found when it was configured)",
                   kExitTargetMissing};
#endif
  }
  // --inputs sets the shape; random inputs are written out for the
  // executable, so both targets see the same values for a seed.
  std::optional<LayerInputs> inputs;
  if (!inputsDir.empty() || aotOut.empty()) {
    Expected<LayerInputs> in = layerInputs(config);
    if (!in)
      return fail(in.takeError());
    inputs = std::move(*in);
  }
  if (!saveDir.empty())
    if (Error err = ensureDirectory(saveDir))
      return fail(std::move(err));

  DialectRegistry registry;
  registerRunnerDialects(registry);
  MLIRContext ctx(registry);
  Expected<OwningOpRef<ModuleOp>> module = buildLayerModule(&ctx, config);
  if (!module)
    return fail(module.takeError());

  // The executable: --aot-out, or a temporary file removed afterwards.
  llvm::SmallString<128> exe(aotOut.getValue());
  std::optional<llvm::FileRemover> removeExe;
  if (exe.empty()) {
    if (std::error_code ec = llvm::sys::fs::createTemporaryFile(
            "softmoe-bench-cuda", "", exe))
      return Failure{"cannot create a temporary file: " + ec.message(), 1};
    removeExe.emplace(exe);
  }
  CudaAotOptions options;
  CudaAotResult built;
  std::string error;
  double start = nowMs();
  if (failed(buildCudaAotExecutable(**module, layerSpec(config), options,
                                    std::string(exe), built, error))) {
    bool missing = error.find("runtime library is missing") !=
                   std::string::npos;
    return Failure{error, missing ? kExitTargetMissing : 1};
  }
  double compileMs = nowMs() - start;

  auto writeCommon = [&](llvm::json::OStream &json) {
    writeLayerAttributes(json, "cuda", config);
    json.attribute("compile_ms", compileMs);
    json.attribute("kernels", built.kernels);
  };
  if (!aotOut.empty()) {
    llvm::json::OStream json(llvm::outs());
    json.object([&] {
      writeCommon(json);
      json.attribute("aot_out", aotOut.getValue());
    });
    llvm::outs() << "\n";
    llvm::outs().flush();
    return std::nullopt;
  }

  // Run it on this machine's GPU.
  std::string dir = inputsDir;
  std::optional<llvm::FileRemover> removeFiles[8];
  llvm::SmallString<128> tmpDir;
  if (dir.empty()) {
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory(
            "softmoe-bench-inputs", tmpDir))
      return Failure{"cannot create a temporary folder: " + ec.message(), 1};
    dir = std::string(tmpDir);
    const char *names[] = {"x", "phi", "w1", "b1", "w2", "b2", "scale", "mask"};
    const HostTensor *tensors[] = {
        &inputs->x,  &inputs->phi, &inputs->w1,
        &inputs->b1, &inputs->w2,  &inputs->b2,
        inputs->scale ? &*inputs->scale : nullptr,
        inputs->mask ? &*inputs->mask : nullptr};
    for (unsigned i = 0; i < 8; ++i) {
      if (!tensors[i])
        continue;
      llvm::SmallString<256> path(dir);
      llvm::sys::path::append(path, std::string(names[i]) + ".npy");
      removeFiles[i].emplace(path);
      if (Error err = writeTensorNpy(path, *tensors[i]))
        return fail(std::move(err));
    }
  }
  llvm::SmallString<128> outPath, errPath;
  if (llvm::sys::fs::createTemporaryFile("softmoe-bench-out", "json",
                                         outPath) ||
      llvm::sys::fs::createTemporaryFile("softmoe-bench-err", "txt", errPath))
    return Failure{"cannot create a temporary file", 1};
  llvm::FileRemover removeOut(outPath), removeErr(errPath);
  std::vector<std::string> args = {std::string(exe),
                                   "--inputs",
                                   dir,
                                   "--repeat",
                                   std::to_string(repeat),
                                   "--warmup",
                                   std::to_string(warmup)};
  if (!saveDir.empty()) {
    args.push_back("--save-outputs");
    args.push_back(saveDir);
  }
  llvm::SmallVector<llvm::StringRef> argv(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, outPath.str(),
                                                errPath.str()};
  int rc = llvm::sys::ExecuteAndWait(exe, argv, std::nullopt, redirects);
  if (!tmpDir.empty()) {
    for (auto &r : removeFiles)
      r.reset();
    llvm::sys::fs::remove(tmpDir);
  }
  auto slurp = [](llvm::StringRef path) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
  };
  if (rc != 0) {
    std::string err = slurp(errPath);
    if (llvm::StringRef(err).starts_with("error: "))
      err = err.substr(7);
    return Failure{err.empty() ? "the CUDA executable failed" : err,
                   rc > 0 ? rc : 1};
  }
  Expected<llvm::json::Value> result = llvm::json::parse(slurp(outPath));
  if (!result || !result->getAsObject())
    return Failure{"the CUDA executable printed no JSON object", 1};
  llvm::json::Object &ran = *result->getAsObject();
  llvm::json::OStream json(llvm::outs());
  json.object([&] {
    writeCommon(json);
    json.attribute("inputs", inputsDir.empty() ? std::string("random")
                                               : inputsDir.getValue());
    json.attribute("warmup", static_cast<int64_t>(warmup));
    json.attribute("repeat", static_cast<int64_t>(repeat));
    json.attribute("threads", static_cast<int64_t>(1));
    for (const char *key : {"median_ms", "min_ms", "gflops", "device",
                            "nonfinite_outputs"})
      if (const llvm::json::Value *v = ran.get(key))
        json.attribute(key, *v);
    json.attribute("flops", layerFlops(config.shape));
  });
  llvm::outs() << "\n";
  llvm::outs().flush();
  return std::nullopt;
}

static std::optional<Failure> run() {
  Expected<LayerConfig> configOr = configFromFlags();
  if (!configOr)
    return fail(configOr.takeError());
  LayerConfig config = *configOr;
  if (!aotOut.empty() && target != "cuda")
    return Failure{"--aot-out needs --target cuda", 1};
  if (target == "cuda") {
    if (dynamicShapes)
      return Failure{"--dynamic needs --target cpu", 1};
    return runCuda(config);
  }

  Expected<LayerInputs> inputs = layerInputs(config);
  if (!inputs)
    return fail(inputs.takeError());
  if (!saveDir.empty())
    if (Error err = ensureDirectory(saveDir))
      return fail(std::move(err));

  DialectRegistry registry;
  registerRunnerDialects(registry);
  MLIRContext ctx(registry);
  double start = nowMs();
  Expected<OwningOpRef<ModuleOp>> module = buildLayerModule(&ctx, config);
  if (!module)
    return fail(module.takeError());
  Expected<FunctionSignature> sig =
      getFunctionSignature(**module, kLayerFunctionName);
  if (!sig)
    return fail(sig.takeError());
  CPUPipelineOptions options;
  if (threads->getNumOccurrences())
    options.threads = threads->getValue();
  options.cpu = cpu.getValue();
  options.registerTile = registerTile.getValue();
  options.streamBlock = streamBlock.getValue();
  options.vectorize = vectorize.getValue();
  Expected<std::unique_ptr<JitFunction>> fn =
      JitFunction::compile(**module, *sig, [&](OpPassManager &pm) {
        buildSoftMoECPUPipeline(pm, options);
      });
  if (!fn)
    return fail(fn.takeError());
  double compileMs = nowMs() - start;

  llvm::SmallVector<HostTensor> results;
  Expected<TimingStats> stats =
      (*fn)->time(inputs->arguments(), warmup, repeat, &results);
  if (!stats)
    return fail(stats.takeError());
  const HostTensor &y = results.front();
  if (!saveDir.empty()) {
    llvm::SmallString<256> path(saveDir);
    llvm::sys::path::append(path, "y.npy");
    if (Error err = writeTensorNpy(path, y))
      return fail(std::move(err));
  }

  const LayerShape &s = config.shape;
  double flops = layerFlops(s);
  llvm::json::OStream json(llvm::outs());
  json.object([&] {
    writeLayerAttributes(json, target.getValue(), config);
    json.attribute("inputs", inputsDir.empty() ? std::string("random")
                                               : inputsDir.getValue());
    json.attribute("threads", static_cast<int64_t>(options.threads));
    json.attribute("warmup", static_cast<int64_t>(warmup));
    json.attribute("repeat", static_cast<int64_t>(repeat));
    writeTimingAttributes(json, *stats);
    json.attribute("gflops", flops / (stats->medianMs * 1e-3) / 1e9);
    json.attribute("flops", flops);
    json.attribute("compile_ms", compileMs);
    json.attribute("cpu", options.cpu.getValue());
    json.attribute("vectorize", options.vectorize.getValue());
    json.attribute("stream_block", options.streamBlock.getValue());
    json.attribute("dynamic", config.dynamicBatchTokens);
    writeSummaryAttributes(json, summarize(y));
  });
  llvm::outs() << "\n";
  llvm::outs().flush();
  return std::nullopt;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::unique_ptr<llvm::cl::opt<int>> threadsOption =
      makeThreadsOption(category);
  threads = threadsOption.get();
  if (!parseToolCommandLine(argc, argv,
                            "Build, compile, run and time one Soft MoE layer "
                            "(see shared/CONTRACT.md)\n",
                            category))
    return 1;
  if (std::optional<Failure> failure = run()) {
    reportError(kTool, failure->message);
    return failure->exitCode;
  }
  return 0;
}
