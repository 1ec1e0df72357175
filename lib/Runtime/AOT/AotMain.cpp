//===- AotMain.cpp - main() of executables built with --aot-out -----------===//
//
// Runs one AOT-compiled Soft MoE layer with softmoe-bench's flags and prints
// the same one-line JSON object. The shape, element type and options were
// fixed at compile time (softmoe_aot_config); flags that name them are checked
// against it. Inputs come from --inputs DIR (float32 .npy, rounded to the
// layer's element type) or are drawn from --seed; timing covers the whole
// compiled entry point (stream creation, intermediates, every kernel and the
// final synchronisation), median and minimum over --repeat runs after
// --warmup runs.
//
//===----------------------------------------------------------------------===//

#include "AotNpy.h"

#include "softmoe/Runtime/AotConfig.h"
#include "softmoe/Runtime/CudaRuntime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace softmoe::aot;

namespace {

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::exit(1);
}

const char *dtypeName(int dtype) {
  switch (dtype) {
  case SOFTMOE_AOT_BF16:
    return "bf16";
  case SOFTMOE_AOT_F16:
    return "f16";
  case SOFTMOE_AOT_I1:
    return "i1";
  default:
    return "f32";
  }
}

size_t dtypeSize(int dtype) {
  return dtype == SOFTMOE_AOT_F32 ? 4 : dtype == SOFTMOE_AOT_I1 ? 1 : 2;
}

uint16_t toBF16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) // NaN stays a quiet NaN
    return static_cast<uint16_t>((u >> 16) | 0x40);
  u += 0x7fffu + ((u >> 16) & 1); // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}

float fromBF16(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

uint16_t toF16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  uint32_t sign = (u >> 16) & 0x8000u;
  uint32_t absu = u & 0x7fffffffu;
  if (absu > 0x7f800000u)
    return static_cast<uint16_t>(sign | 0x7e00u);
  if (absu >= 0x477ff000u) // rounds to >= 65520: infinity
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (absu < 0x38800000u) { // subnormal or zero in f16
    float a;
    std::memcpy(&a, &absu, 4);
    // a * 2^24 rounded to nearest even is the subnormal's integer payload.
    uint32_t payload = static_cast<uint32_t>(std::nearbyint(a * 16777216.0f));
    return static_cast<uint16_t>(sign | payload);
  }
  uint32_t exp = ((absu >> 23) - 112) << 10;
  uint32_t mant = absu & 0x7fffffu;
  uint32_t h = exp | (mant >> 13);
  uint32_t rest = mant & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
    ++h;
  return static_cast<uint16_t>(sign | h);
}

float fromF16(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  float f;
  if (exp == 0) {
    f = std::ldexp(static_cast<float>(mant), -24);
    uint32_t u;
    std::memcpy(&u, &f, 4);
    u |= sign;
    std::memcpy(&f, &u, 4);
    return f;
  }
  uint32_t u = sign | (exp == 31 ? (0xffu << 23) | (mant << 13)
                                 : ((exp + 112) << 23) | (mant << 13));
  std::memcpy(&f, &u, 4);
  return f;
}

/// One operand of the layer: its shape, host data in the layer's element type
/// and its device copy.
struct Operand {
  std::string name;
  int dtype = SOFTMOE_AOT_F32;
  bool isOutput = false;
  std::vector<int64_t> shape;
  std::vector<unsigned char> host;
  size_t elemSize = 4;
  void *device = nullptr;
  std::vector<int64_t> descriptor; // StridedMemRefType as 64-bit words

  int64_t numElements() const {
    int64_t n = 1;
    for (int64_t s : shape)
      n *= s;
    return n;
  }
  size_t bytes() const { return size_t(numElements()) * elemSize; }
};

std::string shapeStr(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Converts float32 values to the layer's element type.
void encode(const float *src, int64_t n, int dtype,
            std::vector<unsigned char> &out) {
  out.resize(size_t(n) * dtypeSize(dtype));
  if (dtype == SOFTMOE_AOT_F32) {
    std::memcpy(out.data(), src, size_t(n) * 4);
    return;
  }
  auto *dst = reinterpret_cast<uint16_t *>(out.data());
  for (int64_t i = 0; i < n; ++i)
    dst[i] = dtype == SOFTMOE_AOT_BF16 ? toBF16(src[i]) : toF16(src[i]);
}

struct Options {
  std::string inputs, saveOutputs;
  int repeat = 10, warmup = 2, threads = 1;
  uint64_t seed = 0;
};

void usage(const char *argv0) {
  const SoftMoEAotConfig &c = softmoe_aot_config;
  std::printf("usage: %s [--inputs DIR] [--save-outputs DIR] [--repeat R] "
              "[--warmup W] [--seed S]\n",
              argv0);
  if (c.isLayer)
    std::printf(
        "  An AOT-compiled Soft MoE layer for CUDA GPUs: batch %lld, tokens "
        "%lld, dim %lld, experts %lld, slots %lld, hidden %lld, %s, %s%s%s.\n"
        "  Shape and option flags of softmoe-bench are accepted and must "
        "match.\n",
        (long long)c.batch, (long long)c.tokens, (long long)c.dim,
        (long long)c.experts, (long long)c.slots, (long long)c.hidden,
        dtypeName(c.dtype), c.activation, c.normalize ? ", normalize" : "",
        c.mask ? ", mask" : "");
  else
    std::printf("  An AOT-compiled function for CUDA GPUs.\n");
  std::printf("  Arguments (inputs read as float32/bool NAME.npy, outputs "
              "written as float32 NAME.npy):\n");
  for (int i = 0; i < c.numArgs; ++i) {
    const SoftMoEAotArg &a = c.args[i];
    std::printf("    %s %s %s[", a.isOutput ? "output" : "input ", a.name,
                dtypeName(a.dtype));
    for (int d = 0; d < a.rank; ++d)
      std::printf("%s%lld", d ? "," : "", (long long)a.shape[d]);
    std::printf("]\n");
  }
  std::printf("  Kernels: %s.\n", c.kernels);
}

Options parseArgs(int argc, char **argv) {
  const SoftMoEAotConfig &c = softmoe_aot_config;
  Options o;
  std::map<std::string, int64_t> shapeFlags = {
      {"--batch", c.batch},     {"--tokens", c.tokens},
      {"--dim", c.dim},         {"--experts", c.experts},
      {"--slots", c.slots},     {"--hidden", c.hidden}};
  auto value = [&](int &i) -> std::string {
    if (i + 1 >= argc)
      die(std::string("flag ") + argv[i] + " needs a value");
    return argv[++i];
  };
  auto integer = [&](int &i, long long lo) -> long long {
    std::string flag = argv[i], v = value(i);
    char *end = nullptr;
    long long x = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end || x < lo)
      die("flag " + flag + " needs an integer >= " + std::to_string(lo) +
          ", got '" + v + "'");
    return x;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      usage(argv[0]);
      std::exit(0);
    } else if (a == "--inputs") {
      o.inputs = value(i);
    } else if (a == "--save-outputs") {
      o.saveOutputs = value(i);
    } else if (a == "--repeat") {
      o.repeat = int(integer(i, 1));
    } else if (a == "--warmup") {
      o.warmup = int(integer(i, 0));
    } else if (a == "--seed") {
      o.seed = uint64_t(integer(i, 0));
    } else if (a == "--threads") {
      o.threads = int(integer(i, 1));
    } else if (a == "--target") {
      std::string v = value(i);
      if (v != "cuda")
        die("--target " + v + ": this executable runs on CUDA GPUs only");
    } else if (!c.isLayer) {
      die("unknown flag '" + a + "' (see --help)");
    } else if (shapeFlags.count(a)) {
      long long v = integer(i, 1);
      if (v != shapeFlags[a])
        die(a + " " + std::to_string(v) + " differs from the size " +
            std::to_string(shapeFlags[a]) + " this executable was built for");
    } else if (a == "--dtype") {
      std::string v = value(i);
      if (v != dtypeName(c.dtype))
        die("--dtype " + v + " differs from " + dtypeName(c.dtype) +
            ", the element type this executable was built for");
    } else if (a == "--activation") {
      std::string v = value(i);
      if (v != c.activation)
        die("--activation " + v + " differs from " + c.activation +
            ", the activation this executable was built for");
    } else if (a == "--normalize" || a == "--mask") {
      bool built = a == "--normalize" ? c.normalize : c.mask;
      if (!built)
        die(a + " given, but this executable was built without it");
    } else {
      die("unknown flag '" + a + "' (see --help)");
    }
  }
  return o;
}

/// Fills the input operands from --inputs or from a seeded generator.
void loadInputs(const Options &o, std::vector<Operand> &ops) {
  const SoftMoEAotConfig &c = softmoe_aot_config;
  if (o.inputs.empty()) {
    // For the layer, the scales of peers/softmoe_ref.py's make_inputs (not
    // its values); standard normal values otherwise.
    std::mt19937_64 gen(o.seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::map<std::string, float> scale;
    if (c.isLayer)
      scale = {{"phi", 1.0f / std::sqrt(float(c.dim))},
               {"w1", 1.0f / std::sqrt(float(c.dim))},
               {"b1", 0.1f},
               {"w2", 1.0f / std::sqrt(float(c.hidden))},
               {"b2", 0.1f}};
    for (Operand &op : ops) {
      if (op.isOutput)
        continue;
      if (op.dtype == SOFTMOE_AOT_I1) {
        op.host.assign(size_t(op.numElements()), 1);
        if (c.isLayer && op.name == "mask") {
          // Every group keeps its first token and loses a tail, as in
          // make_inputs.
          int64_t half = std::max<int64_t>(1, c.tokens / 2);
          for (int64_t b = 0; b < c.batch; ++b)
            for (int64_t m = c.tokens - 1 - (b * 3) % half; m < c.tokens; ++m)
              if (m > 0)
                op.host[size_t(b * c.tokens + m)] = 0;
        } else {
          for (unsigned char &v : op.host)
            v = normal(gen) > 0;
        }
        continue;
      }
      std::vector<float> v(size_t(op.numElements()));
      if (c.isLayer && op.name == "scale") {
        v[0] = 3.0f;
      } else {
        float sc = scale.count(op.name) ? scale[op.name] : 1.0f;
        for (float &x : v)
          x = normal(gen) * sc;
      }
      encode(v.data(), op.numElements(), op.dtype, op.host);
    }
    return;
  }
  for (Operand &op : ops) {
    if (op.isOutput)
      continue;
    NpyArray a;
    std::string error;
    std::string path = o.inputs + "/" + op.name + ".npy";
    if (!readNpy(path, a, error))
      die(error);
    if (a.shape != op.shape)
      die(path + " has shape " + shapeStr(a.shape) +
          ", but this executable was built for " + shapeStr(op.shape));
    if (op.dtype == SOFTMOE_AOT_I1) {
      if (a.descr != "|b1")
        die(path + " must hold bool values");
      op.host = a.data;
    } else {
      if (a.descr != "<f4")
        die(path + " must hold float32 values");
      encode(reinterpret_cast<const float *>(a.data.data()), a.numElements(),
             op.dtype, op.host);
    }
  }
  if (!c.isLayer)
    return;
  // Files that the layer does not use would silently change it.
  const char *optional[] = {"scale", "mask"};
  for (const char *name : optional) {
    bool used = std::any_of(ops.begin(), ops.end(),
                            [&](const Operand &op) { return op.name == name; });
    std::string path = o.inputs + "/" + name + ".npy";
    std::FILE *f = used ? nullptr : std::fopen(path.c_str(), "rb");
    if (f) {
      std::fclose(f);
      die(path + " exists, but this executable was built without " +
          (std::string(name) == "scale" ? "normalize" : "mask"));
    }
  }
}

float decode(const Operand &op, size_t i) {
  switch (op.dtype) {
  case SOFTMOE_AOT_F32: {
    float f;
    std::memcpy(&f, &op.host[i * 4], 4);
    return f;
  }
  case SOFTMOE_AOT_I1:
    return op.host[i] ? 1.0f : 0.0f;
  default: {
    uint16_t h;
    std::memcpy(&h, &op.host[i * 2], 2);
    return op.dtype == SOFTMOE_AOT_BF16 ? fromBF16(h) : fromF16(h);
  }
  }
}

} // namespace

int main(int argc, char **argv) {
  const SoftMoEAotConfig &c = softmoe_aot_config;
  Options o = parseArgs(argc, argv);

  std::vector<Operand> ops;
  for (int i = 0; i < c.numArgs; ++i) {
    const SoftMoEAotArg &a = c.args[i];
    Operand op;
    op.name = a.name;
    op.dtype = a.dtype;
    op.isOutput = a.isOutput;
    op.shape.assign(a.shape, a.shape + a.rank);
    op.elemSize = dtypeSize(a.dtype);
    ops.push_back(std::move(op));
  }
  loadInputs(o, ops);

  char message[1024];
  if (softmoeCudaInit(message, sizeof(message)) != 0)
    die(message);
  char device[512] = "unknown";
  softmoeCudaDeviceDescription(device, sizeof(device));

  for (Operand &op : ops) {
    op.device = mgpuMemAlloc(op.bytes(), nullptr, false);
    if (!op.isOutput)
      mgpuMemcpy(op.device, op.host.data(), op.bytes(), nullptr);
    else if (op.bytes() % 2 == 0) // NaN poison shows unwritten elements
      mgpuMemset16(op.device, 0xffff, op.bytes() / 2, nullptr);
    // {allocated, aligned, offset, sizes..., strides...}
    int64_t rank = int64_t(op.shape.size());
    op.descriptor.assign(size_t(3 + 2 * rank), 0);
    op.descriptor[0] = reinterpret_cast<int64_t>(op.device);
    op.descriptor[1] = reinterpret_cast<int64_t>(op.device);
    int64_t stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      op.descriptor[size_t(3 + d)] = op.shape[size_t(d)];
      op.descriptor[size_t(3 + rank + d)] = stride;
      stride *= op.shape[size_t(d)];
    }
  }
  softmoeCudaSynchronize();
  std::vector<void *> args;
  for (Operand &op : ops)
    args.push_back(op.descriptor.data());

  for (int i = 0; i < o.warmup; ++i)
    softmoe_aot_invoke(args.data());
  std::vector<double> times;
  for (int i = 0; i < o.repeat; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    softmoe_aot_invoke(args.data());
    auto t1 = std::chrono::steady_clock::now();
    times.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }

  size_t nonFinite = 0;
  for (Operand &op : ops) {
    if (!op.isOutput)
      continue;
    op.host.resize(op.bytes());
    mgpuMemcpy(op.host.data(), op.device, op.bytes(), nullptr);
    softmoeCudaSynchronize();
    std::vector<float> values(size_t(op.numElements()));
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = decode(op, i);
      nonFinite += !std::isfinite(values[i]);
    }
    if (!o.saveOutputs.empty()) {
      std::string error;
      if (!writeNpyF32(o.saveOutputs + "/" + op.name + ".npy", op.shape,
                       values.data(), error))
        die(error);
    }
  }
  for (Operand &op : ops)
    mgpuMemFree(op.device, nullptr);

  std::vector<double> sorted = times;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  double median =
      n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  std::string dev = device;
  for (char &ch : dev)
    if (ch == '"' || ch == '\\')
      ch = '\'';
  std::printf("{\"median_ms\": %.6f, \"min_ms\": %.6f, ", median,
              sorted.front());
  if (c.isLayer) {
    // The first layer is as wide as w1's last dimension: hidden, or twice
    // that for a gated activation.
    double width = double(c.hidden);
    for (int i = 0; i < c.numArgs; ++i)
      if (!c.args[i].isOutput && std::string(c.args[i].name) == "w1" &&
          c.args[i].rank == 3)
        width = double(c.args[i].shape[2]);
    double S = double(c.experts * c.slots);
    double flops = 2.0 * c.batch * c.tokens * c.dim * S * 3 +
                   2.0 * c.batch * S * c.dim * (width + c.hidden);
    std::printf(
        "\"gflops\": %.3f, \"dtype\": \"%s\", \"batch\": %lld, "
        "\"tokens\": %lld, \"dim\": %lld, \"experts\": %lld, "
        "\"slots\": %lld, \"hidden\": %lld, \"activation\": \"%s\", "
        "\"normalize\": %s, \"mask\": %s, ",
        flops / (median * 1e-3) / 1e9, dtypeName(c.dtype), (long long)c.batch,
        (long long)c.tokens, (long long)c.dim, (long long)c.experts,
        (long long)c.slots, (long long)c.hidden, c.activation,
        c.normalize ? "true" : "false", c.mask ? "true" : "false");
  }
  std::printf("\"compile_ms\": %.3f, \"threads\": %d, \"target\": "
              "\"cuda\", \"repeat\": %d, \"warmup\": %d, \"aot\": true, "
              "\"kernels\": \"%s\", \"device\": \"%s\", "
              "\"nonfinite_outputs\": %zu}\n",
              c.compileMs, o.threads, o.repeat, o.warmup, c.kernels,
              dev.c_str(), nonFinite);
  return 0;
}
