//===- SoftMoELayer.cpp - One Soft MoE layer, built and fed ---------------===//

#include "softmoe/Runner/SoftMoELayer.h"

#include "softmoe/Support/FloatRounding.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <thread>
#include <vector>

using llvm::createStringError;
using llvm::Error;
using llvm::Expected;
using llvm::toString;
using namespace mlir;
using namespace mlir::softmoe;

SmallVector<const HostTensor *> LayerInputs::arguments() const {
  SmallVector<const HostTensor *> args = {&x, &phi, &w1, &b1, &w2, &b2};
  if (scale)
    args.push_back(&*scale);
  if (mask)
    args.push_back(&*mask);
  return args;
}

//===----------------------------------------------------------------------===//
// Random inputs
//===----------------------------------------------------------------------===//

namespace {
/// splitmix64, to seed and to mix stream numbers into seeds.
uint64_t splitMix(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// xoshiro256** (Blackman and Vigna): small, fast, good enough for test data.
class Xoshiro256 {
public:
  explicit Xoshiro256(uint64_t seed) {
    for (uint64_t &word : s)
      word = splitMix(seed);
  }
  uint64_t next() {
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() { return (next() >> 11) * 0x1.0p-53; }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s[4];
};
} // namespace

/// Fills `tensor` with `stddev` * N(0, 1) samples. The data is cut into
/// fixed chunks, each with its own generator seeded from (seed, stream,
/// chunk), so threads can fill chunks in any order with the same result.
/// `tensor` holds the elements [flatBegin, flatBegin + size) of the stream:
/// a process holding some experts' weights draws the same values as one
/// holding all of them, without drawing the others.
static void fillNormal(HostTensor &tensor, double stddev, uint64_t seed,
                       uint64_t stream, int64_t flatBegin = 0) {
  constexpr int64_t kChunk = 1 << 16;
  int64_t n = tensor.getNumElements();
  int64_t firstChunk = flatBegin / kChunk;
  int64_t chunks = n == 0 ? 0 : (flatBegin + n - 1) / kChunk + 1 - firstChunk;
  std::atomic<int64_t> nextChunk{0};
  auto work = [&] {
    std::vector<float> values(kChunk);
    for (int64_t next; (next = nextChunk++) < chunks;) {
      int64_t c = firstChunk + next;
      uint64_t mix = seed ^ (stream * 0x632be59bd9b4e019ull);
      uint64_t chunkSeed = splitMix(mix) ^ static_cast<uint64_t>(c);
      Xoshiro256 rng(chunkSeed);
      // The part of chunk c inside the tensor: [lo, hi) of the stream.
      int64_t lo = std::max(c * kChunk, flatBegin);
      int64_t hi = std::min((c + 1) * kChunk, flatBegin + n);
      int64_t len = hi - c * kChunk;
      for (int64_t i = 0; i < len; i += 2) {
        // Box-Muller: two independent normals from two uniforms.
        double u1 = 1.0 - rng.uniform(), u2 = rng.uniform();
        double r = std::sqrt(-2.0 * std::log(u1)) * stddev;
        values[i] = static_cast<float>(r * std::cos(2 * M_PI * u2));
        if (i + 1 < len)
          values[i + 1] = static_cast<float>(r * std::sin(2 * M_PI * u2));
      }
      ArrayRef<float> part =
          ArrayRef(values).slice(lo - c * kChunk, hi - lo);
      int64_t begin = lo - flatBegin;
      switch (tensor.getKind()) {
      case ElementKind::F32:
        std::copy(part.begin(), part.end(),
                  tensor.elements<float>().begin() + begin);
        break;
      case ElementKind::BF16:
        roundF32ToBF16(part, tensor.elements<uint16_t>().slice(begin, hi - lo));
        break;
      case ElementKind::F16:
        roundF32ToF16(part, tensor.elements<uint16_t>().slice(begin, hi - lo));
        break;
      case ElementKind::I1:
        llvm_unreachable("no random booleans");
      }
    }
  };
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<int64_t>(threads, chunks));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (std::thread &t : pool)
    t.join();
}

Error mlir::softmoe::checkExpertShard(int64_t experts,
                                      const ExpertShard &shard) {
  if (shard.ranks < 1 || shard.rank < 0 || shard.rank >= shard.ranks)
    return createStringError("rank " + Twine(shard.rank) + " of " +
                             Twine(shard.ranks) + " is not a process");
  if (experts % shard.ranks != 0)
    return createStringError(
        "--shard-experts: " + Twine(experts) +
        " experts cannot be split evenly over " + Twine(shard.ranks) +
        " ranks (N must be divisible by the number of MPI processes)");
  return Error::success();
}

Expected<LayerInputs>
mlir::softmoe::makeRandomLayerInputs(const LayerConfig &config, uint64_t seed,
                                     std::optional<ExpertShard> shard) {
  if (Error err = checkLayerConfig(config))
    return std::move(err);
  const LayerShape &s = config.shape;
  int64_t width = firstLayerWidthFactor(config.activation) * s.hidden;
  // The experts this process holds: [first, first + local).
  int64_t first = 0, local = s.experts;
  if (shard) {
    if (Error err = checkExpertShard(s.experts, *shard))
      return std::move(err);
    local = s.experts / shard->ranks;
    first = shard->rank * local;
  }
  LayerInputs in;
  struct Spec {
    HostTensor *tensor;
    SmallVector<int64_t> shape;
    double stddev;
  } specs[] = {
      {&in.x, {s.batch, s.tokens, s.dim}, 1.0},
      {&in.phi, {s.dim, s.experts, s.slots}, 1.0 / std::sqrt(double(s.dim))},
      {&in.w1, {local, s.dim, width}, 1.0 / std::sqrt(double(s.dim))},
      {&in.b1, {local, width}, 0.1},
      {&in.w2, {local, s.hidden, s.dim}, 1.0 / std::sqrt(double(s.hidden))},
      {&in.b2, {local, s.dim}, 0.1}};
  for (auto [stream, spec] : llvm::enumerate(specs)) {
    Expected<HostTensor> t = HostTensor::allocate(config.dtype, spec.shape);
    if (!t)
      return t.takeError();
    *spec.tensor = std::move(*t);
    // The expert weights lead with N: this rank's experts are one run of
    // the stream.
    int64_t perExpert = spec.tensor->getNumElements() / spec.shape[0];
    int64_t flatBegin = stream >= 2 ? first * perExpert : 0;
    fillNormal(*spec.tensor, spec.stddev, seed, stream, flatBegin);
  }
  // phi is small (D*N*P): drawn whole, then cut along N.
  if (shard) {
    Expected<HostTensor> cut = sliceDim(in.phi, 1, first, local);
    if (!cut)
      return cut.takeError();
    in.phi = std::move(*cut);
  }
  if (config.normalize) {
    Expected<HostTensor> t = HostTensor::allocate(config.dtype, {});
    if (!t)
      return t.takeError();
    float three = 3.0f; // exact in every dtype
    switch (config.dtype) {
    case ElementKind::F32:
      t->elements<float>()[0] = three;
      break;
    case ElementKind::BF16:
      t->elements<uint16_t>()[0] = roundF32ToBF16(three);
      break;
    case ElementKind::F16:
      t->elements<uint16_t>()[0] = roundF32ToF16(three);
      break;
    case ElementKind::I1:
      llvm_unreachable("checked by the caller");
    }
    in.scale = std::move(*t);
  }
  if (config.mask) {
    Expected<HostTensor> t =
        HostTensor::allocate(ElementKind::I1, {s.batch, s.tokens});
    if (!t)
      return t.takeError();
    // make_inputs: the last few tokens of each group are padding, a
    // different number per group, and token 0 is always real.
    MutableArrayRef<uint8_t> mask = t->elements<uint8_t>();
    int64_t period = std::max<int64_t>(1, s.tokens / 2);
    for (int64_t b = 0; b < s.batch; ++b) {
      int64_t firstPad = s.tokens - 1 - (b * 3) % period;
      for (int64_t m = 0; m < s.tokens; ++m)
        mask[b * s.tokens + m] = m == 0 || m < firstPad;
    }
    in.mask = std::move(*t);
  }
  return std::move(in);
}

//===----------------------------------------------------------------------===//
// Inputs from .npy files
//===----------------------------------------------------------------------===//

Expected<LayerInputs>
mlir::softmoe::loadLayerInputs(StringRef dir, LayerConfig &config,
                               std::optional<ExpertShard> shard) {
  if (!llvm::sys::fs::is_directory(dir))
    return createStringError(dir + ": not a folder (--inputs wants a folder "
                                   "with x.npy phi.npy w1.npy b1.npy w2.npy "
                                   "b2.npy)");
  auto pathOf = [&](StringRef name) {
    llvm::SmallString<256> path(dir);
    llvm::sys::path::append(path, name + ".npy");
    return std::string(path);
  };
  bool hasScale = llvm::sys::fs::exists(pathOf("scale"));
  bool hasMask = llvm::sys::fs::exists(pathOf("mask"));
  if (config.normalize && !hasScale)
    return createStringError("--normalize needs " + pathOf("scale") +
                             ", which does not exist");
  if (config.mask && !hasMask)
    return createStringError("--mask needs " + pathOf("mask") +
                             ", which does not exist");
  config.normalize = hasScale;
  config.mask = hasMask;

  // A gated activation's w1 and b1 are 2H (letter G) wide.
  bool gated = isGated(config.activation);
  auto letterName = [](char c) {
    return c == 'G' ? std::string("2H") : std::string(1, c);
  };
  struct Spec {
    StringRef name, letters;
    bool present;
  } specs[] = {{"x", "BMD", true},
               {"phi", "DNP", true},
               {"w1", gated ? "NDG" : "NDH", true},
               {"b1", gated ? "NG" : "NH", true},
               {"w2", "NHD", true},
               {"b2", "ND", true},
               {"scale", "", hasScale},
               {"mask", "BM", hasMask}};
  // Each shape letter is bound by the first file that has it.
  std::map<char, std::pair<int64_t, std::string>> bound;
  SmallVector<std::optional<NpyArray>> arrays;
  for (const Spec &spec : specs) {
    if (!spec.present) {
      arrays.emplace_back();
      continue;
    }
    std::string file = (spec.name + ".npy").str();
    Expected<NpyArray> array = readNpy(pathOf(spec.name));
    if (!array)
      return array.takeError();
    ArrayRef<int64_t> shape = array->getShape();
    // "NDH", or "N,D,2H" for a gated w1.
    std::string letters = spec.letters.str();
    if (spec.letters.contains('G')) {
      letters.clear();
      for (char c : spec.letters)
        letters += (letters.empty() ? "" : ",") + letterName(c);
    }
    if (shape.size() != spec.letters.size())
      return createStringError(file + ": shape " + formatShape(shape) +
                               " has rank " + Twine(shape.size()) +
                               ", expected rank " + Twine(spec.letters.size()) +
                               (spec.letters.empty()
                                    ? std::string(" (a scalar)")
                                    : " [" + letters + "]"));
    for (auto [d, letter] : llvm::enumerate(spec.letters)) {
      if (shape[d] <= 0)
        return createStringError(file + ": dim " + Twine(d) + " (" +
                                 letterName(letter) + ") is " +
                                 Twine(shape[d]) +
                                 "; every dimension must be positive");
      auto [it, inserted] = bound.try_emplace(letter, shape[d], file);
      if (!inserted && it->second.first != shape[d])
        return createStringError(
            "shapes disagree: " + file + " has " + letterName(letter) +
            " = " + Twine(shape[d]) + " (dim " + Twine(d) + " of " +
            formatShape(shape) + "), but " + it->second.second + " has " +
            letterName(letter) + " = " + Twine(it->second.first));
    }
    arrays.push_back(std::move(*array));
  }
  if (gated && bound['G'].first != 2 * bound['H'].first)
    return createStringError(
        "shapes disagree: " + bound['G'].second + " has 2H = " +
        Twine(bound['G'].first) + ", but w2.npy has H = " +
        Twine(bound['H'].first) + " (--activation " +
        stringifyActivation(config.activation) +
        " takes w1 [N,D,2H] and b1 [N,2H])");
  config.shape = {bound['B'].first, bound['M'].first, bound['D'].first,
                  bound['N'].first, bound['P'].first, bound['H'].first};
  if (Error err = checkLayerConfig(config))
    return std::move(err);

  int64_t first = 0, local = config.shape.experts;
  if (shard) {
    if (Error err = checkExpertShard(config.shape.experts, *shard))
      return std::move(err);
    local = config.shape.experts / shard->ranks;
    first = shard->rank * local;
  }

  LayerInputs in;
  HostTensor *targets[] = {&in.x, &in.phi, &in.w1, &in.b1, &in.w2, &in.b2};
  for (unsigned i = 0; i < 6; ++i) {
    std::string what = (specs[i].name + ".npy").str();
    // Under expert parallelism phi is cut along N (dim 1), the expert
    // weights along their leading N.
    Expected<HostTensor> t =
        !shard || i == 0
            ? tensorFromNpy(*arrays[i], config.dtype, what)
            : tensorFromNpySlice(*arrays[i], config.dtype, what, i == 1 ? 1 : 0,
                                 first, local);
    if (!t)
      return t.takeError();
    *targets[i] = std::move(*t);
  }
  if (hasScale) {
    Expected<HostTensor> t =
        tensorFromNpy(*arrays[6], config.dtype, "scale.npy");
    if (!t)
      return t.takeError();
    in.scale = std::move(*t);
  }
  if (hasMask) {
    Expected<HostTensor> t =
        tensorFromNpy(*arrays[7], ElementKind::I1, "mask.npy");
    if (!t)
      return t.takeError();
    in.mask = std::move(*t);
  }
  return std::move(in);
}

Expected<HostTensor>
mlir::softmoe::makeRandomTensor(ElementKind kind, ArrayRef<int64_t> shape,
                                double stddev, uint64_t seed,
                                uint64_t stream) {
  Expected<HostTensor> t = HostTensor::allocate(kind, shape);
  if (!t)
    return t.takeError();
  fillNormal(*t, stddev, seed, stream);
  return std::move(*t);
}
