//===- AotCompiler.cpp - Self-contained CUDA executables for a layer ------===//

#include "softmoe/Tools/softmoe-gpu-aot/AotCompiler.h"

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Pipelines/GPUPipeline.h"
#include "softmoe/Runtime/AotConfig.h"
#include "softmoe/Support/DiagnosticCollector.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/Target/TargetOptions.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>

#ifndef SOFTMOE_RUNTIME_LIB_DIR
#define SOFTMOE_RUNTIME_LIB_DIR ""
#endif
#ifndef SOFTMOE_BUILD_CXX
#define SOFTMOE_BUILD_CXX ""
#endif

using namespace mlir;
using namespace mlir::softmoe;

namespace {

std::string findOnPath(ArrayRef<StringRef> names) {
  for (StringRef name : names)
    if (auto found = llvm::sys::findProgramByName(name))
      return *found;
  return std::string();
}

/// SoftMoEAotDType (AotConfig.h) of an element kind.
int aotDType(ElementKind kind) {
  switch (kind) {
  case ElementKind::F32:
    return SOFTMOE_AOT_F32;
  case ElementKind::BF16:
    return SOFTMOE_AOT_BF16;
  case ElementKind::F16:
    return SOFTMOE_AOT_F16;
  case ElementKind::I1:
    return SOFTMOE_AOT_I1;
  }
  llvm_unreachable("unknown ElementKind");
}

/// One argument of the compiled function as AotConfig.h describes it.
struct AotArg {
  std::string name;
  int dtype = 0; // SoftMoEAotDType
  bool isOutput = false;
  SmallVector<int64_t> shape;
};

/// The arguments of `func` (inputs, then results as out-parameters), named
/// `names` or argN/outN.
LogicalResult describeArgs(func::FuncOp func, ArrayRef<std::string> names,
                           SmallVectorImpl<AotArg> &args, std::string &error) {
  FunctionType type = func.getFunctionType();
  auto add = [&](Type t, bool isOutput, unsigned index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor || !tensor.hasStaticShape() || tensor.getRank() > 8) {
      error = "@" + func.getName().str() +
              " must take and return statically shaped tensors of rank <= 8";
      return failure();
    }
    AotArg arg;
    std::optional<ElementKind> kind = elementKindOf(tensor.getElementType());
    if (!kind) {
      error = "@" + func.getName().str() +
              ": element types must be f32, bf16, f16 or i1";
      return failure();
    }
    arg.dtype = aotDType(*kind);
    arg.isOutput = isOutput;
    arg.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    size_t position = args.size();
    arg.name = position < names.size()
                   ? names[position]
                   : (isOutput ? "out" : "arg") + std::to_string(index);
    args.push_back(arg);
    return success();
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    if (failed(add(t, false, i)))
      return failure();
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    if (failed(add(t, true, i)))
      return failure();
  return success();
}

/// Adds `softmoe_aot_config` and `softmoe_aot_invoke` (AotConfig.h) to the
/// host module.
/// The suffix of the entry point compiled for sm_90a (wgmma/TMA kernels).
constexpr llvm::StringLiteral kSm90aSuffix = "__sm90a";

/// Adds `softmoe_aot_config` and `softmoe_aot_invoke` (AotConfig.h) to the
/// host module. With `hopperEntry` (the entry compiled for sm_90a), the
/// invoke function calls it on compute capability 9.0 devices and `entryName`
/// (mma.sync kernels) elsewhere; an empty `entryName` means sm_90a only.
LogicalResult addAotEntryPoints(llvm::Module &m, StringRef entryName,
                                StringRef hopperEntry,
                                ArrayRef<AotArg> aotArgs,
                                const LayerConfig *layer,
                                const CudaAotResult &result,
                                std::string &error) {
  llvm::LLVMContext &ctx = m.getContext();
  std::string cifaceName = ("_mlir_ciface_" + entryName).str();
  llvm::Function *entry = entryName.empty() ? nullptr : m.getFunction(cifaceName);
  llvm::Function *hopper =
      hopperEntry.empty() ? nullptr
                          : m.getFunction(("_mlir_ciface_" + hopperEntry).str());
  if (!hopper && !hopperEntry.empty()) {
    error = "the compiled module has no _mlir_ciface_" + hopperEntry.str();
    return failure();
  }
  if (!entry && !hopper) {
    error = "the compiled module has no " + cifaceName;
    return failure();
  }
  if (!entry)
    entry = hopper;
  if (entry->arg_size() != aotArgs.size()) {
    error = cifaceName + " takes " + std::to_string(entry->arg_size()) +
            " arguments, expected " + std::to_string(aotArgs.size()) +
            " (inputs, then results as out-parameters)";
    return failure();
  }
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *f64 = llvm::Type::getDoubleTy(ctx);
  auto *shapeType = llvm::ArrayType::get(i64, 8);
  auto *argType = llvm::StructType::create(
      ctx, {ptr, i32, i32, i32, i32, shapeType}, "SoftMoEAotArg");
  auto *configType = llvm::StructType::create(
      ctx,
      {i32, i32, ptr, i64, i64, i64, i64, i64, i64, i32, i32, i32, ptr, ptr,
       f64},
      "SoftMoEAotConfig");
  auto str = [&](StringRef s) {
    auto *init = llvm::ConstantDataArray::getString(ctx, s);
    return new llvm::GlobalVariable(m, init->getType(), true,
                                    llvm::GlobalValue::PrivateLinkage, init,
                                    "softmoe_aot_str");
  };
  SmallVector<llvm::Constant *> argConstants;
  for (const AotArg &a : aotArgs) {
    SmallVector<llvm::Constant *> dims;
    for (unsigned d = 0; d < 8; ++d)
      dims.push_back(
          llvm::ConstantInt::get(i64, d < a.shape.size() ? a.shape[d] : 0));
    argConstants.push_back(llvm::ConstantStruct::get(
        argType, {str(a.name), llvm::ConstantInt::get(i32, a.dtype),
                  llvm::ConstantInt::get(i32, a.isOutput),
                  llvm::ConstantInt::get(i32, a.shape.size()),
                  llvm::ConstantInt::get(i32, 0),
                  llvm::ConstantArray::get(shapeType, dims)}));
  }
  auto *argsArrayType = llvm::ArrayType::get(argType, argConstants.size());
  auto *argsArray = new llvm::GlobalVariable(
      m, argsArrayType, true, llvm::GlobalValue::PrivateLinkage,
      llvm::ConstantArray::get(argsArrayType, argConstants),
      "softmoe_aot_args");
  // Any other function: zero sizes, f32 and the default activation.
  LayerConfig none;
  none.shape = {0, 0, 0, 0, 0, 0};
  const LayerConfig &l = layer ? *layer : none;
  const LayerShape &s = l.shape;
  llvm::Constant *fields[] = {
      llvm::ConstantInt::get(i32, layer != nullptr),
      llvm::ConstantInt::get(i32, aotArgs.size()),
      argsArray,
      llvm::ConstantInt::get(i64, s.batch),
      llvm::ConstantInt::get(i64, s.tokens),
      llvm::ConstantInt::get(i64, s.dim),
      llvm::ConstantInt::get(i64, s.experts),
      llvm::ConstantInt::get(i64, s.slots),
      llvm::ConstantInt::get(i64, s.hidden),
      llvm::ConstantInt::get(i32, aotDType(l.dtype)),
      llvm::ConstantInt::get(i32, l.normalize),
      llvm::ConstantInt::get(i32, l.mask),
      str(stringifyActivation(l.activation)),
      str(result.kernels),
      llvm::ConstantFP::get(f64, result.compileMs)};
  new llvm::GlobalVariable(m, configType, true,
                           llvm::GlobalValue::ExternalLinkage,
                           llvm::ConstantStruct::get(configType, fields),
                           "softmoe_aot_config");

  auto *invokeType =
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false);
  auto *invoke = llvm::Function::Create(
      invokeType, llvm::GlobalValue::ExternalLinkage, "softmoe_aot_invoke", m);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", invoke));
  SmallVector<llvm::Value *> args;
  for (unsigned i = 0; i < aotArgs.size(); ++i)
    args.push_back(b.CreateLoad(
        ptr, b.CreateConstGEP1_32(ptr, invoke->getArg(0), i)));
  if (hopper && hopper != entry) {
    // sm_90a cubins run only on compute capability 9.0 exactly
    // (softmoeCudaUseSm90a, CudaRuntime.h).
    llvm::FunctionCallee useHopper = m.getOrInsertFunction(
        "softmoeCudaUseSm90a", llvm::FunctionType::get(i32, false));
    llvm::Value *isHopper = b.CreateICmpNE(b.CreateCall(useHopper),
                                           llvm::ConstantInt::get(i32, 0));
    auto *hopperBlock = llvm::BasicBlock::Create(ctx, "sm90a", invoke);
    auto *otherBlock = llvm::BasicBlock::Create(ctx, "other", invoke);
    b.CreateCondBr(isHopper, hopperBlock, otherBlock);
    b.SetInsertPoint(hopperBlock);
    b.CreateCall(hopper, args);
    b.CreateRetVoid();
    b.SetInsertPoint(otherBlock);
  }
  b.CreateCall(entry, args);
  b.CreateRetVoid();
  return success();
}

LogicalResult emitObject(llvm::Module &m, StringRef path, std::string &error) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  llvm::Triple triple(llvm::sys::getDefaultTargetTriple());
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return failure();
  // Generic x86-64: the executable runs on whatever host the GPU sits in.
  std::unique_ptr<llvm::TargetMachine> tm(target->createTargetMachine(
      triple, "generic", "", llvm::TargetOptions(), llvm::Reloc::PIC_,
      std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  if (!tm) {
    error = "cannot create a target machine for " + triple.str();
    return failure();
  }
  m.setDataLayout(tm->createDataLayout());
  m.setTargetTriple(triple);
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + path.str() + ": " + ec.message();
    return failure();
  }
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, os, nullptr,
                              llvm::CodeGenFileType::ObjectFile)) {
    error = "the host target cannot emit object files";
    return failure();
  }
  pm.run(m);
  os.flush();
  return success();
}

/// Describes the embedded kernel objects.
std::string describeKernels(ModuleOp module,
                            ArrayRef<std::string> chips) {
  bool fatbin = false, ptx = false;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjectsAttr()) {
      auto object = cast<gpu::ObjectAttr>(a);
      fatbin |= object.getFormat() == gpu::CompilationTarget::Fatbin;
      ptx |= object.getFormat() == gpu::CompilationTarget::Assembly;
    }
  });
  if (fatbin && !ptx)
    return "fatbin: cubin " + llvm::join(chips, " ") + " + ptx";
  if (ptx && !fatbin)
    return "ptx only (ptxas/fatbinary not found when compiling)";
  return "mixed";
}

} // namespace

static LogicalResult buildExecutable(ModuleOp module, StringRef entry,
                                     const LayerConfig *layer,
                                     const CudaAotOptions &options,
                                     const std::string &outPath,
                                     CudaAotResult &result,
                                     std::string &error) {
  MLIRContext *ctx = module.getContext();
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal()) {
    error = "the module has no func.func @" + entry.str() + " with a body";
    return failure();
  }
  SmallVector<std::string> names;
  if (layer) {
    names = {"x", "phi", "w1", "b1", "w2", "b2"};
    if (layer->normalize)
      names.push_back("scale");
    if (layer->mask)
      names.push_back("mask");
    names.push_back("y");
  }
  SmallVector<AotArg> aotArgs;
  if (failed(describeArgs(func, names, aotArgs, error)))
    return failure();
  func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(ctx));

  // Archives first: no point compiling when nothing can be linked.
  std::string runtimeDir = options.runtimeDir;
  if (runtimeDir.empty())
    if (const char *env = std::getenv("SOFTMOE_RUNTIME_DIR"))
      runtimeDir = env;
  if (runtimeDir.empty())
    runtimeDir = SOFTMOE_RUNTIME_LIB_DIR;
  SmallString<256> mainLib(runtimeDir), cudaLib(runtimeDir);
  llvm::sys::path::append(mainLib, "libsoftmoe_aot_main.a");
  llvm::sys::path::append(cudaLib, "libsoftmoe_cuda_runtime.a");
  if (!llvm::sys::fs::exists(mainLib) || !llvm::sys::fs::exists(cudaLib)) {
    error = "the CUDA runtime library is missing from '" + runtimeDir +
            "' (it is built only where cuda.h was found when configuring; "
            "set CUDA_HOME and reconfigure, or SOFTMOE_RUNTIME_DIR)";
    return failure();
  }
  std::string linker = options.linker;
  if (linker.empty())
    if (const char *env = std::getenv("SOFTMOE_AOT_CXX"))
      linker = env;
  if (linker.empty())
    linker = findOnPath({"c++", "g++", "clang++"});
  if (linker.empty())
    linker = SOFTMOE_BUILD_CXX;
  if (linker.empty() || !llvm::sys::fs::can_execute(linker)) {
    error = "no C++ compiler found to link with (set SOFTMOE_AOT_CXX)";
    return failure();
  }

  // sm_90a gets its own compilation (wgmma/TMA kernels, an entry point
  // renamed with kSm90aSuffix); the other chips share the mma.sync one.
  SmallVector<std::string> syncChips;
  bool hopper = false;
  for (const std::string &chip : options.chips) {
    if (chip == "sm_90a")
      hopper = true;
    else
      syncChips.push_back(chip);
  }
  std::string hopperEntry = hopper ? (entry + kSm90aSuffix).str() : "";
  OwningOpRef<ModuleOp> hopperModule;
  if (hopper) {
    hopperModule = module.clone();
    auto hopperFunc = hopperModule->lookupSymbol<func::FuncOp>(entry);
    if (failed(SymbolTable::replaceAllSymbolUses(
            hopperFunc, StringAttr::get(ctx, hopperEntry), *hopperModule))) {
      error = "cannot rename the sm_90a entry point";
      return failure();
    }
    SymbolTable::setSymbolName(hopperFunc, hopperEntry);
  }

  auto t0 = std::chrono::steady_clock::now();
  auto compile = [&](ModuleOp m, StringRef chip,
                     ArrayRef<std::string> chips) -> LogicalResult {
    DiagnosticCollector diagnostics(ctx);
    PassManager pm(ctx);
    GPUPipelineOptions pipeline;
    pipeline.format = "multi";
    pipeline.chip = chip.str();
    pipeline.chips = SmallVector<std::string>(chips.begin(), chips.end());
    pipeline.toolkit = options.toolkit;
    buildSoftMoEGPUPipeline(pm, pipeline);
    if (succeeded(pm.run(m)))
      return success();
    error = "compiling the layer for " + llvm::join(chips, ",") +
            " failed: " +
            (diagnostics.empty() ? std::string("unknown error")
                                      : diagnostics.getText("; "));
    return failure();
  };
  if (!syncChips.empty() && failed(compile(module, "sm_80", syncChips)))
    return failure();
  if (hopper && failed(compile(*hopperModule, "sm_90a", {"sm_90a"})))
    return failure();
  if (!syncChips.empty())
    result.kernels = describeKernels(module, syncChips);
  if (hopper)
    result.kernels += (syncChips.empty() ? "" : "; ") +
                      std::string("sm_90a wgmma/TMA: ") +
                      describeKernels(*hopperModule, {"sm_90a"});

  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> host;
  {
    DiagnosticCollector diagnostics(ctx);
    if (!syncChips.empty())
      host = translateModuleToLLVMIR(module, llvmContext, "softmoe_layer");
    std::unique_ptr<llvm::Module> hopperHost;
    if (hopper)
      hopperHost = translateModuleToLLVMIR(*hopperModule, llvmContext,
                                           "softmoe_layer_sm90a");
    if ((!syncChips.empty() && !host) || (hopper && !hopperHost)) {
      error = "translating the host code to LLVM IR failed: " +
              diagnostics.getText("; ");
      return failure();
    }
    if (!host) {
      host = std::move(hopperHost);
    } else if (hopperHost &&
               llvm::Linker::linkModules(*host, std::move(hopperHost))) {
      error = "linking the sm_90a host code into the executable failed";
      return failure();
    }
  }
  SmallString<128> objPath;
  if (llvm::sys::fs::createTemporaryFile("softmoe-aot", "o", objPath)) {
    error = "cannot create a temporary file";
    return failure();
  }
  llvm::FileRemover removeObj(objPath);
  result.compileMs =
      std::chrono::duration<double, std::milli>(
          std::chrono::steady_clock::now() - t0)
          .count();
  if (failed(addAotEntryPoints(*host, syncChips.empty() ? "" : entry,
                               hopperEntry, aotArgs, layer, result, error)) ||
      failed(emitObject(*host, objPath, error)))
    return failure();
  result.compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - t0)
                         .count();

  // Link into a temporary name, then rename: no partial executable.
  std::string tmpOut = outPath + ".tmp";
  SmallVector<std::string> args = {linker,
                                   std::string(objPath),
                                   std::string(mainLib),
                                   std::string(cudaLib),
                                   "-o",
                                   tmpOut,
                                   "-static-libstdc++",
                                   "-static-libgcc",
                                   "-ldl",
                                   "-lpthread",
                                   "-lm"};
  SmallVector<StringRef> argv(args.begin(), args.end());
  SmallString<128> logPath;
  if (llvm::sys::fs::createTemporaryFile("softmoe-aot-link", "log", logPath)) {
    error = "cannot create a temporary file";
    return failure();
  }
  llvm::FileRemover removeLog(logPath);
  std::optional<StringRef> redirects[] = {std::nullopt, logPath.str(),
                                          logPath.str()};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(linker, argv, std::nullopt, redirects, 0,
                                     0, &message);
  if (rc != 0) {
    llvm::sys::fs::remove(tmpOut);
    std::string log;
    if (auto buffer = llvm::MemoryBuffer::getFile(logPath))
      log = (*buffer)->getBuffer().trim().str();
    std::replace(log.begin(), log.end(), '\n', ' ');
    error = "linking " + outPath + " with " + linker + " failed" +
            (message.empty() ? "" : ": " + message) +
            (log.empty() ? "" : ": " + log);
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(tmpOut, outPath)) {
    llvm::sys::fs::remove(tmpOut);
    error = "cannot create " + outPath + ": " + ec.message();
    return failure();
  }
  return success();
}

LogicalResult mlir::softmoe::buildCudaAotExecutable(
    ModuleOp module, const LayerConfig &config, const CudaAotOptions &options,
    const std::string &outPath, CudaAotResult &result, std::string &error) {
  if (llvm::Error err = checkLayerConfig(config)) {
    error = llvm::toString(std::move(err));
    return failure();
  }
  if (config.dynamicBatchTokens) {
    error = "an AOT executable needs static batch and tokens sizes";
    return failure();
  }
  return buildExecutable(module, kLayerFunctionName, &config, options,
                         outPath, result, error);
}

LogicalResult mlir::softmoe::buildCudaAotExecutableForFunction(
    ModuleOp module, StringRef entry, const CudaAotOptions &options,
    const std::string &outPath, CudaAotResult &result, std::string &error) {
  return buildExecutable(module, entry, nullptr, options, outPath, result,
                         error);
}
