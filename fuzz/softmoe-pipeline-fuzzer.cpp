//===- softmoe-pipeline-fuzzer.cpp - Fuzz the compiler on arbitrary text --===//
//
// libFuzzer entry point: the input is MLIR text. Built twice
// (fuzz/CMakeLists.txt):
//
//   softmoe-pipeline-fuzzer    parse, verify, and run softmoe-cpu-pipeline,
//                              as `softmoe-opt --softmoe-cpu-pipeline` does;
//   softmoe-unverified-fuzzer  parse without the verifier and run the
//                              project's own passes (softmoe-decompose, then
//                              convert-softmoe-to-linalg), as
//                              `--mlir-very-unsafe-disable-verifier-on-parsing`
//                              does: IR built in C++ reaches them this way.
//
// Diagnostics are expected and dropped; only a crash, a sanitizer report or
// an abort is a finding. Each input gets a fresh MLIRContext so that a
// finding reproduces with softmoe-opt on the saved input alone. The dialects
// are softmoe-opt's, so the same text means the same thing to both.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"
#include "softmoe/InitSoftMoE.h"
#include "softmoe/Pipelines/Pipelines.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/MemoryBufferRef.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

// The project's code is instrumented, libMLIR.so is not, and both allocate
// from the same llvm::BumpPtrAllocator slabs (MLIR's storage uniquer): the
// instrumented inline copy poisons a fresh slab and unpoisons only what it
// hands out, the uninstrumented one unpoisons nothing, so MLIR's own writes
// into the slab would be reported as use-after-poison. Manual poisoning is
// off; every other ASan check stays (docs/robustness.md).
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

static const DialectRegistry &getRegistry() {
  static const DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    registerAllDialects(*r);
    registerAllExtensions(*r);
    softmoe::registerSoftMoEDialects(*r);
    softmoe::registerSoftMoEPipelineExtensions(*r);
    return r;
  }();
  return *registry;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  MLIRContext context(getRegistry(), MLIRContext::Threading::DISABLED);
  ScopedDiagnosticHandler dropAll(&context,
                                  [](Diagnostic &) { return success(); });
  // MLIR's lexer stops at a NUL terminator past the end of the buffer (files
  // and std::strings have one; libFuzzer's data does not), so give it one.
  std::string text(reinterpret_cast<const char *>(data), size);
  // Text only: the parser hands input that starts with the bytecode magic to
  // MLIR's bytecode reader, upstream code whose aborts on corrupt bytecode
  // are not the project's (docs/robustness.md).
  if (isBytecode(llvm::MemoryBufferRef(text, "input")))
    return 0;

#ifdef SOFTMOE_FUZZ_UNVERIFIED
  ParserConfig config(&context, /*verifyAfterParse=*/false);
#else
  ParserConfig config(&context, /*verifyAfterParse=*/true);
#endif
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, config);
  if (!module)
    return 0;

  PassManager pm(&context);
#ifdef SOFTMOE_FUZZ_UNVERIFIED
  pm.addPass(softmoe::createSoftMoEDecompose());
  pm.addPass(softmoe::createConvertSoftMoEToLinalg());
#else
  softmoe::CPUPipelineOptions options;
  softmoe::buildSoftMoECPUPipeline(pm, options);
#endif
  (void)pm.run(*module);
  return 0;
}
