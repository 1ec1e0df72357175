//===- Passes.cpp - C API of the softmoe passes ---------------------------===//

#include "softmoe-c/Passes.h"

#include "softmoe/Conversion/Passes.h"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.h"
#include "softmoe/InitSoftMoE.h"
#include "softmoe/Transforms/Passes.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/Pass/Pass.h"

using namespace mlir;
using namespace mlir::softmoe;

extern "C" {
#include "softmoe/Conversion/Passes.capi.cpp.inc"
#include "softmoe/Dialect/SoftMoE/Transforms/Passes.capi.cpp.inc"
#include "softmoe/Transforms/Passes.capi.cpp.inc"
}

void mlirRegisterAllSoftMoEPasses(void) {
  // C callers may register from several places; pipelines must be registered
  // once. A function-local static runs the registration once, thread-safely.
  static const bool registered = (registerAllSoftMoEPasses(), true);
  (void)registered;
}
