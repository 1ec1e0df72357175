//===- DiagnosticCollector.h - Error diagnostics as tool messages -*- C++ -*-===//
//
// Tools that run a pass pipeline report its errors as their own one-line
// messages ("softmoe-run: error: FILE:LINE:COL: ...") rather than through
// MLIR's default printer. This collects them while it is alive.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_SUPPORT_DIAGNOSTICCOLLECTOR_H
#define SOFTMOE_SUPPORT_DIAGNOSTICCOLLECTOR_H

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::softmoe {

/// "file:line:col" for a location that has one, else its printed form.
std::string formatLocation(Location loc);

/// Collects the error diagnostics emitted on `ctx` while it is alive, each as
/// "FILE:LINE:COL: message". It handles (and drops) the other severities, so
/// nothing reaches MLIR's default printer meanwhile.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *ctx);
  ~DiagnosticCollector();
  DiagnosticCollector(const DiagnosticCollector &) = delete;
  DiagnosticCollector &operator=(const DiagnosticCollector &) = delete;

  bool empty() const { return messages.empty(); }
  /// The messages joined by `separator` ("\n" for a tool's stderr, "; " for
  /// one line of an error string).
  std::string getText(llvm::StringRef separator = "\n") const;

private:
  llvm::SmallVector<std::string> messages;
  DiagnosticEngine::HandlerID id;
  MLIRContext *ctx;
};

} // namespace mlir::softmoe

#endif // SOFTMOE_SUPPORT_DIAGNOSTICCOLLECTOR_H
