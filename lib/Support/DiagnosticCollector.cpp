//===- DiagnosticCollector.cpp - Error diagnostics as tool messages -------===//

#include "softmoe/Support/DiagnosticCollector.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::string mlir::softmoe::formatLocation(Location loc) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto flc = loc->findInstanceOf<FileLineColLoc>())
    os << flc.getFilename().getValue() << ":" << flc.getLine() << ":"
       << flc.getColumn();
  else
    loc.print(os);
  return s;
}

mlir::softmoe::DiagnosticCollector::DiagnosticCollector(MLIRContext *ctx)
    : ctx(ctx) {
  id = ctx->getDiagEngine().registerHandler([this](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      messages.push_back(formatLocation(diag.getLocation()) + ": " +
                         diag.str());
    return success(); // handled: tools print their own messages
  });
}

mlir::softmoe::DiagnosticCollector::~DiagnosticCollector() {
  ctx->getDiagEngine().eraseHandler(id);
}

std::string
mlir::softmoe::DiagnosticCollector::getText(llvm::StringRef separator) const {
  return llvm::join(messages, separator);
}
