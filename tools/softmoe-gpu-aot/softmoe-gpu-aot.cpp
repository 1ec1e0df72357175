//===- softmoe-gpu-aot.cpp - Build a self-contained CUDA executable -------===//
//
// Standalone front end of the AOT path that softmoe-bench reaches with
// `--target cuda --aot-out FILE`: takes softmoe-bench's shape and option
// flags, compiles that layer for CUDA GPUs and links FILE, which runs on a
// GPU machine without LLVM (FILE --help). Needs no GPU. Prints one JSON line.
//
//   softmoe-gpu-aot --batch B --tokens M --dim D --experts N --slots P
//                   --hidden H [--dtype f32|bf16|f16] [--activation A]
//                   [--normalize] [--mask] [--chips sm_80,sm_90]
//                   [--input-mlir FILE] --aot-out FILE
//
// --input-mlir compiles a module that already defines @softmoe_layer (at the
// softmoe or linalg level) instead of building one. Without shape flags,
// --input-mlir FILE --entry NAME compiles any function on statically shaped
// tensors; the executable then reads argN.npy and writes outN.npy (the
// kernel checks of scripts/gpu-check.sh).
//
//===----------------------------------------------------------------------===//

#include "softmoe/Tools/softmoe-gpu-aot/AotCompiler.h"
#include "softmoe/InitSoftMoE.h"
#include "softmoe/Runner/JitRunner.h"

#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace mlir;
using namespace mlir::softmoe;

[[noreturn]] static void die(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

int main(int argc, char **argv) {
  // No shape defaults here: every size flag is required for a layer.
  LayerConfig config;
  config.shape = {0, 0, 0, 0, 0, 0};
  std::string dtype = "f32";
  CudaAotOptions options;
  std::string out, inputMlir, entry;
  auto value = [&](int &i) -> std::string {
    if (i + 1 >= argc)
      die(std::string("flag ") + argv[i] + " needs a value");
    return argv[++i];
  };
  auto integer = [&](int &i) -> int64_t {
    std::string flag = argv[i], v = value(i);
    int64_t x;
    if (!llvm::to_integer(v, x, 10) || x <= 0)
      die("flag " + flag + " needs a positive integer, got '" + v + "'");
    return x;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::printf("usage: softmoe-gpu-aot --batch B --tokens M --dim D "
                  "--experts N --slots P --hidden H [--dtype f32|bf16|f16] "
                  "[--activation %s] [--normalize] "
                  "[--mask] [--chips sm_80,sm_90] [--input-mlir FILE] "
                  "--aot-out FILE\n"
                  "       softmoe-gpu-aot --input-mlir FILE --entry NAME "
                  "[--chips ...] --aot-out FILE\n",
                  activationNameList("|", "|").c_str());
      return 0;
    }
    if (a == "--batch")
      config.shape.batch = integer(i);
    else if (a == "--tokens")
      config.shape.tokens = integer(i);
    else if (a == "--dim")
      config.shape.dim = integer(i);
    else if (a == "--experts")
      config.shape.experts = integer(i);
    else if (a == "--slots")
      config.shape.slots = integer(i);
    else if (a == "--hidden")
      config.shape.hidden = integer(i);
    else if (a == "--dtype")
      dtype = value(i);
    else if (a == "--activation") {
      std::string v = value(i);
      std::optional<Activation> act = symbolizeActivation(v);
      if (!act)
        die("--activation must be " + activationNameList() + ", not '" + v +
            "'");
      config.activation = *act;
    }
    else if (a == "--normalize")
      config.normalize = true;
    else if (a == "--mask")
      config.mask = true;
    else if (a == "--aot-out")
      out = value(i);
    else if (a == "--input-mlir")
      inputMlir = value(i);
    else if (a == "--entry")
      entry = value(i);
    else if (a == "--chips") {
      SmallVector<StringRef> chips;
      std::string v = value(i);
      StringRef(v).split(chips, ',', -1, false);
      options.chips.assign(chips.begin(), chips.end());
    } else if (a == "--target") {
      if (value(i) != "cuda")
        die("softmoe-gpu-aot builds for --target cuda only");
    } else
      die("unknown flag '" + a + "' (see --help)");
  }
  if (out.empty())
    die("--aot-out FILE is required");
  std::string error;
  bool generic = !entry.empty();
  if (generic && inputMlir.empty())
    die("--entry needs --input-mlir");
  if (!generic) {
    llvm::Expected<ElementKind> kind = parseLayerDType(dtype);
    if (!kind)
      die(llvm::toString(kind.takeError()));
    config.dtype = *kind;
    if (llvm::Error err = checkLayerConfig(config))
      die(llvm::toString(std::move(err)));
  }

  DialectRegistry registry;
  registerRunnerDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();

  OwningOpRef<ModuleOp> module;
  if (inputMlir.empty()) {
    auto built = buildLayerModule(&context, config);
    if (!built)
      die(llvm::toString(built.takeError()));
    module = std::move(*built);
  } else {
    llvm::SourceMgr sourceMgr;
    std::string parseError;
    {
      ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
        if (parseError.empty())
          parseError = d.str();
        return success();
      });
      module = parseSourceFile<ModuleOp>(inputMlir, &context);
    }
    if (!module)
      die(inputMlir + ": cannot parse" +
          (parseError.empty() ? "" : ": " + parseError));
  }
  CudaAotResult result;
  if (generic ? failed(buildCudaAotExecutableForFunction(
                    *module, entry, options, out, result, error))
              : failed(buildCudaAotExecutable(*module, config, options, out,
                                              result, error)))
    die(error);
  std::printf("{\"aot_out\": \"%s\", \"compile_ms\": %.3f, \"kernels\": "
              "\"%s\", \"target\": \"cuda\", \"dtype\": \"%s\"}\n",
              out.c_str(), result.compileMs, result.kernels.c_str(),
              generic ? "any" : elementKindName(config.dtype).data());
  return 0;
}
