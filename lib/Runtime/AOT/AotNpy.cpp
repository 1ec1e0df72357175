//===- AotNpy.cpp - Minimal .npy reading and writing for AOT binaries -----===//

#include "AotNpy.h"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

using namespace softmoe::aot;

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t s : shape)
    n *= s;
  return n;
}

namespace {

/// Finds `'key':` in a header dict and returns the text after the colon.
bool findKey(const std::string &header, const std::string &key,
             std::string &rest) {
  size_t pos = header.find("'" + key + "'");
  if (pos == std::string::npos)
    return false;
  pos = header.find(':', pos);
  if (pos == std::string::npos)
    return false;
  rest = header.substr(pos + 1);
  size_t start = rest.find_first_not_of(" ");
  rest = start == std::string::npos ? std::string() : rest.substr(start);
  return true;
}

} // namespace

bool softmoe::aot::readNpy(const std::string &path, NpyArray &array,
                           std::string &error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open file";
    return false;
  }
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0) {
    error = path + ": not a .npy file (bad magic)";
    return false;
  }
  uint32_t headerLen = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    if (!in.read(reinterpret_cast<char *>(b), 2)) {
      error = path + ": truncated header";
      return false;
    }
    headerLen = b[0] | (b[1] << 8);
  } else if (magic[6] == 2 || magic[6] == 3) {
    unsigned char b[4];
    if (!in.read(reinterpret_cast<char *>(b), 4)) {
      error = path + ": truncated header";
      return false;
    }
    headerLen = b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
  } else {
    error = path + ": unsupported .npy version " + std::to_string(magic[6]);
    return false;
  }
  if (headerLen > (1u << 20)) {
    error = path + ": implausible header length";
    return false;
  }
  std::string header(headerLen, '\0');
  if (!in.read(&header[0], headerLen)) {
    error = path + ": truncated header";
    return false;
  }
  std::string rest;
  if (!findKey(header, "descr", rest) || rest.size() < 2 || rest[0] != '\'') {
    error = path + ": header has no descr";
    return false;
  }
  array.descr = rest.substr(1, rest.find('\'', 1) - 1);
  if (array.descr != "<f4" && array.descr != "|b1") {
    error = path + ": element type " + array.descr +
            " is not supported (expected float32 '<f4' or bool '|b1')";
    return false;
  }
  if (!findKey(header, "fortran_order", rest) ||
      rest.compare(0, 5, "False") != 0) {
    error = path + ": only C-order arrays are supported";
    return false;
  }
  if (!findKey(header, "shape", rest) || rest.empty() || rest[0] != '(') {
    error = path + ": header has no shape";
    return false;
  }
  size_t close = rest.find(')');
  if (close == std::string::npos) {
    error = path + ": malformed shape";
    return false;
  }
  array.shape.clear();
  std::stringstream dims(rest.substr(1, close - 1));
  std::string item;
  while (std::getline(dims, item, ',')) {
    size_t s = item.find_first_not_of(" ");
    if (s == std::string::npos)
      continue;
    char *end = nullptr;
    long long v = std::strtoll(item.c_str() + s, &end, 10);
    if (v < 0 || end == item.c_str() + s) {
      error = path + ": malformed shape";
      return false;
    }
    array.shape.push_back(v);
  }
  size_t elemSize = array.descr == "<f4" ? 4 : 1;
  size_t bytes = size_t(array.numElements()) * elemSize;
  array.data.resize(bytes);
  if (bytes && !in.read(reinterpret_cast<char *>(array.data.data()), bytes)) {
    error = path + ": file is shorter than its shape says";
    return false;
  }
  return true;
}

bool softmoe::aot::writeNpyF32(const std::string &path,
                               const std::vector<int64_t> &shape,
                               const float *data, std::string &error) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  int64_t n = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    dict += shape.size() == 1 || i + 1 < shape.size() ? ", " : "";
    n *= shape[i];
  }
  if (shape.size() == 1)
    dict.resize(dict.size() - 1);
  dict += "), }";
  // Magic (6) + version (2) + length (2) + dict + padding + '\n' must be a
  // multiple of 64.
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';

  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      error = path + ": cannot create file";
      return false;
    }
    out.write("\x93NUMPY\x01\x00", 8);
    unsigned char len[2] = {static_cast<unsigned char>(dict.size() & 0xff),
                            static_cast<unsigned char>(dict.size() >> 8)};
    out.write(reinterpret_cast<char *>(len), 2);
    out << dict;
    out.write(reinterpret_cast<const char *>(data), n * sizeof(float));
    if (!out.good()) {
      out.close();
      std::remove(tmp.c_str());
      error = path + ": write failed";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    error = path + ": cannot rename the temporary file into place";
    return false;
  }
  return true;
}
