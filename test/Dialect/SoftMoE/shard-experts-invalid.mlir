// RUN: softmoe-opt %s --softmoe-shard-experts=ranks=4 --split-input-file -verify-diagnostics
// RUN: not softmoe-opt %s --softmoe-shard-experts=ranks=0 --split-input-file 2>&1 | FileCheck %s --check-prefix=RANKS
//
// Errors of softmoe-shard-experts, each at the op's location: N not divisible
// by the number of ranks, N dynamic, a symbol in the grid's way; and ranks < 1.
// RANKS: error: softmoe-shard-experts needs ranks >= 1 (the number of MPI processes), got 0

// 6 experts over 4 ranks.
func.func @layer(%x: tensor<2x5x8xf32>, %phi: tensor<8x6x1xf32>, %w1: tensor<6x8x6xf32>, %b1: tensor<6x6xf32>, %w2: tensor<6x6x8xf32>, %b2: tensor<6x8xf32>) -> tensor<2x5x8xf32> {
  // expected-error @+1 {{'softmoe.layer' op softmoe-shard-experts cannot split 6 experts evenly over 4 ranks: N must be divisible by the number of ranks}}
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x5x8xf32>, tensor<8x6x1xf32>, tensor<6x8x6xf32>, tensor<6x6xf32>, tensor<6x6x8xf32>, tensor<6x8xf32>
  return %y : tensor<2x5x8xf32>
}

// -----

// The stage ops: the router (phi) and expert_apply (w1) are both checked.
func.func @stages(%x: tensor<2x5x8xf32>, %phi: tensor<8x2x3xf32>, %s: tensor<2x2x3x8xf32>, %w1: tensor<2x8x6xf32>, %b1: tensor<2x6xf32>, %w2: tensor<2x6x8xf32>, %b2: tensor<2x8xf32>) -> (tensor<2x5x2x3xf32>, tensor<2x2x3x8xf32>) {
  // expected-error @+1 {{'softmoe.router' op softmoe-shard-experts cannot split 2 experts evenly over 4 ranks}}
  %l = softmoe.router %x, %phi : tensor<2x5x8xf32>, tensor<8x2x3xf32>
  // expected-error @+1 {{'softmoe.expert_apply' op softmoe-shard-experts cannot split 2 experts evenly over 4 ranks}}
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x2x3x8xf32>, tensor<2x8x6xf32>, tensor<2x6xf32>, tensor<2x6x8xf32>, tensor<2x8xf32>
  return %l, %o : tensor<2x5x2x3xf32>, tensor<2x2x3x8xf32>
}

// -----

// A dynamic number of experts cannot be split at compile time.
func.func @dynamic(%x: tensor<2x5x8xf32>, %phi: tensor<8x?x1xf32>) -> tensor<2x5x?x1xf32> {
  // expected-error @+1 {{'softmoe.router' op softmoe-shard-experts needs a static number of experts N to split them over 4 ranks}}
  %l = softmoe.router %x, %phi : tensor<2x5x8xf32>, tensor<8x?x1xf32>
  return %l : tensor<2x5x?x1xf32>
}

// -----

// The grid's symbol is taken by something else.
// expected-error @+1 {{softmoe-shard-experts: symbol @experts exists and is not a 1-D shard.grid of 4 processes}}
func.func private @experts()

// -----

// A grid of another size under the same name.
// expected-error @+1 {{symbol @experts exists and is not a 1-D shard.grid of 4 processes}}
shard.grid @experts(shape = 2)
