//===- ToolSupport.cpp - Command-line plumbing of the runner tools --------===//

#include "softmoe/Tools/ToolSupport.h"

#include "softmoe/Codegen/CPUTarget.h"
#include "softmoe/Runner/HostTensor.h"
#include "softmoe/Runner/JitRunner.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir::softmoe;

/// The non-empty lines of `text`, trimmed, joined with "; ", without a
/// leading "TOOL: " that cl puts on each of its lines.
static std::string joinLines(StringRef text, StringRef tool) {
  SmallVector<StringRef> lines;
  text.split(lines, '\n', -1, /*KeepEmpty=*/false);
  std::string joined;
  for (StringRef line : lines) {
    line = line.trim();
    if (!tool.empty() && line.starts_with(tool) &&
        line.drop_front(tool.size()).starts_with(": "))
      line = line.drop_front(tool.size() + 2).trim();
    if (line.empty())
      continue;
    if (!joined.empty())
      joined += "; ";
    joined += line.str();
  }
  return joined;
}

void mlir::softmoe::reportError(StringRef tool, const Twine &message) {
  std::string text = message.str();
  errs() << tool << ": error: " << joinLines(text, "") << "\n";
  errs().flush();
}

bool mlir::softmoe::parseToolCommandLine(int argc, char **argv,
                                         StringRef overview,
                                         cl::OptionCategory &category) {
  cl::HideUnrelatedOptions(category);
  std::string errors;
  raw_string_ostream errStream(errors);
  if (cl::ParseCommandLineOptions(argc, argv, overview, &errStream))
    return true;
  // Bad option values are reported by cl::Option::error straight to errs(),
  // already as one line; only the errors cl sends to `errStream` (unknown
  // arguments, with their suggestions) are left to print.
  StringRef tool = sys::path::filename(argv[0]);
  std::string joined = joinLines(errors, tool);
  if (!joined.empty())
    reportError(tool, joined);
  return false;
}

std::unique_ptr<cl::opt<int>>
mlir::softmoe::makeThreadsOption(cl::OptionCategory &category) {
  auto &registered = cl::getRegisteredOptions();
  auto it = registered.find("threads");
  if (it != registered.end())
    it->second->removeArgument();
  return std::make_unique<cl::opt<int>>(
      "threads",
      cl::desc("Threads the compiled code may use (the CPU pipeline's threads "
               "option; default: its default)"),
      cl::init(0), cl::cat(category));
}

Error mlir::softmoe::checkJitCPU(StringRef cpu) {
  std::optional<CPUTarget> named = CPUTarget::get(cpu);
  if (!named)
    return createStringError("--cpu must be " + CPUTarget::knownNames() +
                             ", not '" + cpu + "'");
  SmallVector<std::string> missing = named->missingOnHost();
  if (!missing.empty())
    return createStringError("--cpu " + cpu + " needs " + llvm::join(missing, ", ") +
                             ", which this CPU lacks; name a CPU it has (or "
                             "host)");
  return Error::success();
}

Error mlir::softmoe::ensureDirectory(StringRef dir) {
  if (std::error_code ec = sys::fs::create_directories(dir))
    return createStringError(dir +
                             ": cannot create the folder: " + ec.message());
  return Error::success();
}

void mlir::softmoe::writeTimingAttributes(json::OStream &json,
                                          const TimingStats &stats) {
  json.attribute("median_ms", stats.medianMs);
  json.attribute("min_ms", stats.minMs);
  json.attribute("mean_ms", stats.meanMs);
  json.attribute("max_ms", stats.maxMs);
  json.attribute("samples", static_cast<int64_t>(stats.samplesMs.size()));
}

void mlir::softmoe::writeSummaryAttributes(json::OStream &json,
                                           const TensorSummary &summary) {
  json.attribute("sum", summary.sum);
  json.attribute("abs_sum", summary.absSum);
  json.attribute("nonfinite", summary.nonFinite);
}
