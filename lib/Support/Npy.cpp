//===- Npy.cpp - Read and write NumPy .npy files --------------------------===//
//
// Format:
// https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html A file
// is the magic "\x93NUMPY", a major and a minor version byte, the header length
// (uint16 little-endian in 1.0, uint32 in 2.0 and 3.0), the header (a Python
// dict literal padded with spaces and a final newline), and the raw data.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Support/Npy.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mlir::softmoe;

static constexpr char kMagic[] = "\x93NUMPY";
static constexpr size_t kMagicLen = 6;

StringRef mlir::softmoe::npyDescr(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return "<f4";
  case NpyDType::F16:
    return "<f2";
  case NpyDType::Bool:
    return "|b1";
  case NpyDType::F64:
    return "<f8";
  }
  llvm_unreachable("unknown NpyDType");
}

StringRef mlir::softmoe::npyDTypeName(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return "float32";
  case NpyDType::F16:
    return "float16";
  case NpyDType::Bool:
    return "bool";
  case NpyDType::F64:
    return "float64";
  }
  llvm_unreachable("unknown NpyDType");
}

unsigned mlir::softmoe::npyElementSize(NpyDType dtype) {
  switch (dtype) {
  case NpyDType::F32:
    return 4;
  case NpyDType::F16:
    return 2;
  case NpyDType::Bool:
    return 1;
  case NpyDType::F64:
    return 8;
  }
  llvm_unreachable("unknown NpyDType");
}

std::optional<int64_t>
mlir::softmoe::checkedNumElements(ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      return std::nullopt;
    if (MulOverflow(n, d, n))
      return std::nullopt;
  }
  return n;
}

std::string mlir::softmoe::formatShape(ArrayRef<int64_t> shape) {
  std::string s = "(";
  raw_string_ostream os(s);
  interleave(shape, os, ", ");
  if (shape.size() == 1)
    os << ",";
  os << ")";
  return s;
}

static Error makeError(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

//===----------------------------------------------------------------------===//
// Header dict parsing
//===----------------------------------------------------------------------===//

/// `text` from a file, fit for a one-line message: bytes outside printable
/// ASCII (newlines, escape sequences, UTF-8) as \HH.
static std::string escaped(StringRef text) {
  std::string s;
  raw_string_ostream os(s);
  printEscapedString(text, os);
  return s;
}

namespace {
/// A parser for the tiny subset of Python literals that .npy headers use:
/// a dict of string keys to strings, booleans and tuples of integers.
class DictParser {
public:
  explicit DictParser(StringRef text) : text(text) {}

  Error parse(NpyDType &dtype, SmallVectorImpl<int64_t> &shape) {
    std::optional<std::string> descr;
    std::optional<bool> fortranOrder;
    std::optional<SmallVector<int64_t>> parsedShape;

    skipSpace();
    if (!consume('{'))
      return fail("the header is not a dict (no '{')");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      if (Error err = parseString(key))
        return err;
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after key '" + escaped(key) + "'");
      skipSpace();
      if (key == "descr") {
        if (descr)
          return fail("duplicate key 'descr'");
        std::string value;
        if (Error err = parseString(value))
          return err;
        descr = std::move(value);
      } else if (key == "fortran_order") {
        if (fortranOrder)
          return fail("duplicate key 'fortran_order'");
        bool value;
        if (Error err = parseBool(value))
          return err;
        fortranOrder = value;
      } else if (key == "shape") {
        if (parsedShape)
          return fail("duplicate key 'shape'");
        SmallVector<int64_t> value;
        if (Error err = parseShape(value))
          return err;
        parsedShape = std::move(value);
      } else {
        return fail("unexpected key '" + escaped(key) + "'");
      }
      skipSpace();
      if (consume(','))
        continue;
      skipSpace();
      if (consume('}'))
        break;
      return fail("expected ',' or '}' in the header dict");
    }
    // Only the padding may follow: spaces and the final newline.
    if (text.substr(pos).find_first_not_of(" \t\n\r") != StringRef::npos)
      return fail("unexpected text after the header dict");

    if (!descr)
      return fail("the header has no 'descr'");
    if (!fortranOrder)
      return fail("the header has no 'fortran_order'");
    if (!parsedShape)
      return fail("the header has no 'shape'");
    if (*descr == "<f4")
      dtype = NpyDType::F32;
    else if (*descr == "<f2")
      dtype = NpyDType::F16;
    else if (*descr == "|b1")
      dtype = NpyDType::Bool;
    else if (*descr == "<f8")
      dtype = NpyDType::F64;
    else
      return makeError("unsupported dtype '" + escaped(*descr) +
                       "' (supported: float32 '<f4', float16 '<f2', bool "
                       "'|b1', and float64 '<f8' where the tool converts it; "
                       "little-endian)");
    if (*fortranOrder)
      return makeError("Fortran-order arrays are not supported (save a "
                       "C-order array, e.g. with np.ascontiguousarray)");
    shape.assign(parsedShape->begin(), parsedShape->end());
    return Error::success();
  }

private:
  Error fail(const Twine &msg) { return makeError("malformed header: " + msg); }

  void skipSpace() {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t'))
      ++pos;
  }

  bool consume(char c) {
    if (pos < text.size() && text[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  }

  bool consumeWord(StringRef word) {
    if (!text.substr(pos).starts_with(word))
      return false;
    pos += word.size();
    return true;
  }

  Error parseString(std::string &out) {
    if (pos >= text.size() || (text[pos] != '\'' && text[pos] != '"'))
      return fail("expected a quoted string");
    char quote = text[pos++];
    size_t end = text.find(quote, pos);
    if (end == StringRef::npos)
      return fail("unterminated string");
    StringRef body = text.slice(pos, end);
    if (body.contains('\\'))
      return fail("escapes in strings are not supported");
    out = body.str();
    pos = end + 1;
    return Error::success();
  }

  Error parseBool(bool &out) {
    if (consumeWord("True"))
      out = true;
    else if (consumeWord("False"))
      out = false;
    else
      return fail("'fortran_order' must be True or False");
    return Error::success();
  }

  Error parseInt(int64_t &out) {
    size_t start = pos;
    uint64_t value = 0;
    while (pos < text.size() && isDigit(text[pos])) {
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_add_overflow(value, text[pos] - '0', &value) ||
          value > static_cast<uint64_t>(INT64_MAX))
        return fail("a dimension of 'shape' is too large");
      ++pos;
    }
    if (pos == start)
      return fail("'shape' must be a tuple of non-negative integers");
    out = static_cast<int64_t>(value);
    return Error::success();
  }

  Error parseShape(SmallVectorImpl<int64_t> &out) {
    if (!consume('('))
      return fail("'shape' must be a tuple");
    bool sawComma = false;
    while (true) {
      skipSpace();
      if (consume(')'))
        break;
      int64_t dim;
      if (Error err = parseInt(dim))
        return err;
      out.push_back(dim);
      skipSpace();
      if (consume(',')) {
        sawComma = true;
        continue;
      }
      skipSpace();
      if (consume(')'))
        break;
      return fail("expected ',' or ')' in 'shape'");
    }
    // "(3)" is the integer 3 in Python, not a tuple.
    if (out.size() == 1 && !sawComma)
      return fail("'shape' must be a tuple, e.g. (3,)");
    return Error::success();
  }

  StringRef text;
  size_t pos = 0;
};
} // namespace

Error mlir::softmoe::parseNpyHeaderDict(StringRef dict, NpyDType &dtype,
                                        SmallVectorImpl<int64_t> &shape) {
  return DictParser(dict).parse(dtype, shape);
}

//===----------------------------------------------------------------------===//
// Reading
//===----------------------------------------------------------------------===//

Expected<NpyArray> mlir::softmoe::readNpy(StringRef path) {
  // Only a regular file has a size to check the header against: /dev/zero
  // would be read until memory runs out, and a FIFO without a writer blocks
  // the open forever. status() does not open the file.
  sys::fs::file_status status;
  if (std::error_code ec = sys::fs::status(path, status))
    return makeError(path + ": cannot read: " + ec.message());
  if (status.type() == sys::fs::file_type::directory_file)
    return makeError(path + ": is a directory, not an .npy file");
  if (status.type() != sys::fs::file_type::regular_file)
    return makeError(path + ": not a regular file (a device, FIFO or socket "
                            "cannot be checked against its size; save the "
                            "array to a file)");
  ErrorOr<std::unique_ptr<MemoryBuffer>> fileOr = MemoryBuffer::getFile(
      path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (std::error_code ec = fileOr.getError())
    return makeError(path + ": cannot read: " + ec.message());
  return parseNpy(std::move(*fileOr), path);
}

Expected<NpyArray>
mlir::softmoe::parseNpy(std::unique_ptr<MemoryBuffer> file, StringRef path) {
  auto withPath = [&](Error err) {
    return makeError(path + ": " + toString(std::move(err)));
  };
  StringRef bytes = file->getBuffer();

  if (bytes.size() < kMagicLen + 2 ||
      bytes.substr(0, kMagicLen) != StringRef(kMagic, kMagicLen))
    return makeError(path + ": not an .npy file (bad magic string)");
  unsigned major = static_cast<uint8_t>(bytes[kMagicLen]);
  unsigned minor = static_cast<uint8_t>(bytes[kMagicLen + 1]);
  if (major < 1 || major > 3 || minor != 0)
    return makeError(path + ": unsupported .npy version " + Twine(major) + "." +
                     Twine(minor) + " (supported: 1.0, 2.0, 3.0)");
  size_t lenBytes = major == 1 ? 2 : 4;
  size_t prefix = kMagicLen + 2 + lenBytes;
  if (bytes.size() < prefix)
    return makeError(path + ": truncated .npy header");
  uint64_t headerLen = 0;
  for (size_t i = 0; i < lenBytes; ++i)
    headerLen |= uint64_t(static_cast<uint8_t>(bytes[kMagicLen + 2 + i]))
                 << (8 * i);
  if (headerLen > bytes.size() - prefix)
    return makeError(path + ": truncated .npy header (the header claims " +
                     Twine(headerLen) + " bytes, the file has " +
                     Twine(bytes.size() - prefix) + " after the prefix)");
  StringRef dict = bytes.substr(prefix, headerLen);
  if (!dict.ends_with("\n"))
    return makeError(path + ": malformed header: it does not end with a "
                            "newline");

  NpyArray array;
  if (Error err = parseNpyHeaderDict(dict, array.dtype, array.shape))
    return withPath(std::move(err));

  std::optional<int64_t> numElements = checkedNumElements(array.shape);
  uint64_t dataBytes = 0;
  if (!numElements ||
      __builtin_mul_overflow(*numElements, npyElementSize(array.dtype),
                             &dataBytes) ||
      dataBytes > static_cast<uint64_t>(SIZE_MAX))
    return makeError(path + ": the shape " + formatShape(array.shape) +
                     " is too large");
  uint64_t dataStart = prefix + headerLen;
  uint64_t available = bytes.size() - dataStart;
  if (available < dataBytes)
    return makeError(path + ": truncated data: shape " +
                     formatShape(array.shape) + " of " +
                     npyDTypeName(array.dtype) + " needs " + Twine(dataBytes) +
                     " bytes, the file holds " + Twine(available));
  if (available > dataBytes)
    return makeError(path + ": " + Twine(available - dataBytes) +
                     " unexpected bytes after the data of shape " +
                     formatShape(array.shape));

  array.numElements = *numElements;
  array.dataOffset = dataStart;
  array.buffer = std::move(file);
  if (array.dtype == NpyDType::Bool) {
    ArrayRef<char> data = array.data();
    const char *bad =
        llvm::find_if(data, [](char c) { return c != 0 && c != 1; });
    if (bad != data.end())
      return makeError(path + ": bool element " + Twine(bad - data.begin()) +
                       " is neither 0 nor 1");
  }
  return std::move(array);
}

//===----------------------------------------------------------------------===//
// Writing
//===----------------------------------------------------------------------===//

Error mlir::softmoe::writeNpy(StringRef path, NpyDType dtype,
                              ArrayRef<int64_t> shape, ArrayRef<char> data) {
  std::optional<int64_t> numElements = checkedNumElements(shape);
  uint64_t dataBytes = 0;
  if (!numElements ||
      __builtin_mul_overflow(*numElements, npyElementSize(dtype), &dataBytes) ||
      dataBytes != data.size())
    return makeError(path + ": internal error: " + Twine(data.size()) +
                     " data bytes do not match the shape " +
                     formatShape(shape));

  std::string dict =
      ("{'descr': '" + npyDescr(dtype) +
       "', 'fortran_order': False, 'shape': " + formatShape(shape) + ", }")
          .str();
  // Pad with spaces so that the data starts 64-byte aligned, as numpy does.
  unsigned major = 1;
  size_t prefix = kMagicLen + 2 + 2;
  size_t total = alignTo(prefix + dict.size() + 1, 64);
  if (total - prefix > UINT16_MAX) {
    major = 2;
    prefix = kMagicLen + 2 + 4;
    total = alignTo(prefix + dict.size() + 1, 64);
  }
  uint64_t headerLen = total - prefix;
  dict.append(headerLen - dict.size() - 1, ' ');
  dict.push_back('\n');

  SmallString<256> tmpPath;
  int fd;
  if (std::error_code ec =
          sys::fs::createUniqueFile(path + ".tmp-%%%%%%%%", fd, tmpPath))
    return makeError(path +
                     ": cannot create a temporary file: " + ec.message());
  sys::RemoveFileOnSignal(tmpPath);
  auto cleanup = [&](const Twine &msg) {
    sys::fs::remove(tmpPath);
    sys::DontRemoveFileOnSignal(tmpPath);
    return makeError(path + ": " + msg);
  };
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os.write(kMagic, kMagicLen);
    os << static_cast<char>(major) << '\0';
    for (size_t i = 0; i < prefix - kMagicLen - 2; ++i)
      os << static_cast<char>((headerLen >> (8 * i)) & 0xff);
    os << dict;
    os.write(data.data(), data.size());
    os.close();
    if (os.has_error()) {
      std::string msg = os.error().message();
      os.clear_error();
      return cleanup("cannot write: " + msg);
    }
  }
  if (std::error_code ec = sys::fs::rename(tmpPath, path))
    return cleanup("cannot rename the temporary file into place: " +
                   ec.message());
  sys::DontRemoveFileOnSignal(tmpPath);
  return Error::success();
}
