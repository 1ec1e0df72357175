//===- dnnl_softmoe.cpp - oneDNN Soft MoE forward peer ----------*- C++ -*-===//
//
// A second CPU peer for softmoe-bench: the Soft MoE forward pass of
// shared/CONTRACT.md built from oneDNN primitives (matmul, softmax, reorder),
// with the command line and JSON line of shared/peers/blas_softmoe.c:
//
//   dnnl_softmoe DIR THREADS REPEAT [SAVE_DIR]
//
// DIR holds x.npy phi.npy w1.npy b1.npy w2.npy b2.npy [scale.npy] (float32,
// C order, as softmoe_ref.py --write-inputs writes them; scale.npy implies
// normalize). gelu_tanh experts, no mask (like the OpenBLAS peer). SAVE_DIR
// receives y.npy. Prints one line:
//   {"peer": "onednn-X.Y.Z", "median_ms": .., "min_ms": .., "gflops": ..,
//    "threads": T, "isa": .., "matmul_impl": ..}
//
// Build: g++ -O3 -march=native -fopenmp dnnl_softmoe.cpp -ldnnl
// Debian's libdnnl uses the OpenMP (libgomp) runtime: the thread count is
// omp_set_num_threads(THREADS), set before any primitive is created, since
// oneDNN sizes its work split when a primitive is created. DNNL_MAX_CPU_ISA
// (e.g. AVX2) limits the kernels oneDNN may pick; "isa" reports the limit in
// effect and "matmul_impl" the kernel of the first expert GEMM.
//
//===----------------------------------------------------------------------===//

#include <oneapi/dnnl/dnnl.hpp>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

using dnnl::memory;
using dims = memory::dims;
using tag = memory::format_tag;
static constexpr auto f32 = memory::data_type::f32;

[[noreturn]] static void fail(const std::string &msg) {
  std::fprintf(stderr, "dnnl_softmoe: %s\n", msg.c_str());
  std::exit(2);
}

namespace {
/// One float32 array read from a .npy file.
struct Array {
  std::vector<float> data;
  std::vector<long> shape;
  bool present = false;
};
} // namespace

/// Reads DIR/NAME.npy (little-endian float32, C order); a missing optional
/// file gives an empty Array, anything malformed a clear error.
static Array load(const std::string &dir, const char *name, bool optional) {
  std::string path = dir + "/" + name + ".npy";
  Array a;
  FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (optional)
      return a;
    fail("cannot open " + path);
  }
  unsigned char pre[10];
  if (std::fread(pre, 1, 10, f) != 10 || std::memcmp(pre, "\x93NUMPY", 6))
    fail(path + ": not a .npy file");
  size_t hl = pre[8] | (pre[9] << 8);
  if (pre[6] != 1) { // versions 2 and 3 have a 4-byte header length
    unsigned char more[2];
    if (std::fread(more, 1, 2, f) != 2)
      fail(path + ": truncated header");
    hl |= (size_t(more[0]) << 16) | (size_t(more[1]) << 24);
  }
  std::string h(hl, '\0');
  if (std::fread(h.data(), 1, hl, f) != hl)
    fail(path + ": truncated header");
  if (h.find("'<f4'") == std::string::npos)
    fail(path + ": want dtype <f4 (float32)");
  if (h.find("'fortran_order': False") == std::string::npos)
    fail(path + ": want C order");
  size_t s = h.find("'shape': (");
  if (s == std::string::npos)
    fail(path + ": no shape in header");
  const char *p = h.c_str() + s + 10;
  long n = 1;
  while (*p && *p != ')') {
    if (*p == ' ' || *p == ',') {
      ++p;
      continue;
    }
    char *end;
    long d = std::strtol(p, &end, 10);
    if (end == p || d < 0)
      fail(path + ": bad shape");
    a.shape.push_back(d);
    n *= d;
    p = end;
  }
  a.data.resize(n);
  if (std::fread(a.data.data(), sizeof(float), n, f) != size_t(n))
    fail(path + ": truncated data");
  std::fclose(f);
  a.present = true;
  return a;
}

/// Writes DIR/y.npy as float32 [B,M,D]; through a temporary file, so that an
/// interrupted write leaves no partial y.npy.
static void save(const std::string &dir, const std::vector<float> &y, long B,
                 long M, long D) {
  std::string path = dir + "/y.npy", tmp = path + ".tmp";
  FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    fail("cannot write " + tmp);
  char h[128];
  int n = std::snprintf(h, sizeof h,
                        "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (%ld, %ld, %ld), }",
                        B, M, D);
  int hl = ((10 + n + 1 + 63) / 64) * 64 - 10; // data 64-byte aligned
  unsigned char pre[10] = {0x93,
                           'N',
                           'U',
                           'M',
                           'P',
                           'Y',
                           1,
                           0,
                           (unsigned char)(hl & 255),
                           (unsigned char)(hl >> 8)};
  std::fwrite(pre, 1, 10, f);
  std::fwrite(h, 1, n, f);
  for (int i = n; i < hl - 1; ++i)
    std::fputc(' ', f);
  std::fputc('\n', f);
  size_t count = size_t(B * M * D);
  bool ok = std::fwrite(y.data(), sizeof(float), count, f) == count;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()))
    fail("cannot write " + path);
}

static const char *isaName(dnnl::cpu_isa isa) {
  switch (isa) {
  case dnnl::cpu_isa::sse41:
    return "sse41";
  case dnnl::cpu_isa::avx:
    return "avx";
  case dnnl::cpu_isa::avx2:
    return "avx2";
  case dnnl::cpu_isa::avx2_vnni:
    return "avx2_vnni";
  case dnnl::cpu_isa::avx512_core:
    return "avx512_core";
  case dnnl::cpu_isa::avx512_core_vnni:
    return "avx512_core_vnni";
  case dnnl::cpu_isa::avx512_core_bf16:
    return "avx512_core_bf16";
  case dnnl::cpu_isa::avx512_core_amx:
    return "avx512_core_amx";
  default:
    return "other";
  }
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 5)
    fail("usage: dnnl_softmoe DIR THREADS REPEAT [SAVE_DIR]");
  std::string dir = argv[1];
  int T = std::atoi(argv[2]), R = std::atoi(argv[3]);
  if (T < 1 || R < 1)
    fail("THREADS and REPEAT must be positive");
  Array x = load(dir, "x", false), phi = load(dir, "phi", false),
        w1 = load(dir, "w1", false), b1 = load(dir, "b1", false),
        w2 = load(dir, "w2", false), b2 = load(dir, "b2", false),
        sc = load(dir, "scale", true);
  if (FILE *m = std::fopen((dir + "/mask.npy").c_str(), "rb")) {
    std::fclose(m);
    fail(dir + "/mask.npy: masks are not supported (the peers time the "
               "unmasked layer)");
  }
  if (x.shape.size() != 3 || phi.shape.size() != 3 || w1.shape.size() != 3 ||
      b1.shape.size() != 2 || w2.shape.size() != 3 || b2.shape.size() != 2)
    fail("want x [B,M,D] phi [D,N,P] w1 [N,D,H] b1 [N,H] w2 [N,H,D] b2 [N,D]");
  const long B = x.shape[0], M = x.shape[1], D = x.shape[2];
  const long N = phi.shape[1], P = phi.shape[2], H = w1.shape[2], S = N * P;
  if (phi.shape[0] != D || w1.shape != std::vector<long>{N, D, H} ||
      b1.shape != std::vector<long>{N, H} ||
      w2.shape != std::vector<long>{N, H, D} ||
      b2.shape != std::vector<long>{N, D} ||
      (sc.present && sc.data.size() != 1))
    fail("input shapes disagree with x [B,M,D] and phi [D,N,P]");

  // oneDNN's OpenMP runtime reads the thread count when a primitive is
  // created and when it runs: set it first.
  omp_set_num_threads(T);

  std::vector<float> xn(sc.present ? B * M * D : 0),
      phin(sc.present ? D * S : 0);
  std::vector<float> logits(B * M * S), combine(B * M * S);   // [B][M][S]
  std::vector<float> logitsT(B * S * M), dispatch(B * S * M); // [B][S][M]
  std::vector<float> slots(B * S * D);                        // [B][N][P][D]
  std::vector<float> expertIn(N * B * P * D);                 // [N][B*P][D]
  std::vector<float> hidden(N * B * P * H);                   // [N][B*P][H]
  std::vector<float> expertOut(N * B * P * D);                // [N][B*P][D]
  std::vector<float> outs(B * S * D);                         // [B][N][P][D]
  std::vector<float> y(B * M * D);

  std::vector<double> times;
  std::string implInfo;
  try {
    dnnl::engine eng(dnnl::engine::kind::cpu, 0);
    dnnl::stream strm(eng);
    auto mem = [&](const memory::desc &md, std::vector<float> &buf) {
      return memory(md, eng, buf.data());
    };
    // A dense row-major descriptor of rank 2 to 4.
    auto plain = [](dims d) {
      static const tag tags[] = {tag::ab, tag::abc, tag::abcd};
      return memory::desc(d, f32, tags[d.size() - 2]);
    };

    // Router logits [B*M, S] = xn [B*M, D] @ phin [D, S]: phi [D,N,P] is
    // already [D, S] row-major, and the B groups share phi, so one 2-D GEMM.
    const float *xl = sc.present ? xn.data() : x.data.data();
    const float *pl = sc.present ? phin.data() : phi.data.data();
    auto xlMd = plain({B * M, D}), plMd = plain({D, S}),
         lgMd = plain({B * M, S});
    dnnl::matmul logitsMm(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(xlMd, plMd, lgMd), eng));
    memory xlMem(xlMd, eng, const_cast<float *>(xl)),
        plMem(plMd, eng, const_cast<float *>(pl)), lgMem = mem(lgMd, logits);

    // combine: softmax over the slots (axis 2 of logits [B,M,S]), per (b, m).
    // dispatch: softmax over the tokens m, per (b, slot). oneDNN 2.6 has a
    // JIT softmax only along the innermost axis; along axis 1 it takes its
    // reference kernel (~30 ms of ~70 at S-32, 1 thread: an unfair peer). So
    // logits are first transposed to [B,S,M] by a reorder, and dispatch is
    // the softmax over their innermost axis, which is also the layout the
    // slots GEMM wants. The "accurate" algorithm subtracts the maximum.
    auto bmsMd = plain({B, M, S}), bsmMd = plain({B, S, M});
    auto softmax = [&](const memory::desc &md, int axis) {
      return dnnl::softmax_v2_forward(dnnl::softmax_v2_forward::primitive_desc(
          dnnl::softmax_v2_forward::desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::softmax_accurate, md,
                                         md, axis),
          eng));
    };
    dnnl::softmax_v2_forward dispatchSm = softmax(bsmMd, 2),
                             combineSm = softmax(bmsMd, 2);
    memory::desc lgAsBsmMd({B, S, M}, f32, dims{M * S, 1, S});
    memory lgAsBsm = mem(lgAsBsmMd, logits), lgT = mem(bsmMd, logitsT);
    dnnl::reorder transposeLogits(lgAsBsm, lgT);
    memory lg3Mem = mem(bmsMd, logits), dwMem = mem(bsmMd, dispatch),
           cwMem = mem(bmsMd, combine);

    // slots[b] [S, D] = dispatch[b] [S, M] @ x[b] [M, D].
    auto xMd = plain({B, M, D}), slotsMd = plain({B, S, D});
    dnnl::matmul slotsMm(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(bsmMd, xMd, slotsMd), eng));
    memory xMem(xMd, eng, x.data.data()), slotsMem = mem(slotsMd, slots);

    // [B,N,P,D] -> [N,B*P,D]: each expert's slots from all groups become the
    // rows of one GEMM. The source is slots seen in (N,B,P,D) order.
    memory::desc slotsNbpdMd({N, B, P, D}, f32, dims{P * D, S * D, D, 1});
    auto nbpdMd = plain({N, B, P, D});
    memory slotsNbpd = mem(slotsNbpdMd, slots), einNbpd = mem(nbpdMd, expertIn);
    dnnl::reorder toExperts(slotsNbpd, einNbpd);

    // hidden[n] = gelu_tanh(expertIn[n] @ w1[n] + b1[n]): one matmul batched
    // over the experts. The per-expert bias b1 [N,1,H] is a binary_add
    // post-op, not the matmul's bias argument: oneDNN 2.6 takes a bias that
    // varies along the batch only in its reference matmul ("ref:any", 0.9 ms
    // against 0.01 ms for this GEMM on the tiny shape), while its brgemm
    // (AVX-512) and gemm:jit (AVX2) matmuls accept it as a post-op. gelu_tanh
    // is the second post-op.
    auto einMd = plain({N, B * P, D}), w1Md = plain({N, D, H}),
         b1Md = plain({N, 1, H}), hidMd = plain({N, B * P, H});
    auto biasAttr = [](const memory::desc &bias, bool gelu) {
      dnnl::post_ops ops;
      ops.append_binary(dnnl::algorithm::binary_add, bias);
      if (gelu)
        ops.append_eltwise(1.f, dnnl::algorithm::eltwise_gelu_tanh, 0.f, 0.f);
      dnnl::primitive_attr attr;
      attr.set_post_ops(ops);
      return attr;
    };
    const int postOp0Src1 = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;
    dnnl::matmul::primitive_desc expert1Pd(
        dnnl::matmul::desc(einMd, w1Md, hidMd), biasAttr(b1Md, true), eng);
    dnnl::matmul expert1Mm(expert1Pd);
    implInfo = expert1Pd.impl_info_str();
    memory einMem = mem(einMd, expertIn), w1Mem(w1Md, eng, w1.data.data()),
           b1Mem(b1Md, eng, b1.data.data()), hidMem = mem(hidMd, hidden);

    // expertOut[n] = hidden[n] @ w2[n] + b2[n], the bias again a post-op.
    auto w2Md = plain({N, H, D}), b2Md = plain({N, 1, D}),
         eoutMd = plain({N, B * P, D});
    dnnl::matmul expert2Mm(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(hidMd, w2Md, eoutMd), biasAttr(b2Md, false), eng));
    memory w2Mem(w2Md, eng, w2.data.data()), b2Mem(b2Md, eng, b2.data.data()),
        eoutMem = mem(eoutMd, expertOut);

    // [N,B*P,D] -> [B,N,P,D]: expertOut seen in (B,N,P,D) order.
    memory::desc eoutBnpdMd({B, N, P, D}, f32, dims{P * D, B * P * D, D, 1});
    memory eoutBnpd = mem(eoutBnpdMd, expertOut),
           outsMem = mem(plain({B, N, P, D}), outs);
    dnnl::reorder toGroups(eoutBnpd, outsMem);

    // y[b] [M, D] = combine[b] [M, S] @ outs[b] [S, D].
    auto outsMd = plain({B, S, D}), yMd = plain({B, M, D});
    dnnl::matmul yMm(dnnl::matmul::primitive_desc(
        dnnl::matmul::desc(bmsMd, outsMd, yMd), eng));
    memory outs3Mem = mem(outsMd, outs), yMem = mem(yMd, y);

    auto forward = [&] {
      if (sc.present) {
        // normalize (CONTRACT.md): xn = x * rsqrt(sum_d x^2 + 1e-6) per
        // token; phin = scale * phi * rsqrt(sum_d phi^2 + 1e-6) per slot,
        // where a slot's column of phi [D, S] has stride S. Sums in double,
        // as the OpenBLAS peer does.
        const float *xd = x.data.data(), *pd = phi.data.data();
#pragma omp parallel for
        for (long i = 0; i < B * M; ++i) {
          double s = 0;
          for (long k = 0; k < D; ++k)
            s += double(xd[i * D + k]) * xd[i * D + k];
          float r = 1.f / std::sqrt(float(s) + 1e-6f);
          for (long k = 0; k < D; ++k)
            xn[i * D + k] = xd[i * D + k] * r;
        }
        std::vector<double> colSum(S, 0.0);
        for (long k = 0; k < D; ++k)
          for (long j = 0; j < S; ++j)
            colSum[j] += double(pd[k * S + j]) * pd[k * S + j];
        for (long k = 0; k < D; ++k)
          for (long j = 0; j < S; ++j)
            phin[k * S + j] =
                pd[k * S + j] *
                (sc.data[0] / std::sqrt(float(colSum[j]) + 1e-6f));
      }
      logitsMm.execute(strm, {{DNNL_ARG_SRC, xlMem},
                              {DNNL_ARG_WEIGHTS, plMem},
                              {DNNL_ARG_DST, lgMem}});
      transposeLogits.execute(strm, lgAsBsm, lgT);
      dispatchSm.execute(strm, {{DNNL_ARG_SRC, lgT}, {DNNL_ARG_DST, dwMem}});
      combineSm.execute(strm, {{DNNL_ARG_SRC, lg3Mem}, {DNNL_ARG_DST, cwMem}});
      slotsMm.execute(strm, {{DNNL_ARG_SRC, dwMem},
                             {DNNL_ARG_WEIGHTS, xMem},
                             {DNNL_ARG_DST, slotsMem}});
      toExperts.execute(strm, slotsNbpd, einNbpd);
      expert1Mm.execute(strm, {{DNNL_ARG_SRC, einMem},
                               {DNNL_ARG_WEIGHTS, w1Mem},
                               {postOp0Src1, b1Mem},
                               {DNNL_ARG_DST, hidMem}});
      expert2Mm.execute(strm, {{DNNL_ARG_SRC, hidMem},
                               {DNNL_ARG_WEIGHTS, w2Mem},
                               {postOp0Src1, b2Mem},
                               {DNNL_ARG_DST, eoutMem}});
      toGroups.execute(strm, eoutBnpd, outsMem);
      yMm.execute(strm, {{DNNL_ARG_SRC, cwMem},
                         {DNNL_ARG_WEIGHTS, outs3Mem},
                         {DNNL_ARG_DST, yMem}});
      strm.wait();
    };

    forward(); // warm-up: first-touch of the buffers, JIT caches
    for (int r = 0; r < R; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      forward();
      times.push_back(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count());
    }
  } catch (const dnnl::error &e) {
    fail(std::string("oneDNN: ") + e.what() + " (status " +
         std::to_string(int(e.status)) + ")");
  }

  std::sort(times.begin(), times.end());
  double flops = 2.0 * B * M * D * S * 3 + 2.0 * B * S * D * H * 2;
  double med = times[R / 2];
  if (argc > 4)
    save(argv[4], y, B, M, D);
  const dnnl_version_t *v = dnnl_version();
  std::printf("{\"peer\": \"onednn-%d.%d.%d\", \"median_ms\": %.3f, "
              "\"min_ms\": %.3f, \"gflops\": %.2f, \"threads\": %d, "
              "\"isa\": \"%s\", \"matmul_impl\": \"%s\"}\n",
              v->major, v->minor, v->patch, med * 1e3, times[0] * 1e3,
              flops / med / 1e9, T, isaName(dnnl::get_effective_cpu_isa()),
              implInfo.c_str());
  return 0;
}
