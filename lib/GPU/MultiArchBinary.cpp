//===- MultiArchBinary.cpp - PTX objects to multi-chip fat binaries -------===//
//
// gpu-module-to-binary compiles each gpu.module for one target. To ship one
// executable for several chips, the PTX it produced is assembled by ptxas for
// every requested chip, and the cubins plus the PTX (for chips not listed,
// through the driver's JIT) are packed by fatbinary into one object. The
// driver picks the matching cubin when loading the module.
//
//===----------------------------------------------------------------------===//

#include "softmoe/GPU/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

namespace mlir::softmoe {
#define GEN_PASS_DEF_SOFTMOEGPUMULTIARCHBINARY
#include "softmoe/GPU/Passes.h.inc"
} // namespace mlir::softmoe

using namespace mlir;
using namespace mlir::softmoe;

namespace {

/// `toolkit`/bin/NAME, $CUDA_HOME/bin/NAME, or NAME on PATH.
std::string findCudaTool(StringRef name, StringRef toolkit) {
  SmallVector<std::string> roots;
  if (!toolkit.empty())
    roots.push_back(toolkit.str());
  if (const char *home = std::getenv("CUDA_HOME"))
    roots.push_back(home);
  for (const std::string &root : roots) {
    SmallString<256> path(root);
    llvm::sys::path::append(path, "bin", name);
    if (llvm::sys::fs::can_execute(path))
      return std::string(path);
  }
  if (llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(name))
    return *found;
  return std::string();
}

/// A temporary file removed when this goes out of scope.
struct TempFile {
  SmallString<128> path;
  std::optional<llvm::FileRemover> remover;
  LogicalResult create(StringRef suffix) {
    if (llvm::sys::fs::createTemporaryFile("softmoe-gpu", suffix, path))
      return failure();
    remover.emplace(path);
    return success();
  }
};

LogicalResult runTool(Operation *op, StringRef tool,
                      ArrayRef<std::string> args) {
  SmallVector<StringRef> argv{tool};
  for (const std::string &a : args)
    argv.push_back(a);
  TempFile log;
  if (failed(log.create("log")))
    return op->emitError("cannot create a temporary file");
  std::optional<StringRef> redirects[] = {std::nullopt, log.path.str(),
                                          log.path.str()};
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(tool, argv, std::nullopt, redirects,
                                     /*SecondsToWait=*/0, /*MemoryLimit=*/0,
                                     &message);
  if (rc == 0)
    return success();
  std::string output;
  if (auto buffer = llvm::MemoryBuffer::getFile(log.path))
    output = (*buffer)->getBuffer().trim().str();
  return op->emitError() << llvm::sys::path::filename(tool) << " failed"
                         << (message.empty() ? "" : ": ") << message
                         << (output.empty() ? "" : ":\n") << output;
}

struct MultiArchBinaryPass
    : softmoe::impl::SoftMoEGPUMultiArchBinaryBase<MultiArchBinaryPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<std::string> targets(chips.begin(), chips.end());
    if (targets.empty())
      targets = {"sm_80", "sm_90"};
    for (const std::string &chip : targets) {
      if (!StringRef(chip).starts_with("sm_"))
        return (void)(emitError(getOperation().getLoc())
                          << "chip '" << chip << "' is not of the form sm_XY",
                      signalPassFailure());
    }
    std::string ptxas = findCudaTool("ptxas", toolkit);
    std::string fatbinary = findCudaTool("fatbinary", toolkit);
    if (ptxas.empty() || fatbinary.empty()) {
      if (requireTools) {
        emitError(getOperation().getLoc())
            << "softmoe-gpu-multiarch-binary needs ptxas and fatbinary (set "
               "CUDA_HOME or put them on PATH)";
        return signalPassFailure();
      }
      emitRemark(getOperation().getLoc())
          << "ptxas or fatbinary not found: kernels stay PTX, compiled by the "
             "driver when loaded";
      return;
    }
    WalkResult result = getOperation().walk([&](gpu::BinaryOp binary) {
      if (failed(rewrite(binary, targets, ptxas, fatbinary)))
        return WalkResult::interrupt();
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }

  LogicalResult rewrite(gpu::BinaryOp binary, ArrayRef<std::string> targets,
                        StringRef ptxas, StringRef fatbinary) {
    gpu::ObjectAttr ptxObject;
    for (Attribute attr : binary.getObjectsAttr()) {
      auto object = cast<gpu::ObjectAttr>(attr);
      if (object.getFormat() == gpu::CompilationTarget::Assembly &&
          isa<NVVM::NVVMTargetAttr>(object.getTarget())) {
        ptxObject = object;
        break;
      }
    }
    if (!ptxObject)
      return binary.emitError("has no NVVM PTX object; run "
                              "gpu-module-to-binary with format=isa first");
    auto target = cast<NVVM::NVVMTargetAttr>(ptxObject.getTarget());
    StringRef ptxChip = target.getChip();

    TempFile ptx;
    if (failed(ptx.create("ptx")))
      return binary.emitError("cannot create a temporary file");
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(ptx.path, ec);
      if (ec)
        return binary.emitError("cannot write ") << ptx.path;
      // The object holds the PTX text, possibly with a trailing NUL.
      os << ptxObject.getObject().getValue().rtrim(StringRef("\0", 1));
    }
    std::vector<TempFile> cubins(targets.size());
    std::vector<std::string> fatArgs{"-64", "--create"};
    TempFile fat;
    if (failed(fat.create("fatbin")))
      return binary.emitError("cannot create a temporary file");
    fatArgs.push_back(fat.path.str().str());
    for (auto [chip, cubin] : llvm::zip(targets, cubins)) {
      if (failed(cubin.create("cubin")))
        return binary.emitError("cannot create a temporary file");
      if (failed(runTool(binary, ptxas,
                         {"-arch=" + chip, "-O3", ptx.path.str().str(), "-o",
                          cubin.path.str().str()})))
        return failure();
      fatArgs.push_back("--image3=kind=elf,sm=" + chip.substr(3) +
                        ",file=" + cubin.path.str().str());
    }
    fatArgs.push_back("--image3=kind=ptx,sm=" + ptxChip.drop_front(3).str() +
                      ",file=" + ptx.path.str().str());
    if (failed(runTool(binary, fatbinary, fatArgs)))
      return failure();
    auto buffer = llvm::MemoryBuffer::getFile(fat.path, /*IsText=*/false);
    if (!buffer)
      return binary.emitError("cannot read the fat binary");
    MLIRContext *ctx = binary.getContext();
    auto object = gpu::ObjectAttr::get(
        ctx, target, gpu::CompilationTarget::Fatbin,
        StringAttr::get(ctx, (*buffer)->getBuffer()),
        ptxObject.getProperties(), ptxObject.getKernels());
    binary.setObjectsAttr(ArrayAttr::get(ctx, {object}));
    return success();
  }
};

} // namespace
