//===- FloatRounding.h - f32 <-> bf16/f16 bit conversions -------*- C++ -*-===//
//
// Round-to-nearest-even conversions between IEEE float32 and the 16-bit
// storage types of the layer (bfloat16, IEEE binary16), on raw bit patterns.
// The tools read float32 .npy files and round them here, so the reference can
// run in f32 on exactly the same rounded values.
//
//===----------------------------------------------------------------------===//

#ifndef SOFTMOE_SUPPORT_FLOATROUNDING_H
#define SOFTMOE_SUPPORT_FLOATROUNDING_H

#include "llvm/ADT/ArrayRef.h"

#include <cstdint>

namespace mlir::softmoe {

/// float32 -> bfloat16, round to nearest even; NaN stays a quiet NaN.
uint16_t roundF32ToBF16(float value);
/// float32 -> binary16, round to nearest even, with subnormals; values of
/// magnitude >= 65520 become infinity, NaN stays a quiet NaN.
uint16_t roundF32ToF16(float value);
/// Exact widenings.
float bf16ToF32(uint16_t bits);
float f16ToF32(uint16_t bits);

/// Bulk forms; `out.size()` must equal `in.size()`.
void roundF32ToBF16(llvm::ArrayRef<float> in,
                    llvm::MutableArrayRef<uint16_t> out);
void roundF32ToF16(llvm::ArrayRef<float> in,
                   llvm::MutableArrayRef<uint16_t> out);

} // namespace mlir::softmoe

#endif // SOFTMOE_SUPPORT_FLOATROUNDING_H
