// RUN: softmoe-opt %s --resolve-ranked-shaped-type-result-dims | FileCheck %s
// RUN: softmoe-opt %s --resolve-shaped-type-result-dims | FileCheck %s
// RUN: softmoe-opt %s --softmoe-decompose --resolve-ranked-shaped-type-result-dims | FileCheck %s --check-prefix=CHAIN
//
// Every softmoe op implements ReifyRankedShapedTypeOpInterface: the upstream
// passes above (memref/Transforms, MLIR 22) rewrite tensor.dim of a dynamic result
// into tensor.dim of the operand that carries the same contract letter (the
// first operand, in role order, that has it).

// CHECK-LABEL: func.func @router(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[PHI:[a-z0-9]+]]: tensor<?x?x?xf32>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG:     %[[M:.+]] = tensor.dim %[[X]], %[[C1]]
// CHECK-DAG:     %[[N:.+]] = tensor.dim %[[PHI]], %[[C1]]
// CHECK-DAG:     %[[P:.+]] = tensor.dim %[[PHI]], %[[C2]]
// CHECK-NOT:     softmoe.router
// CHECK:         return %[[B]], %[[M]], %[[N]], %[[P]]
func.func @router(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>) -> (index, index, index, index) {
  %l = softmoe.router %x, %phi : tensor<?x?x?xf32>, tensor<?x?x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %b = tensor.dim %l, %c0 : tensor<?x?x?x?xf32>
  %m = tensor.dim %l, %c1 : tensor<?x?x?x?xf32>
  %n = tensor.dim %l, %c2 : tensor<?x?x?x?xf32>
  %p = tensor.dim %l, %c3 : tensor<?x?x?x?xf32>
  return %b, %m, %n, %p : index, index, index, index
}

// slots [B, N, P, D]: B, N, P from the logits, D from x.
// CHECK-LABEL: func.func @dispatch(
// CHECK-SAME:    %[[L:[a-z0-9]+]]: tensor<?x?x?x?xf32>, %[[X:[a-z0-9]+]]: tensor<?x?x?xbf16>, %[[MASK:[a-z0-9]+]]: tensor<?x?xi1>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[L]], %[[C0]]
// CHECK-DAG:     %[[N:.+]] = tensor.dim %[[L]], %[[C2]]
// CHECK-DAG:     %[[P:.+]] = tensor.dim %[[L]], %[[C3]]
// CHECK-DAG:     %[[D:.+]] = tensor.dim %[[X]], %[[C2]]
// CHECK-NOT:     softmoe.dispatch
// CHECK:         return %[[B]], %[[N]], %[[P]], %[[D]]
func.func @dispatch(%l: tensor<?x?x?x?xf32>, %x: tensor<?x?x?xbf16>, %mask: tensor<?x?xi1>) -> (index, index, index, index) {
  %s = softmoe.dispatch %l, %x mask(%mask : tensor<?x?xi1>) : tensor<?x?x?x?xf32>, tensor<?x?x?xbf16>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %b = tensor.dim %s, %c0 : tensor<?x?x?x?xbf16>
  %n = tensor.dim %s, %c1 : tensor<?x?x?x?xbf16>
  %p = tensor.dim %s, %c2 : tensor<?x?x?x?xbf16>
  %d = tensor.dim %s, %c3 : tensor<?x?x?x?xbf16>
  return %b, %n, %p, %d : index, index, index, index
}

// out [B, N, P, D]: all from slots.
// CHECK-LABEL: func.func @expert_apply(
// CHECK-SAME:    %[[S:[a-z0-9]+]]: tensor<?x?x?x?xf16>,
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C2:.+]] = arith.constant 2 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[S]], %[[C0]]
// CHECK-DAG:     %[[N:.+]] = tensor.dim %[[S]], %[[C1]]
// CHECK-DAG:     %[[P:.+]] = tensor.dim %[[S]], %[[C2]]
// CHECK-DAG:     %[[D:.+]] = tensor.dim %[[S]], %[[C3]]
// CHECK-NOT:     softmoe.expert_apply
// CHECK:         return %[[B]], %[[N]], %[[P]], %[[D]]
func.func @expert_apply(%s: tensor<?x?x?x?xf16>, %w1: tensor<?x?x?xf16>, %b1: tensor<?x?xf16>, %w2: tensor<?x?x?xf16>,
                        %b2: tensor<?x?xf16>) -> (index, index, index, index) {
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 activation<silu>
      : tensor<?x?x?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>, tensor<?x?x?xf16>, tensor<?x?xf16>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %b = tensor.dim %o, %c0 : tensor<?x?x?x?xf16>
  %n = tensor.dim %o, %c1 : tensor<?x?x?x?xf16>
  %p = tensor.dim %o, %c2 : tensor<?x?x?x?xf16>
  %d = tensor.dim %o, %c3 : tensor<?x?x?x?xf16>
  return %b, %n, %p, %d : index, index, index, index
}

// y [B, M, D]: B, M from the logits, D from expert_out; a static size of one
// operand (D = 384 of expert_out) makes that result size static.
// CHECK-LABEL: func.func @combine(
// CHECK-SAME:    %[[L:[a-z0-9]+]]: tensor<?x?x32x4xf32>, %[[O:[a-z0-9]+]]: tensor<?x32x4x?xf32>)
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[C3:.+]] = arith.constant 3 : index
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[L]], %[[C0]]
// CHECK-DAG:     %[[M:.+]] = tensor.dim %[[L]], %[[C1]]
// CHECK-DAG:     %[[D:.+]] = tensor.dim %[[O]], %[[C3]]
// CHECK-NOT:     softmoe.combine
// CHECK:         return %[[B]], %[[M]], %[[D]]
func.func @combine(%l: tensor<?x?x32x4xf32>, %o: tensor<?x32x4x?xf32>) -> (index, index, index) {
  %y = softmoe.combine %l, %o : tensor<?x?x32x4xf32>, tensor<?x32x4x?xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %b = tensor.dim %y, %c0 : tensor<?x?x?xf32>
  %m = tensor.dim %y, %c1 : tensor<?x?x?xf32>
  %d = tensor.dim %y, %c2 : tensor<?x?x?xf32>
  return %b, %m, %d : index, index, index
}

// y [B, M, D] of the layer: all from x. The op stays (it is returned).
// CHECK-LABEL: func.func @layer(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x384xf32>,
// CHECK-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHECK-DAG:     %[[Y:.+]] = softmoe.layer %[[X]],
// CHECK-DAG:     %[[B:.+]] = tensor.dim %[[X]], %[[C0]]
// CHECK-DAG:     %[[M:.+]] = tensor.dim %[[X]], %[[C1]]
// CHECK:         return %[[Y]], %[[B]], %[[M]]
func.func @layer(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>,
                 %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>)
    -> (tensor<?x?x384xf32>, index, index) {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %b = tensor.dim %y, %c0 : tensor<?x?x384xf32>
  %m = tensor.dim %y, %c1 : tensor<?x?x384xf32>
  return %y, %b, %m : tensor<?x?x384xf32>, index, index
}

// After softmoe-decompose the dims of the combine result resolve through the
// logits back to x: combine -> router -> x.
// CHAIN-LABEL: func.func @layer(
// CHAIN-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x384xf32>,
// CHAIN-DAG:     %[[C0:.+]] = arith.constant 0 : index
// CHAIN-DAG:     %[[C1:.+]] = arith.constant 1 : index
// CHAIN-DAG:     %[[B:.+]] = tensor.dim %[[X]], %[[C0]]
// CHAIN-DAG:     %[[M:.+]] = tensor.dim %[[X]], %[[C1]]
// CHAIN-DAG:     %[[Y:.+]] = softmoe.combine
// CHAIN:         return %[[Y]], %[[B]], %[[M]]
