//===- TrainMode.cpp - softmoe-bench --mode train -------------------------===//
//
// The layer's module gets @softmoe_layer_fwd and @softmoe_layer_vjp from
// softmoe-generate-vjp; each is compiled on its own copy of the module (the
// other functions erased) with the same softmoe-cpu-pipeline options as the
// inference mode, and timed over the same warmup/repeat. The timed figure is
// the sum of the two medians: one training step's forward and backward.
//
//===----------------------------------------------------------------------===//

#include "TrainMode.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Runner/JitRunner.h"
#include "softmoe/Tools/ToolSupport.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace mlir::softmoe;
using llvm::Error;
using llvm::Expected;

/// A copy of `module` with only the function `name`.
static OwningOpRef<ModuleOp> extractFunction(ModuleOp module,
                                             StringRef name) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  for (auto f : llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (f.getName() != name)
      f.erase();
  return copy;
}

/// dy.npy from the inputs folder, else seeded random N(0, 1), in the layer's
/// element type (the cotangent of y has y's type).
static Expected<HostTensor> loadDy(const LayerConfig &config,
                                   const TrainSettings &settings) {
  const LayerShape &s = config.shape;
  SmallVector<int64_t> shape = {s.batch, s.tokens, s.dim};
  if (!settings.inputsDir.empty()) {
    llvm::SmallString<256> path(settings.inputsDir);
    llvm::sys::path::append(path, "dy.npy");
    if (llvm::sys::fs::exists(path)) {
      Expected<NpyArray> array = readNpy(path);
      if (!array)
        return array.takeError();
      if (array->getShape() != ArrayRef<int64_t>(shape))
        return llvm::createStringError(
            path + ": dy must have the shape of y, [B,M,D] = [" +
            llvm::Twine(s.batch) + "," + llvm::Twine(s.tokens) + "," +
            llvm::Twine(s.dim) + "]");
      return tensorFromNpy(*array, config.dtype, path);
    }
  }
  return makeRandomTensor(config.dtype, shape, 1.0, settings.seed,
                          /*stream=*/100);
}

Error mlir::softmoe::runTrainMode(
    const LayerConfig &config, const LayerInputs &inputs,
    const CPUPipelineOptions &options, const TrainSettings &settings,
    llvm::function_ref<void(llvm::json::OStream &)> writeCommon) {
  Expected<HostTensor> dy = loadDy(config, settings);
  if (!dy)
    return dy.takeError();

  DialectRegistry registry;
  registerRunnerDialects(registry);
  MLIRContext ctx(registry);
  double start = nowMs();
  Expected<OwningOpRef<ModuleOp>> module = buildLayerModule(&ctx, config);
  if (!module)
    return module.takeError();
  {
    DiagnosticCollector diagnostics(&ctx);
    PassManager pm(&ctx, ModuleOp::getOperationName());
    SoftMoEGenerateVJPOptions vjpOptions;
    vjpOptions.recomputeHidden = settings.recomputeHidden;
    pm.addPass(createSoftMoEGenerateVJP(vjpOptions));
    if (failed(pm.run(**module)))
      return llvm::createStringError("softmoe-generate-vjp failed: " +
                                     diagnostics.getText());
  }
  std::string fwdName = (kLayerFunctionName + "_fwd").str();
  std::string vjpName = (kLayerFunctionName + "_vjp").str();
  auto compile = [&](StringRef name, OwningOpRef<ModuleOp> &m)
      -> Expected<std::unique_ptr<JitFunction>> {
    m = extractFunction(**module, name);
    Expected<FunctionSignature> sig = getFunctionSignature(*m, name);
    if (!sig)
      return sig.takeError();
    JitOptions jit;
    jit.cpu = options.cpu;
    return JitFunction::compile(
        *m, *sig,
        [&](OpPassManager &pm) { buildSoftMoECPUPipeline(pm, options); },
        jit);
  };
  OwningOpRef<ModuleOp> fwdModule, vjpModule;
  Expected<std::unique_ptr<JitFunction>> fwd = compile(fwdName, fwdModule);
  if (!fwd)
    return fwd.takeError();
  double backwardStart = nowMs();
  Expected<std::unique_ptr<JitFunction>> vjp = compile(vjpName, vjpModule);
  if (!vjp)
    return vjp.takeError();
  double end = nowMs();
  double compileMs = end - start, backwardCompileMs = end - backwardStart;

  // Forward: y, then the residuals @softmoe_layer_vjp takes after the
  // layer's arguments.
  SmallVector<HostTensor> saved;
  Expected<TimingStats> fwdStats =
      (*fwd)->time(inputs.arguments(), settings.warmup, settings.repeat, &saved);
  if (!fwdStats)
    return fwdStats.takeError();
  SmallVector<const HostTensor *> vjpArgs = inputs.arguments();
  for (const HostTensor &r : llvm::drop_begin(saved))
    vjpArgs.push_back(&r);
  vjpArgs.push_back(&*dy);
  SmallVector<HostTensor> grads;
  Expected<TimingStats> vjpStats =
      (*vjp)->time(vjpArgs, settings.warmup, settings.repeat, &grads);
  if (!vjpStats)
    return vjpStats.takeError();

  SmallVector<StringRef> names = {"dx", "dphi", "dw1", "db1", "dw2", "db2"};
  if (inputs.scale)
    names.push_back("dscale");
  if (grads.size() != names.size())
    return llvm::createStringError("@" + vjpName + " returned " +
                                   llvm::Twine(grads.size()) +
                                   " gradients, expected " +
                                   llvm::Twine(names.size()));
  if (!settings.saveDir.empty()) {
    auto save = [&](StringRef name, const HostTensor &t) -> Error {
      llvm::SmallString<256> path(settings.saveDir);
      llvm::sys::path::append(path, name + ".npy");
      return writeTensorNpy(path, t);
    };
    if (Error err = save("y", saved.front()))
      return err;
    for (auto [name, grad] : llvm::zip(names, grads))
      if (Error err = save(name, grad))
        return err;
  }

  // The backward does two contractions for each of the forward's.
  double flops = 3 * layerFlops(config);
  double stepMs = fwdStats->medianMs + vjpStats->medianMs;
  llvm::json::OStream json(llvm::outs());
  json.object([&] {
    writeCommon(json);
    json.attribute("mode", "train");
    json.attribute("inputs", settings.inputsDir.empty()
                                 ? std::string("random")
                                 : settings.inputsDir);
    json.attribute("threads", static_cast<int64_t>(options.threads));
    json.attribute("warmup", static_cast<int64_t>(settings.warmup));
    json.attribute("repeat", static_cast<int64_t>(settings.repeat));
    json.attribute("median_ms", stepMs);
    json.attribute("min_ms", fwdStats->minMs + vjpStats->minMs);
    json.attribute("forward_ms", fwdStats->medianMs);
    json.attribute("backward_ms", vjpStats->medianMs);
    json.attribute("gflops", flops / (stepMs * 1e-3) / 1e9);
    json.attribute("flops", flops);
    json.attribute("compile_ms", compileMs);
    json.attribute("backward_compile_ms", backwardCompileMs);
    json.attribute("recompute_hidden", settings.recomputeHidden);
    json.attribute("cpu", options.cpu.getValue());
    json.attribute("vectorize", options.vectorize.getValue());
    json.attribute("stream_block", options.streamBlock.getValue());
    writeSummaryAttributes(json, summarize(saved.front()));
  });
  llvm::outs() << "\n";
  llvm::outs().flush();
  return Error::success();
}
