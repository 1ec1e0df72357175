//===- FloatRounding.cpp - f32 <-> bf16/f16 bit conversions ---------------===//

#include "softmoe/Support/FloatRounding.h"

#include "llvm/ADT/bit.h"

#include <cassert>

using namespace mlir::softmoe;

uint16_t mlir::softmoe::roundF32ToBF16(float value) {
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  if ((bits & 0x7fffffffu) > 0x7f800000u) // NaN: keep it quiet and a NaN.
    return static_cast<uint16_t>((bits >> 16) | 0x0040u);
  // Adding 0x7fff plus the lowest kept bit rounds half to even; a carry out
  // of the mantissa correctly bumps the exponent (up to infinity).
  uint32_t lsb = (bits >> 16) & 1u;
  return static_cast<uint16_t>((bits + 0x7fffu + lsb) >> 16);
}

/// Shifts `value` right by `shift` (1..31) rounding half to even.
static uint32_t shiftRightRoundEven(uint32_t value, unsigned shift) {
  uint32_t kept = value >> shift;
  uint32_t rest = value & ((1u << shift) - 1);
  uint32_t half = 1u << (shift - 1);
  if (rest > half || (rest == half && (kept & 1u)))
    ++kept;
  return kept;
}

uint16_t mlir::softmoe::roundF32ToF16(float value) {
  uint32_t bits = llvm::bit_cast<uint32_t>(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  uint32_t abs = bits & 0x7fffffffu;
  if (abs > 0x7f800000u) // NaN
    return sign | 0x7e00u;
  // 65520 is halfway between the largest half (65504) and 2^16; it and
  // everything above round to infinity.
  if (abs >= 0x477ff000u)
    return sign | 0x7c00u;
  uint32_t exponent = abs >> 23;
  uint32_t mantissa = abs & 0x7fffffu;
  if (exponent >= 113) {
    // Normal half: rebias the exponent (127 -> 15) and round 23 -> 10 bits;
    // a mantissa carry moves into the exponent as it should.
    uint32_t half = ((exponent - 112) << 10) | (mantissa >> 13);
    uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
      ++half;
    return sign | static_cast<uint16_t>(half);
  }
  // Subnormal half (units of 2^-24), or zero below 2^-25.
  if (exponent < 102)
    return sign;
  uint32_t significand =
      mantissa | 0x800000u; // value = significand * 2^(e-150)
  return sign | static_cast<uint16_t>(
                    shiftRightRoundEven(significand, 126 - exponent));
}

float mlir::softmoe::bf16ToF32(uint16_t bits) {
  return llvm::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

float mlir::softmoe::f16ToF32(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t out;
  if (exponent == 0x1f) {
    out = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    out = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    out = sign;
  } else {
    // Subnormal: normalise the mantissa into an f32 normal.
    int e = 113;
    while (!(mantissa & 0x400u)) {
      mantissa <<= 1;
      --e;
    }
    out = sign | (static_cast<uint32_t>(e) << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return llvm::bit_cast<float>(out);
}

void mlir::softmoe::roundF32ToBF16(llvm::ArrayRef<float> in,
                                   llvm::MutableArrayRef<uint16_t> out) {
  assert(in.size() == out.size() && "size mismatch");
  for (size_t i = 0, e = in.size(); i < e; ++i)
    out[i] = roundF32ToBF16(in[i]);
}

void mlir::softmoe::roundF32ToF16(llvm::ArrayRef<float> in,
                                  llvm::MutableArrayRef<uint16_t> out) {
  assert(in.size() == out.size() && "size mismatch");
  for (size_t i = 0, e = in.size(); i < e; ++i)
    out[i] = roundF32ToF16(in[i]);
}
