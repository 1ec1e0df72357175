//===- softmoe-npy-fuzzer.cpp - Fuzz the .npy reader ----------------------===//
//
// libFuzzer entry point: the input is the bytes of an .npy file, checked by
// parseNpy exactly as readNpy checks a file (readNpy adds only the file-type
// test and the read). An accepted array must describe bytes that lie inside
// the input and match its shape and dtype; every byte is read (bool arrays
// were checked to hold 0 and 1 only), so that ASan sees any overrun. The
// converters of the runner then take it (tensorFromNpy to each element type
// it may feed), as softmoe-run and softmoe-bench do.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Runner/HostTensor.h"
#include "softmoe/Support/Npy.h"

#include "llvm/Support/MemoryBuffer.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace mlir::softmoe;

// See softmoe-pipeline-fuzzer.cpp.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::unique_ptr<llvm::MemoryBuffer> file =
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "input.npy");
  llvm::Expected<NpyArray> array = parseNpy(std::move(file), "input.npy");
  if (!array) {
    llvm::consumeError(array.takeError());
    return 0;
  }
  std::optional<int64_t> n = checkedNumElements(array->getShape());
  llvm::ArrayRef<char> bytes = array->data();
  if (!n || *n != array->getNumElements() ||
      bytes.size() != static_cast<size_t>(*n) * npyElementSize(array->getDType()) ||
      bytes.size() > size)
    std::abort();
  unsigned sum = 0;
  for (char c : bytes)
    sum += static_cast<unsigned char>(c);
  if (array->getDType() == NpyDType::Bool && sum > bytes.size())
    std::abort();

  // The conversions the runner applies; element types that do not fit are
  // errors, not crashes.
  for (ElementKind kind :
       {ElementKind::F32, ElementKind::BF16, ElementKind::F16, ElementKind::I1}) {
    llvm::Expected<HostTensor> t = tensorFromNpy(*array, kind, "input.npy");
    if (!t) {
      llvm::consumeError(t.takeError());
      continue;
    }
    if (t->getNumElements() != *n)
      std::abort();
  }
  return 0;
}
