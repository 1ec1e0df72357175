//===- ToolSupport.h - Command-line plumbing of the tools -------*- C++ -*-===//
//
// What softmoe-run and softmoe-bench share around the JIT: one-line error
// reporting, command-line parsing whose errors are one line too, and the
// timing fields of their JSON output. Tool code, kept out of the libraries the
// tools are built from (lib/Tools, as CIRCT places its tools' support code).
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_TOOLS_TOOLSUPPORT_H
#define SOFTMOE_TOOLS_TOOLSUPPORT_H

#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <memory>

namespace mlir::softmoe {

struct TimingStats;
struct TensorSummary;

/// Prints "TOOL: error: MESSAGE" as one line on stderr; the lines of a
/// multi-line message (e.g. several diagnostics) are joined with "; ".
void reportError(llvm::StringRef tool, const llvm::Twine &message);

/// Parses the command line with only `category`'s options shown in --help.
/// Returns false after reporting a parse error (unknown flag, bad value) as
/// one line on stderr.
bool parseToolCommandLine(int argc, char **argv, llvm::StringRef overview,
                          llvm::cl::OptionCategory &category);

/// Creates the tools' `--threads T` option (the CPU pipeline's threads
/// option; 0 when not given). libLLVM registers a hidden global option of the
/// same name, which would make both registrations fail: it is unregistered
/// first. Call before parseToolCommandLine.
std::unique_ptr<llvm::cl::opt<int>>
makeThreadsOption(llvm::cl::OptionCategory &category);

/// Checks a tool's `--cpu NAME` for the JIT: a CPUTarget name whose
/// features this CPU has. The JIT runs what it compiles here, and kernels for
/// a CPU this one is not would stop on an illegal instruction (or fail in
/// LLVM's code generator).
llvm::Error checkJitCPU(llvm::StringRef cpu);

/// Creates `dir` and its parents when missing.
llvm::Error ensureDirectory(llvm::StringRef dir);

/// Writes "median_ms", "min_ms", "mean_ms", "max_ms" and "samples".
void writeTimingAttributes(llvm::json::OStream &json, const TimingStats &stats);

/// Writes "sum", "abs_sum" and "nonfinite".
void writeSummaryAttributes(llvm::json::OStream &json,
                            const TensorSummary &summary);

} // namespace mlir::softmoe

#endif // SOFTMOE_TOOLS_TOOLSUPPORT_H
