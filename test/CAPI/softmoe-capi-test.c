/*===- softmoe-capi-test.c - Test of the softmoe C API ------------*- C -*-===*\
|*                                                                            *|
|* A C program (compiled as C) that drives softmoe through MLIR's C API only: *|
|* loads the dialect through its handle, parses and verifies a softmoe.layer, *|
|* reports a verifier error, and runs softmoe passes through a pass manager.  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

// RUN: softmoe-capi-test 2>&1 | FileCheck %s

#include "softmoe-c/Dialects.h"
#include "softmoe-c/Passes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/RegisterEverything.h"
#include "mlir-c/Support.h"

#include <stdio.h>
#include <string.h>

/* The tiny shape of the contract: B=2 M=16 D=32 N=4 P=2 H=64. */
static const char *kLayer =
    "func.func @layer(%x: tensor<2x16x32xf32>, %phi: tensor<32x4x2xf32>,\n"
    "                 %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,\n"
    "                 %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>)\n"
    "    -> tensor<2x16x32xf32> {\n"
    "  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf>\n"
    "      : tensor<2x16x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>,\n"
    "        tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>\n"
    "  return %y : tensor<2x16x32xf32>\n"
    "}\n";

/* The same layer with the batch and the tokens dynamic, as an ahead-of-time
   build compiles it. */
static const char *kDynamicLayer =
    "func.func @layer(%x: tensor<?x?x32xf32>, %phi: tensor<32x4x2xf32>,\n"
    "                 %w1: tensor<4x32x64xf32>, %b1: tensor<4x64xf32>,\n"
    "                 %w2: tensor<4x64x32xf32>, %b2: tensor<4x32xf32>)\n"
    "    -> tensor<?x?x32xf32> {\n"
    "  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf>\n"
    "      : tensor<?x?x32xf32>, tensor<32x4x2xf32>, tensor<4x32x64xf32>,\n"
    "        tensor<4x64xf32>, tensor<4x64x32xf32>, tensor<4x32xf32>\n"
    "  return %y : tensor<?x?x32xf32>\n"
    "}\n";

/* D of phi (48) disagrees with D of x (32). */
static const char *kBadLayer =
    "func.func @bad(%x: tensor<2x16x32xf32>, %phi: tensor<48x4x2xf32>)\n"
    "    -> tensor<2x16x4x2xf32> {\n"
    "  %l = softmoe.router %x, %phi : tensor<2x16x32xf32>, tensor<48x4x2xf32>\n"
    "  return %l : tensor<2x16x4x2xf32>\n"
    "}\n";

static void printToStderr(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stderr);
}

/* Prints every diagnostic as "diagnostic: <message>" and handles it. */
static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  fprintf(stderr, "diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStderr, NULL);
  fprintf(stderr, "\n");
  return mlirLogicalResultSuccess();
}

/* Counts the ops of a module by name. */
struct OpCounts {
  int layer, router, dispatch, expertApply, combine, softmoe;
  int linalgGeneric, llvmFunc, ciface;
  int notLLVM; /* ops other than builtin.module and llvm.* */
  int vectorFma; /* llvm.intr.fma on vectors: the register-tiled kernels */
};

static int startsWith(MlirStringRef s, const char *prefix) {
  size_t n = strlen(prefix);
  return s.length >= n && strncmp(s.data, prefix, n) == 0;
}

static MlirWalkResult countOp(MlirOperation op, void *userData) {
  struct OpCounts *counts = (struct OpCounts *)userData;
  MlirStringRef name =
      mlirIdentifierStr(mlirOperationGetName(op));
  if (mlirStringRefEqual(name, mlirStringRefCreateFromCString("softmoe.layer")))
    ++counts->layer;
  if (mlirStringRefEqual(name, mlirStringRefCreateFromCString("softmoe.router")))
    ++counts->router;
  if (mlirStringRefEqual(name,
                         mlirStringRefCreateFromCString("softmoe.dispatch")))
    ++counts->dispatch;
  if (mlirStringRefEqual(
          name, mlirStringRefCreateFromCString("softmoe.expert_apply")))
    ++counts->expertApply;
  if (mlirStringRefEqual(name,
                         mlirStringRefCreateFromCString("softmoe.combine")))
    ++counts->combine;
  if (startsWith(name, "softmoe."))
    ++counts->softmoe;
  if (mlirStringRefEqual(name,
                         mlirStringRefCreateFromCString("linalg.generic")))
    ++counts->linalgGeneric;
  if (mlirStringRefEqual(name, mlirStringRefCreateFromCString("llvm.func"))) {
    ++counts->llvmFunc;
    MlirAttribute symName = mlirOperationGetAttributeByName(
        op, mlirStringRefCreateFromCString("sym_name"));
    if (!mlirAttributeIsNull(symName) && mlirAttributeIsAString(symName) &&
        mlirStringRefEqual(
            mlirStringAttrGetValue(symName),
            mlirStringRefCreateFromCString("_mlir_ciface_layer")))
      ++counts->ciface;
  }
  if (mlirStringRefEqual(name,
                         mlirStringRefCreateFromCString("llvm.intr.fma")) &&
      mlirOperationGetNumResults(op) == 1 &&
      mlirTypeIsAVector(mlirValueGetType(mlirOperationGetResult(op, 0))))
    ++counts->vectorFma;
  if (!startsWith(name, "llvm.") &&
      !mlirStringRefEqual(name,
                          mlirStringRefCreateFromCString("builtin.module")))
    ++counts->notLLVM;
  return MlirWalkResultAdvance;
}

static struct OpCounts countOps(MlirModule module) {
  struct OpCounts counts;
  memset(&counts, 0, sizeof(counts));
  mlirOperationWalk(mlirModuleGetOperation(module), countOp, &counts,
                    MlirWalkPreOrder);
  return counts;
}

static void printCounts(const char *what, MlirModule module) {
  struct OpCounts c = countOps(module);
  fprintf(stderr,
          "%s: layer=%d router=%d dispatch=%d expert_apply=%d combine=%d "
          "softmoe=%d linalg.generic=%d llvm.func=%d ciface=%d "
          "not-llvm=%d vector-fma=%d\n",
          what, c.layer, c.router, c.dispatch, c.expertApply, c.combine,
          c.softmoe, c.linalgGeneric, c.llvmFunc, c.ciface, c.notLLVM,
          c.vectorFma);
}

/* A context with every upstream dialect and softmoe, inserted through the
   dialect handle (loaded lazily, when the parser meets them). */
static MlirContext createContext(void) {
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry);
  mlirDialectHandleInsertDialect(mlirGetDialectHandle__softmoe__(), registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);
  return ctx;
}

static int testDialectHandle(void) {
  fprintf(stderr, "@testDialectHandle\n");
  MlirContext ctx = mlirContextCreate();
  MlirDialectHandle handle = mlirGetDialectHandle__softmoe__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(handle);
  fprintf(stderr, "namespace: %.*s\n", (int)ns.length, ns.data);
  // CHECK-LABEL: @testDialectHandle
  // CHECK: namespace: softmoe

  MlirDialect before = mlirContextGetOrLoadDialect(
      ctx, mlirStringRefCreateFromCString("softmoe"));
  MlirDialect loaded = mlirDialectHandleLoadDialect(handle, ctx);
  MlirDialect after = mlirContextGetOrLoadDialect(
      ctx, mlirStringRefCreateFromCString("softmoe"));
  fprintf(stderr, "before load: %d, after load: %d, same dialect: %d\n",
          !mlirDialectIsNull(before), !mlirDialectIsNull(after),
          mlirDialectEqual(loaded, after));
  // CHECK: before load: 0, after load: 1, same dialect: 1
  mlirContextDestroy(ctx);
  return mlirDialectIsNull(after);
}

static int testParseAndVerify(void) {
  fprintf(stderr, "@testParseAndVerify\n");
  MlirContext ctx = createContext();
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kLayer));
  if (mlirModuleIsNull(module))
    return 1;
  MlirOperation op = mlirModuleGetOperation(module);
  fprintf(stderr, "verifies: %d\n", mlirOperationVerify(op));
  printCounts("parsed", module);
  mlirOperationPrint(op, printToStderr, NULL);
  fprintf(stderr, "\n");
  // CHECK-LABEL: @testParseAndVerify
  // CHECK: verifies: 1
  // CHECK: parsed: layer=1 router=0
  // CHECK: softmoe.layer %{{.*}} activation<gelu_erf> : tensor<2x16x32xf32>

  MlirModule bad =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kBadLayer));
  fprintf(stderr, "bad module is null: %d\n", mlirModuleIsNull(bad));
  // CHECK: diagnostic: phi dim 0 (D) is 48 but x dim 2 (D) is 32
  // CHECK: bad module is null: 1
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return !mlirModuleIsNull(bad);
}

/* The pass created through its generated C constructor. */
static int testCreatedPass(void) {
  fprintf(stderr, "@testCreatedPass\n");
  MlirContext ctx = createContext();
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kLayer));
  if (mlirModuleIsNull(module))
    return 1;
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  mlirPassManagerAddOwnedPass(pm, mlirCreateSoftMoESoftMoEDecompose());
  MlirLogicalResult result =
      mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module));
  fprintf(stderr, "run: %d, verifies: %d\n", mlirLogicalResultIsSuccess(result),
          mlirOperationVerify(mlirModuleGetOperation(module)));
  printCounts("decomposed", module);
  // CHECK-LABEL: @testCreatedPass
  // CHECK: run: 1, verifies: 1
  // CHECK: decomposed: layer=0 router=1 dispatch=1 expert_apply=1 combine=1
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return mlirLogicalResultIsFailure(result);
}

/* The lowering to linalg, created through its generated C constructor. */
static int testConversionPass(void) {
  fprintf(stderr, "@testConversionPass\n");
  MlirContext ctx = createContext();
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kLayer));
  if (mlirModuleIsNull(module))
    return 1;
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  mlirPassManagerAddOwnedPass(
      pm, mlirCreateSoftMoEConversionConvertSoftMoEToLinalg());
  MlirLogicalResult result =
      mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module));
  fprintf(stderr, "run: %d, verifies: %d\n", mlirLogicalResultIsSuccess(result),
          mlirOperationVerify(mlirModuleGetOperation(module)));
  printCounts("linalg", module);
  // CHECK-LABEL: @testConversionPass
  // CHECK: run: 1, verifies: 1
  // CHECK: linalg: layer=0 router=0 dispatch=0 expert_apply=0 combine=0 softmoe=0 linalg.generic={{[1-9][0-9]*}}
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return mlirLogicalResultIsFailure(result);
}

/* Runs a textual pipeline of registered passes on `source`; prints the
   counts. */
static int runPipelineOn(const char *source, const char *pipeline) {
  MlirContext ctx = createContext();
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(source));
  if (mlirModuleIsNull(module))
    return 1;
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirLogicalResult parsed = mlirParsePassPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString(pipeline), printToStderr, NULL);
  fprintf(stderr, "\nparsed '%s': %d\n", pipeline,
          mlirLogicalResultIsSuccess(parsed));
  int failed = mlirLogicalResultIsFailure(parsed);
  if (!failed) {
    MlirLogicalResult result =
        mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module));
    fprintf(stderr, "run: %d, verifies: %d\n",
            mlirLogicalResultIsSuccess(result),
            mlirOperationVerify(mlirModuleGetOperation(module)));
    printCounts("result", module);
    failed = mlirLogicalResultIsFailure(result);
  }
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
  return failed;
}

static int runPipeline(const char *pipeline) {
  return runPipelineOn(kLayer, pipeline);
}

/* Passes registered by name, then named in a textual pipeline. */
static int testRegisteredPipeline(void) {
  fprintf(stderr, "@testRegisteredPipeline\n");
  /* Unknown before registration. */
  int failed = !runPipeline("builtin.module(softmoe-decompose)");
  // CHECK-LABEL: @testRegisteredPipeline
  // CHECK: 'softmoe-decompose' does not refer to a registered pass
  // CHECK: parsed 'builtin.module(softmoe-decompose)': 0
  mlirRegisterAllSoftMoEPasses();
  mlirRegisterAllSoftMoEPasses(); /* A second call is harmless. */
  failed |= runPipeline("builtin.module(softmoe-decompose)");
  // CHECK: parsed 'builtin.module(softmoe-decompose)': 1
  // CHECK-NEXT: run: 1, verifies: 1
  // CHECK-NEXT: result: layer=0 router=1 dispatch=1 expert_apply=1 combine=1

  /* The registered pipeline, all the way to the LLVM dialect: only llvm ops
     are left, among them the C entry point of @layer. */
  failed |= runPipeline("builtin.module(softmoe-cpu-pipeline)");
  // CHECK: parsed 'builtin.module(softmoe-cpu-pipeline)': 1
  // CHECK-NEXT: run: 1, verifies: 1
  // CHECK-NEXT: result: layer=0 router=0 dispatch=0 expert_apply=0 combine=0 softmoe=0 linalg.generic=0 llvm.func={{[1-9][0-9]*}} ciface=1 not-llvm=0
  failed |= runPipeline(
      "builtin.module(softmoe-cpu-pipeline{emit-c-interface=false})");
  // CHECK: parsed 'builtin.module(softmoe-cpu-pipeline{emit-c-interface=false})': 1
  // CHECK-NEXT: run: 1, verifies: 1
  // CHECK-NEXT: result: {{.*}} softmoe=0 linalg.generic=0 llvm.func={{[1-9][0-9]*}} ciface=0 not-llvm=0

  /* A dynamic batch and token count get the register-tiled vector kernels
     too (vector FMAs), with no fallback warning in between. */
  failed |= runPipelineOn(kDynamicLayer, "builtin.module(softmoe-cpu-pipeline)");
  // CHECK-NOT: softmoe-cpu-codegen
  // CHECK: parsed 'builtin.module(softmoe-cpu-pipeline)': 1
  // CHECK-NEXT: run: 1, verifies: 1
  // CHECK-NEXT: result: {{.*}} softmoe=0 linalg.generic=0 llvm.func={{[1-9][0-9]*}} ciface=1 not-llvm=0 vector-fma={{[1-9][0-9]*}}
  return failed;
}

int main(void) {
  int failed = 0;
  failed |= testDialectHandle();
  failed |= testParseAndVerify();
  failed |= testCreatedPass();
  failed |= testConversionPass();
  failed |= testRegisteredPipeline();
  fprintf(stderr, "failed: %d\n", failed);
  // CHECK: failed: 0
  return failed;
}
