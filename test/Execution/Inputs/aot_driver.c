//===- aot_driver.c - Call an ahead-of-time compiled softmoe layer --------===//
//
// Calls the _mlir_ciface_layer entry point of an object file made by
//   softmoe-opt --softmoe-cpu-pipeline | mlir-translate --mlir-to-llvmir |
//     clang -x ir -c -
// for a layer with a scale and a mask:
//   @layer(x, phi, w1, b1, w2, b2, scale: tensor<E>, mask: tensor<?x?xi1>) -> y
//
//   aot_driver f32|bf16|f16 DIR B M D N P H OUT [DIR B M OUT]...
//
// reads DIR/{x,phi,w1,b1,w2,b2,scale}.bin (raw little-endian E) and
// DIR/mask.bin (one byte per token), and writes y as raw f32 to OUT. Each
// further DIR B M OUT calls the same entry point again in this process, at
// another batch and token count: one object for every size.
//
//===----------------------------------------------------------------------===//

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Memref descriptors as the LLVM lowering lays them out, by rank.
typedef struct {
  void *allocated, *aligned;
  int64_t offset;
} MemRef0;
#define MEMREF(R)                                                              \
  typedef struct {                                                             \
    void *allocated, *aligned;                                                 \
    int64_t offset, sizes[R], strides[R];                                      \
  } MemRef##R;
MEMREF(2)
MEMREF(3)

void _mlir_ciface_layer(MemRef3 *y, MemRef3 *x, MemRef3 *phi, MemRef3 *w1,
                        MemRef2 *b1, MemRef3 *w2, MemRef2 *b2, MemRef0 *scale,
                        MemRef2 *mask);

static void *readFile(const char *dir, const char *name, size_t bytes) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/%s.bin", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "aot_driver: cannot open %s\n", path);
    exit(1);
  }
  void *data = malloc(bytes ? bytes : 1);
  size_t got = fread(data, 1, bytes, f);
  int extra = fgetc(f) != EOF;
  fclose(f);
  if (got != bytes || extra) {
    fprintf(stderr, "aot_driver: %s does not hold %zu bytes\n", path, bytes);
    exit(1);
  }
  return data;
}

static MemRef3 memref3(void *data, int64_t a, int64_t b, int64_t c) {
  MemRef3 m = {data, data, 0, {a, b, c}, {b * c, c, 1}};
  return m;
}
static MemRef2 memref2(void *data, int64_t a, int64_t b) {
  MemRef2 m = {data, data, 0, {a, b}, {b, 1}};
  return m;
}

static float toF32(const void *data, int64_t i, const char *dtype) {
  if (!strcmp(dtype, "f32"))
    return ((const float *)data)[i];
  if (!strcmp(dtype, "f16"))
    return (float)((const _Float16 *)data)[i];
  uint32_t bits = (uint32_t)((const uint16_t *)data)[i] << 16;
  float f;
  memcpy(&f, &bits, sizeof(f));
  return f;
}

static int64_t parseSize(const char *arg) {
  char *end;
  int64_t v = strtoll(arg, &end, 10);
  // Zero is a size like any other (an empty batch, no tokens, ...).
  if (*end || v < 0) {
    fprintf(stderr, "aot_driver: bad size %s\n", arg);
    exit(1);
  }
  return v;
}

/// One call of the layer on DIR's inputs; y goes to `outPath`.
static int runLayer(const char *dtype, size_t es, const char *dir, int64_t B,
                    int64_t M, int64_t D, int64_t N, int64_t P, int64_t H,
                    const char *outPath) {
  MemRef3 x = memref3(readFile(dir, "x", B * M * D * es), B, M, D);
  MemRef3 phi = memref3(readFile(dir, "phi", D * N * P * es), D, N, P);
  MemRef3 w1 = memref3(readFile(dir, "w1", N * D * H * es), N, D, H);
  MemRef2 b1 = memref2(readFile(dir, "b1", N * H * es), N, H);
  MemRef3 w2 = memref3(readFile(dir, "w2", N * H * D * es), N, H, D);
  MemRef2 b2 = memref2(readFile(dir, "b2", N * D * es), N, D);
  void *scaleData = readFile(dir, "scale", es);
  MemRef0 scale = {scaleData, scaleData, 0};
  MemRef2 mask = memref2(readFile(dir, "mask", B * M), B, M);

  MemRef3 y;
  _mlir_ciface_layer(&y, &x, &phi, &w1, &b1, &w2, &b2, &scale, &mask);

  if (y.sizes[0] != B || y.sizes[1] != M || y.sizes[2] != D) {
    fprintf(stderr, "aot_driver: y is %ldx%ldx%ld, expected %ldx%ldx%ld\n",
            (long)y.sizes[0], (long)y.sizes[1], (long)y.sizes[2], (long)B,
            (long)M, (long)D);
    return 1;
  }
  FILE *out = fopen(outPath, "wb");
  if (!out) {
    fprintf(stderr, "aot_driver: cannot write %s\n", outPath);
    return 1;
  }
  for (int64_t b = 0; b < B; ++b)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t d = 0; d < D; ++d) {
        int64_t i =
            y.offset + b * y.strides[0] + m * y.strides[1] + d * y.strides[2];
        float v = toF32(y.aligned, i, dtype);
        fwrite(&v, sizeof(v), 1, out);
      }
  fclose(out);
  // The result buffer was malloc'ed by the compiled code; it is ours now.
  free(y.allocated);
  free(x.allocated), free(phi.allocated), free(w1.allocated);
  free(b1.allocated), free(w2.allocated), free(b2.allocated);
  free(scaleData), free(mask.allocated);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 10 || (argc - 10) % 4) {
    fprintf(stderr, "usage: aot_driver f32|bf16|f16 DIR B M D N P H OUT "
                    "[DIR B M OUT]...\n");
    return 1;
  }
  const char *dtype = argv[1];
  size_t es = 0; // element size in bytes
  if (!strcmp(dtype, "f32"))
    es = 4;
  else if (!strcmp(dtype, "bf16") || !strcmp(dtype, "f16"))
    es = 2;
  if (!es) {
    fprintf(stderr, "aot_driver: unknown element type %s\n", dtype);
    return 1;
  }
  int64_t D = parseSize(argv[5]), N = parseSize(argv[6]),
          P = parseSize(argv[7]), H = parseSize(argv[8]);
  if (runLayer(dtype, es, argv[2], parseSize(argv[3]), parseSize(argv[4]), D,
               N, P, H, argv[9]))
    return 1;
  for (int i = 10; i < argc; i += 4)
    if (runLayer(dtype, es, argv[i], parseSize(argv[i + 1]),
                 parseSize(argv[i + 2]), D, N, P, H, argv[i + 3]))
      return 1;
  return 0;
}
