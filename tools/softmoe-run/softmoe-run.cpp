//===- softmoe-run.cpp - JIT-run a function of an .mlir file on the CPU ---===//
//
// softmoe-run MODEL.mlir [--entry NAME] [INPUT.npy ... | --input FILE ...]
//             [--output-dir DIR] [--repeat N] [--warmup W] [--threads T]
//             [--convert-f64]
//
// Compiles MODEL with the project's CPU pipeline, feeds the .npy files to the
// tensor arguments of the entry function in order (checking dtype, rank and
// static dims), runs it, writes its results as DIR/result<i>.npy and prints
// one JSON line with the timing and a checksum of each result.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Pipelines/Pipelines.h"
#include "softmoe/Runner/JitRunner.h"
#include "softmoe/Tools/ToolSupport.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/AsmParser/AsmParserState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::softmoe;
using llvm::Error;
using llvm::Expected;

static constexpr llvm::StringLiteral kTool = "softmoe-run";

namespace {
llvm::cl::OptionCategory category("softmoe-run options");

llvm::cl::opt<std::string> modelFile(llvm::cl::Positional,
                                     llvm::cl::desc("<model.mlir>"),
                                     llvm::cl::Required,
                                     llvm::cl::cat(category));
llvm::cl::list<std::string>
    positionalInputs(llvm::cl::Positional,
                     llvm::cl::desc("[input.npy ...] (one per tensor argument, "
                                    "in order)"),
                     llvm::cl::cat(category));
llvm::cl::list<std::string>
    inputFlags("input",
               llvm::cl::desc("An .npy file for the next tensor argument "
                              "(repeat it; not together with positional "
                              "inputs)"),
               llvm::cl::value_desc("file"), llvm::cl::cat(category));
llvm::cl::opt<std::string>
    entry("entry",
          llvm::cl::desc("The func.func to run (default: the only public one)"),
          llvm::cl::value_desc("name"), llvm::cl::cat(category));
llvm::cl::opt<std::string>
    outputDir("output-dir",
              llvm::cl::desc("Write the results as DIR/result<i>.npy (float32 "
                             "for float results, bool for i1)"),
              llvm::cl::value_desc("dir"), llvm::cl::cat(category));
llvm::cl::opt<int> repeat("repeat", llvm::cl::desc("Timed calls (default 1)"),
                          llvm::cl::init(1), llvm::cl::cat(category));
llvm::cl::opt<int> warmup("warmup",
                          llvm::cl::desc("Untimed calls first (default 0)"),
                          llvm::cl::init(0), llvm::cl::cat(category));
llvm::cl::opt<bool> specializeShapes(
    "specialize-shapes",
    llvm::cl::desc("Compile for the input shapes at hand: dynamic dimensions "
                   "take the inputs' sizes, so that the fast kernels apply "
                   "(default true; false compiles the dynamic function)"),
    llvm::cl::init(true), llvm::cl::cat(category));
llvm::cl::opt<std::string>
    cpu("cpu",
        llvm::cl::desc("CPU the kernels are tiled and compiled for: host "
                       "(default) or a named ISA whose features this CPU has "
                       "(avx512, avx512bf16, avx2, sse, generic)"),
        llvm::cl::init("host"), llvm::cl::cat(category));
llvm::cl::opt<bool> convertF64(
    "convert-f64",
    llvm::cl::desc("Accept float64 .npy files for float arguments, rounding "
                   "each element to float32 (then to bf16/f16 as float32 "
                   "files are); without it they are refused"),
    llvm::cl::init(false), llvm::cl::cat(category));
/// Set in main (see makeThreadsOption).
llvm::cl::opt<int> *threads;
} // namespace

/// A parsed model and the source names of its functions' arguments.
struct Model {
  OwningOpRef<ModuleOp> module;
  ArgumentNames argNames;
};

/// Parses MODEL, reporting parse errors as one line "FILE:LINE:COL: msg".
/// The parser's state gives the arguments' names, which the IR does not keep.
static Expected<Model> parseModel(MLIRContext &ctx, llvm::StringRef path) {
  auto fileOr = llvm::MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (std::error_code ec = fileOr.getError())
    return llvm::createStringError(path + ": cannot read: " + ec.message());
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(*fileOr), llvm::SMLoc());
  DiagnosticCollector diags(&ctx);
  ParserConfig config(&ctx);
  AsmParserState state;
  Block block;
  LocationAttr fileLoc = FileLineColLoc::get(&ctx, path, 0, 0);
  OwningOpRef<ModuleOp> module;
  if (succeeded(parseAsmSourceFile(sourceMgr, &block, config, &state)))
    module = detail::constructContainerOpForParserIfNecessary<ModuleOp>(
        &block, &ctx, fileLoc);
  if (!module)
    return llvm::createStringError(diags.empty()
                                       ? path + ": cannot parse the model"
                                       : diags.getText());
  Model model;
  model.argNames = collectArgumentNames(*module, state);
  model.module = std::move(module);
  return std::move(model);
}

static Error run() {
  if (repeat < 1)
    return llvm::createStringError("--repeat must be at least 1, not " +
                                   llvm::Twine(repeat));
  if (warmup < 0)
    return llvm::createStringError("--warmup must not be negative, not " +
                                   llvm::Twine(warmup));
  if (threads->getNumOccurrences() && threads->getValue() < 1)
    return llvm::createStringError("--threads must be at least 1, not " +
                                   llvm::Twine(threads->getValue()));
  if (!positionalInputs.empty() && !inputFlags.empty())
    return llvm::createStringError(
        "give the inputs either as positional files or with --input, not both");
  std::vector<std::string> inputs =
      positionalInputs.empty() ? inputFlags : positionalInputs;

  DialectRegistry registry;
  registerRunnerDialects(registry);
  MLIRContext ctx(registry);
  Expected<Model> model = parseModel(ctx, modelFile);
  if (!model)
    return model.takeError();
  OwningOpRef<ModuleOp> &module = model->module;
  Expected<FunctionSignature> sig =
      getFunctionSignature(*module, entry, &model->argNames);
  if (!sig)
    return sig.takeError();
  if (inputs.size() != sig->args.size())
    return llvm::createStringError(
        "@" + sig->name + " takes " + llvm::Twine(sig->args.size()) +
        " tensor arguments, but " + llvm::Twine(inputs.size()) +
        " input files were given");

  // Every input is read and checked before anything is compiled.
  llvm::SmallVector<HostTensor> tensors;
  llvm::SmallVector<llvm::SmallVector<int64_t>> shapes;
  NpyConversion conversion;
  conversion.convertF64 = convertF64;
  conversion.convertF64Flag = "--convert-f64";
  for (auto [i, path] : llvm::enumerate(inputs)) {
    Expected<NpyArray> array = readNpy(path);
    if (!array)
      return array.takeError();
    // A dtype error names the argument the file was meant for.
    std::string forArg = path + ", for " + describeArgument(*sig, i) +
                         " of type " + sig->args[i].typeString;
    Expected<HostTensor> tensor =
        tensorFromNpy(*array, sig->args[i].kind, forArg, conversion);
    if (!tensor)
      return tensor.takeError();
    if (Error err =
            checkArgument(*sig, i, tensor->getKind(), tensor->getShape(), path))
      return err;
    shapes.emplace_back(tensor->getShape());
    tensors.push_back(std::move(*tensor));
  }
  if (Error err = checkShapesAgainstOps(*module, sig->name, shapes))
    return err;
  if (!outputDir.empty())
    if (Error err = ensureDirectory(outputDir))
      return err;
  // Only a function with dynamic argument dims can be specialised; the JSON
  // line says whether it was for those alone.
  bool hasDynamicArgs = llvm::any_of(sig->args, [](const TensorSignature &a) {
    return llvm::any_of(a.shape,
                        [](int64_t d) { return ShapedType::isDynamic(d); });
  });
  bool specialized =
      specializeShapes && specializeArgumentShapes(*module, *sig, shapes);

  if (Error err = checkJitCPU(cpu))
    return err;
  CPUPipelineOptions options;
  if (threads->getNumOccurrences())
    options.threads = threads->getValue();
  options.cpu = cpu.getValue();
  JitOptions jitOptions;
  jitOptions.cpu = options.cpu;
  Expected<std::unique_ptr<JitFunction>> fn = JitFunction::compile(
      *module, *sig,
      [&](OpPassManager &pm) { buildSoftMoECPUPipeline(pm, options); },
      jitOptions);
  if (!fn)
    return fn.takeError();

  llvm::SmallVector<const HostTensor *> args;
  for (const HostTensor &t : tensors)
    args.push_back(&t);
  llvm::SmallVector<HostTensor> results;
  Expected<TimingStats> stats = (*fn)->time(args, warmup, repeat, &results);
  if (!stats)
    return stats.takeError();

  llvm::SmallVector<std::string> files;
  for (auto [i, result] : llvm::enumerate(results)) {
    if (outputDir.empty())
      break;
    llvm::SmallString<256> path(outputDir);
    llvm::sys::path::append(path, "result" + std::to_string(i) + ".npy");
    if (Error err = writeTensorNpy(path, result))
      return err;
    files.push_back(path.str().str());
  }

  llvm::json::OStream json(llvm::outs());
  json.object([&] {
    json.attribute("tool", kTool);
    json.attribute("model", modelFile);
    json.attribute("entry", sig->name);
    json.attribute("target", "cpu");
    json.attribute("cpu", options.cpu.getValue());
    json.attribute("threads", static_cast<int64_t>(options.threads));
    json.attribute("warmup", static_cast<int64_t>(warmup));
    json.attribute("repeat", static_cast<int64_t>(repeat));
    json.attribute("compile_ms",
                   (*fn)->getPipelineMs() + (*fn)->getCodegenMs());
    if (hasDynamicArgs)
      json.attribute("specialized_shapes", specialized);
    writeTimingAttributes(json, *stats);
    json.attributeArray("results", [&] {
      for (size_t i = 0; i < results.size(); ++i) {
        const HostTensor &result = results[i];
        json.object([&] {
          json.attribute("dtype", elementKindName(result.getKind()));
          json.attributeArray("shape", [&] {
            for (int64_t d : result.getShape())
              json.value(d);
          });
          writeSummaryAttributes(json, summarize(result));
          if (i < files.size())
            json.attribute("file", files[i]);
        });
      }
    });
  });
  llvm::outs() << "\n";
  llvm::outs().flush();
  return Error::success();
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  std::unique_ptr<llvm::cl::opt<int>> threadsOption =
      makeThreadsOption(category);
  threads = threadsOption.get();
  if (!parseToolCommandLine(
          argc, argv,
          "JIT-compile a function of an .mlir file with the softmoe CPU "
          "pipeline and run it on .npy inputs\n",
          category))
    return 1;
  if (Error err = run()) {
    reportError(kTool, llvm::toString(std::move(err)));
    return 1;
  }
  return 0;
}
