//===- Npy.h - Read and write NumPy .npy files ------------------*- C++ -*-===//
//
// A strict reader and an atomic writer for the NumPy .npy format (versions
// 1.0, 2.0 and 3.0), limited to the C-order little-endian element types the
// project exchanges with its Python reference: float32, float16 and bool, and
// float64 (numpy's default), which the runner converts only on request.
// Every field of a file is validated before it is used and every failure is a
// one-line llvm::Error, never an abort: these files come from users.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_SUPPORT_NPY_H
#define SOFTMOE_SUPPORT_NPY_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace mlir::softmoe {

/// The element types an .npy file may hold here.
enum class NpyDType {
  F32,  // '<f4'
  F16,  // '<f2'
  Bool, // '|b1', one byte per element, 0 or 1
  F64,  // '<f8', read only: no tensor holds it (see tensorFromNpy)
};

/// The numpy `descr` string of `dtype`, e.g. "<f4".
llvm::StringRef npyDescr(NpyDType dtype);
/// A short name for messages: "float32", "float16", "bool", "float64".
llvm::StringRef npyDTypeName(NpyDType dtype);
/// Bytes per element.
unsigned npyElementSize(NpyDType dtype);

/// A shape as Python prints it: "(2, 16, 32)", "(5,)", "()".
std::string formatShape(llvm::ArrayRef<int64_t> shape);

/// The number of elements of `shape`, or std::nullopt when a dimension is
/// negative or the product overflows int64_t.
std::optional<int64_t> checkedNumElements(llvm::ArrayRef<int64_t> shape);

/// A validated .npy file. The data bytes stay in the (usually memory-mapped)
/// file buffer; `data()` has exactly numElements() * elementSize() bytes.
class NpyArray {
public:
  NpyDType getDType() const { return dtype; }
  llvm::ArrayRef<int64_t> getShape() const { return shape; }
  int64_t getNumElements() const { return numElements; }
  llvm::ArrayRef<char> data() const {
    return {buffer->getBufferStart() + dataOffset,
            static_cast<size_t>(numElements) * npyElementSize(dtype)};
  }

private:
  friend llvm::Expected<NpyArray>
  parseNpy(std::unique_ptr<llvm::MemoryBuffer> file, llvm::StringRef name);
  NpyDType dtype = NpyDType::F32;
  llvm::SmallVector<int64_t> shape;
  int64_t numElements = 0;
  size_t dataOffset = 0;
  std::unique_ptr<llvm::MemoryBuffer> buffer;
};

/// Reads and validates `path`: magic string, version, header length, the
/// header dict ('descr', 'fortran_order' False, 'shape'), and that the file
/// holds exactly the bytes the shape needs. Bool files must hold only 0 and 1.
/// Error messages start with the path.
llvm::Expected<NpyArray> readNpy(llvm::StringRef path);

/// The checks of readNpy on the bytes of a file already in memory (`name`
/// starts the error messages). The array keeps `file`. For readNpy and the
/// .npy fuzzer (fuzz/softmoe-npy-fuzzer.cpp).
llvm::Expected<NpyArray> parseNpy(std::unique_ptr<llvm::MemoryBuffer> file,
                                  llvm::StringRef name);

/// Parses the header dict of an .npy file (the text between the length field
/// and the data), for tests and for readNpy.
llvm::Error parseNpyHeaderDict(llvm::StringRef dict, NpyDType &dtype,
                               llvm::SmallVectorImpl<int64_t> &shape);

/// Writes a C-order array as a version 1.0 .npy file (2.0 when the header
/// does not fit). The bytes go to a temporary file in the same folder that is
/// renamed onto `path` once complete, so an interrupted or failed write never
/// leaves a truncated `path` behind. `data` must hold exactly the bytes that
/// `shape` and `dtype` need.
llvm::Error writeNpy(llvm::StringRef path, NpyDType dtype,
                     llvm::ArrayRef<int64_t> shape, llvm::ArrayRef<char> data);

} // namespace mlir::softmoe

#endif // SOFTMOE_SUPPORT_NPY_H
