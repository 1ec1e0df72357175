//===- SoftMoEOps.cpp - softmoe operations --------------------------------===//
//
// Every op names its operands' dimensions with the letters of the contract
// (B, M, D, N, P, H). One binder checks ranks, element types and the sizes that
// must agree, and yields the static size of each letter, from which the result
// type is inferred and the result shape reified.
//
//===----------------------------------------------------------------------===//

#include "softmoe/Dialect/SoftMoE/IR/SoftMoE.h"
#include "softmoe/Dialect/SoftMoE/IR/Activation.h"
#include "softmoe/Dialect/SoftMoE/IR/OperandRoles.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::softmoe;

namespace {

/// The roles (OperandRoles.h) with the operands that play them.
using Role = RoledOperand;
using Kind = OperandKind;

static std::string typeStr(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << t;
  return s;
}

/// How a letter reads in diagnostics: G is the width 2H of a gated expert's
/// first layer.
static std::string letterName(char letter) {
  return letter == 'G' ? std::string("2H") : std::string(1, letter);
}

static std::string letterList(StringRef dims) {
  std::string s;
  for (char c : dims) {
    if (!s.empty())
      s += ", ";
    s += letterName(c);
  }
  return s;
}

/// Checks operands against their roles and binds each letter to a size.
class ShapeBinder {
public:
  explicit ShapeBinder(std::optional<Location> loc) : loc(loc) {}

  /// Checks every role in order; the first problem is reported and fails.
  LogicalResult bind(ArrayRef<Role> roles);

  /// The static size of `letter`, or ShapedType::kDynamic.
  int64_t size(char letter) const { return get(letter).size; }
  SmallVector<int64_t> shape(StringRef dims) const {
    SmallVector<int64_t> s;
    for (char c : dims)
      s.push_back(size(c));
    return s;
  }
  /// The element type of the data operands (f32 when the op has none).
  Type dataType() const { return dataElemType; }

  /// "w1 dim 2 (2H)": the operand dimension that fixed `letter`'s static
  /// size.
  std::string source(char letter) const {
    const Binding &b = get(letter);
    return (b.from + " dim " + Twine(b.fromDim) + " (" + letterName(letter) +
            ")")
        .str();
  }

  /// A value and dimension that carry `letter`, for reifying shapes.
  std::pair<Value, unsigned> carrier(char letter) const {
    const Binding &b = get(letter);
    return {b.carrier, b.carrierDim};
  }

  LogicalResult error(const Twine &msg) const {
    if (loc)
      return emitError(*loc) << msg;
    return failure();
  }

private:
  struct Binding {
    int64_t size = ShapedType::kDynamic;
    StringRef from;      // operand that fixed the static size
    unsigned fromDim = 0;
    Value carrier;       // first operand that has the letter at all
    unsigned carrierDim = 0;
  };
  const Binding &get(char letter) const {
    return bindings[static_cast<unsigned char>(letter)];
  }

  std::optional<Location> loc;
  Binding bindings[256];
  Type dataElemType;
  StringRef dataElemFrom;
};

LogicalResult ShapeBinder::bind(ArrayRef<Role> roles) {
  for (const RoledOperand &operand : roles) {
    const OperandRole &role = operand.role;
    Value value = operand.value;
    if (!value)
      continue;
    auto type = dyn_cast<RankedTensorType>(value.getType());
    if (!type)
      return error(Twine(role.name) + " must be a ranked tensor, but is " +
                   typeStr(value.getType()));
    if (type.getRank() != static_cast<int64_t>(role.dims.size())) {
      if (role.dims.empty())
        return error(Twine(role.name) + " must be a rank-0 tensor, but has rank " +
                     Twine(type.getRank()));
      return error(Twine(role.name) + " must have rank " +
                   Twine(role.dims.size()) + " (" + letterList(role.dims) +
                   "), but has rank " + Twine(type.getRank()));
    }

    Type elem = type.getElementType();
    std::string elemStr = typeStr(elem);
    switch (role.kind) {
    case Kind::Logits:
      if (!elem.isF32())
        return error(Twine(role.name) + " element type must be f32, but is " +
                     elemStr);
      break;
    case Kind::Mask:
      if (!elem.isInteger(1))
        return error(Twine(role.name) + " element type must be i1, but is " +
                     elemStr);
      break;
    case Kind::Data:
      if (!elem.isF32() && !elem.isBF16() && !elem.isF16())
        return error(Twine(role.name) +
                     " element type must be f32, bf16 or f16, but is " +
                     elemStr);
      if (!dataElemType) {
        dataElemType = elem;
        dataElemFrom = role.name;
      } else if (elem != dataElemType) {
        return error(Twine(role.name) + " element type " + elemStr +
                     " differs from " + dataElemFrom + " element type " +
                     typeStr(dataElemType));
      }
      break;
    }

    for (auto [dim, letter] : llvm::enumerate(role.dims)) {
      Binding &b = bindings[static_cast<unsigned char>(letter)];
      int64_t s = type.getDimSize(dim);
      if (!b.carrier) {
        b.carrier = value;
        b.carrierDim = dim;
      }
      if (ShapedType::isDynamic(s))
        continue;
      if (ShapedType::isDynamic(b.size)) {
        b.size = s;
        b.from = role.name;
        b.fromDim = dim;
        continue;
      }
      if (b.size != s)
        return error(Twine(role.name) + " dim " + Twine(dim) + " (" +
                     letterName(letter) + ") is " + Twine(s) + " but " +
                     b.from + " dim " + Twine(b.fromDim) + " (" +
                     letterName(letter) + ") is " + Twine(b.size));
    }
  }
  return success();
}

/// The rules shared by the ops that normalise (router and layer).
static LogicalResult checkNormalize(const ShapeBinder &binder, bool normalize,
                                    Value scale, FloatAttr epsilonAttr) {
  if (normalize && !scale)
    return binder.error("normalize is set but no scale operand is given");
  if (!normalize && scale)
    return binder.error("a scale operand is given but normalize is not set");
  // The parser infers types before it fills in default-valued attributes, so
  // a missing epsilon is the (positive) default. getValueAsDouble accepts any
  // float semantics: a C++ builder may hand in a non-f32 attribute, which the
  // ODS constraint rejects later.
  if (epsilonAttr && !(epsilonAttr.getValueAsDouble() > 0.0)) {
    std::string text;
    llvm::raw_string_ostream(text)
        << llvm::format("%g", epsilonAttr.getValueAsDouble());
    return binder.error("epsilon must be positive, but is " + text);
  }
  return success();
}

/// A gated activation's first layer is 2H wide (letter G): even, and twice
/// the H of w2 where both are static.
static LogicalResult checkGatedWidth(const ShapeBinder &binder,
                                     Activation act) {
  if (!isGated(act))
    return success();
  int64_t g = binder.size('G'), h = binder.size('H');
  StringRef name = stringifyActivation(act);
  if (!ShapedType::isDynamic(g) && g % 2 != 0)
    return binder.error(binder.source('G') + " is " + Twine(g) +
                        ", but a gated activation (" + name +
                        ") splits it into two halves of H: it must be even");
  if (!ShapedType::isDynamic(g) && !ShapedType::isDynamic(h) && g != 2 * h)
    return binder.error(binder.source('G') + " is " + Twine(g) + " but " +
                        binder.source('H') + " is " + Twine(h) + " (" + name +
                        ": w1 and b1 hold 2H = " + Twine(2 * h) +
                        " columns)");
  return success();
}

/// Binds the roles and infers one result with the letters `resultDims`.
static LogicalResult inferOne(std::optional<Location> loc,
                              ArrayRef<Role> roles, StringRef resultDims,
                              bool resultIsLogits,
                              SmallVectorImpl<Type> &inferred,
                              ShapeBinder *binderOut = nullptr) {
  ShapeBinder local(loc);
  ShapeBinder &binder = binderOut ? *binderOut : local;
  if (failed(binder.bind(roles)))
    return failure();
  Type elem = resultIsLogits || !binder.dataType()
                  ? Float32Type::get(roles.front().value.getContext())
                  : binder.dataType();
  inferred.push_back(RankedTensorType::get(binder.shape(resultDims), elem));
  return success();
}

/// The declared result type must be exactly the inferred one. The custom form
/// does not print result types, so a less static declared type (which a
/// looser rule would accept) would silently change when the printed IR is
/// parsed again and break its users; refine or relax types with tensor.cast.
static bool compatibleTensorTypes(TypeRange l, TypeRange r) {
  return l == r;
}

/// Reifies the one result of `op`, whose letters are `resultDims`.
static LogicalResult reifyOne(Operation *op, ArrayRef<Role> roles,
                              StringRef resultDims, OpBuilder &builder,
                              ReifiedRankedShapedTypeDims &reified) {
  ShapeBinder binder(std::nullopt);
  if (failed(binder.bind(roles)))
    return failure();
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  SmallVector<OpFoldResult> sizes;
  for (auto [dim, letter] : llvm::enumerate(resultDims)) {
    if (!resultType.isDynamicDim(dim)) {
      sizes.push_back(builder.getIndexAttr(resultType.getDimSize(dim)));
      continue;
    }
    int64_t s = binder.size(letter);
    if (!ShapedType::isDynamic(s)) {
      sizes.push_back(builder.getIndexAttr(s));
      continue;
    }
    auto [value, valueDim] = binder.carrier(letter);
    sizes.push_back(
        tensor::getMixedSize(builder, op->getLoc(), value, valueDim));
  }
  reified.push_back(std::move(sizes));
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Roles of each op's operands
//===----------------------------------------------------------------------===//

// While parsing, inherent attributes written in an attr-dict reach inference
// in the attribute dictionary, not yet in the properties.
template <typename Adaptor>
static Activation activationOf(Adaptor a) {
  if constexpr (std::is_base_of_v<OpState, Adaptor>) {
    return a.getActivation();
  } else {
    if (ActivationAttr attr = a.getActivationAttr())
      return attr.getValue();
    DictionaryAttr attrs = a.getAttributes();
    if (auto attr = attrs ? dyn_cast_or_null<ActivationAttr>(
                                attrs.get("activation"))
                          : ActivationAttr())
      return attr.getValue();
    return Activation::gelu_tanh;
  }
}

/// The roles of the ops whose letters depend on the activation.
template <typename Adaptor>
static SmallVector<Role> expertApplyRolesOf(Adaptor a) {
  return expertApplyRoles(a, activationOf(a));
}

template <typename Adaptor> static SmallVector<Role> layerRolesOf(Adaptor a) {
  return layerRoles(a, activationOf(a));
}

// While parsing, inherent attributes written in an attr-dict reach inference
// in the attribute dictionary, not yet in the properties.
template <typename Adaptor>
static bool normalizeOf(Adaptor a) {
  if (a.getNormalize())
    return true;
  DictionaryAttr attrs = a.getAttributes();
  return attrs && attrs.get("normalize");
}

template <typename Adaptor>
static FloatAttr epsilonOf(Adaptor a) {
  if (FloatAttr eps = a.getEpsilonAttr())
    return eps;
  DictionaryAttr attrs = a.getAttributes();
  return attrs ? dyn_cast_or_null<FloatAttr>(attrs.get("epsilon")) : FloatAttr();
}

//===----------------------------------------------------------------------===//
// RouterOp
//===----------------------------------------------------------------------===//

LogicalResult RouterOp::inferReturnTypes(MLIRContext *, std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ShapeBinder binder(loc);
  if (failed(inferOne(loc, routerRoles(adaptor), "BMNP", /*resultIsLogits=*/true,
                      inferred, &binder)))
    return failure();
  return checkNormalize(binder, normalizeOf(adaptor), adaptor.getScale(),
                        epsilonOf(adaptor));
}

bool RouterOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleTensorTypes(l, r);
}

LogicalResult
RouterOp::reifyResultShapes(OpBuilder &b, ReifiedRankedShapedTypeDims &dims) {
  return reifyOne(*this, routerRoles(*this), "BMNP", b, dims);
}

//===----------------------------------------------------------------------===//
// DispatchOp
//===----------------------------------------------------------------------===//

LogicalResult DispatchOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> loc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  return inferOne(loc, dispatchRoles(adaptor), "BNPD", false, inferred);
}

bool DispatchOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleTensorTypes(l, r);
}

LogicalResult
DispatchOp::reifyResultShapes(OpBuilder &b, ReifiedRankedShapedTypeDims &dims) {
  return reifyOne(*this, dispatchRoles(*this), "BNPD", b, dims);
}

//===----------------------------------------------------------------------===//
// ExpertApplyOp
//===----------------------------------------------------------------------===//

LogicalResult ExpertApplyOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  ShapeBinder binder(loc);
  if (failed(inferOne(loc, expertApplyRolesOf(adaptor), "BNPD", false, inferred,
                      &binder)))
    return failure();
  return checkGatedWidth(binder, activationOf(adaptor));
}

bool ExpertApplyOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleTensorTypes(l, r);
}

LogicalResult
ExpertApplyOp::reifyResultShapes(OpBuilder &b,
                                 ReifiedRankedShapedTypeDims &dims) {
  return reifyOne(*this, expertApplyRolesOf(*this), "BNPD", b, dims);
}

//===----------------------------------------------------------------------===//
// CombineOp
//===----------------------------------------------------------------------===//

LogicalResult CombineOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> loc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferOne(loc, combineRoles(adaptor), "BMD", false, inferred);
}

bool CombineOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleTensorTypes(l, r);
}

LogicalResult
CombineOp::reifyResultShapes(OpBuilder &b, ReifiedRankedShapedTypeDims &dims) {
  return reifyOne(*this, combineRoles(*this), "BMD", b, dims);
}

//===----------------------------------------------------------------------===//
// LayerOp
//===----------------------------------------------------------------------===//

LogicalResult LayerOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> loc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  ShapeBinder binder(loc);
  if (failed(inferOne(loc, layerRolesOf(adaptor), "BMD", false, inferred,
                      &binder)) ||
      failed(checkGatedWidth(binder, activationOf(adaptor))))
    return failure();
  return checkNormalize(binder, normalizeOf(adaptor), adaptor.getScale(),
                        epsilonOf(adaptor));
}

bool LayerOp::isCompatibleReturnTypes(TypeRange l, TypeRange r) {
  return compatibleTensorTypes(l, r);
}

LogicalResult
LayerOp::reifyResultShapes(OpBuilder &b, ReifiedRankedShapedTypeDims &dims) {
  return reifyOne(*this, layerRolesOf(*this), "BMD", b, dims);
}

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

bool mlir::softmoe::hasWellFormedOperandLists(Operation *op) {
  if (op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      op->getNumSuccessors() != 0)
    return false;
  unsigned numOperands = op->getNumOperands();
  if (auto layer = dyn_cast<LayerOp>(op)) {
    // Six required operands, then the optional scale and mask.
    int64_t total = 0;
    for (auto [i, size] :
         llvm::enumerate(layer.getProperties().operandSegmentSizes)) {
      if (size < 0 || size > 1 || (i < 6 && size != 1))
        return false;
      total += size;
    }
    return total == numOperands;
  }
  if (isa<ExpertApplyOp>(op))
    return numOperands == 5;
  // Two operands and an optional trailing one (scale or mask).
  if (isa<RouterOp, DispatchOp, CombineOp>(op))
    return numOperands == 2 || numOperands == 3;
  return false;
}

SmallVector<RoledOperand> mlir::softmoe::operandRoles(Operation *op) {
  if (auto r = dyn_cast<RouterOp>(op))
    return routerRoles(r);
  if (auto d = dyn_cast<DispatchOp>(op))
    return dispatchRoles(d);
  if (auto e = dyn_cast<ExpertApplyOp>(op))
    return expertApplyRoles(e, e.getActivation());
  if (auto c = dyn_cast<CombineOp>(op))
    return combineRoles(c);
  auto l = cast<LayerOp>(op);
  return layerRoles(l, l.getActivation());
}

#define GET_OP_CLASSES
#include "softmoe/Dialect/SoftMoE/IR/SoftMoEOps.cpp.inc"
