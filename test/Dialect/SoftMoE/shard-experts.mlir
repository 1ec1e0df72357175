// RUN: softmoe-opt %s --softmoe-shard-experts=ranks=2 --split-input-file | FileCheck %s --check-prefix=ANNOT
// RUN: softmoe-opt %s --split-input-file --pass-pipeline="builtin.module(softmoe-decompose,softmoe-shard-experts{ranks=2},convert-softmoe-to-linalg,canonicalize,func.func(sharding-propagation{traversal=forward-backward},shard-partition),canonicalize)" | FileCheck %s --check-prefix=PART
// RUN: softmoe-opt %s --split-input-file --softmoe-cpu-pipeline="shard-experts=2" | FileCheck %s --check-prefix=LLVM
//
// Expert parallelism over a 1-D grid of 2 processes. ANNOT checks the
// annotations the pass writes. PART checks that after shard-partition each process holds N/R = 2 of
// the 4 experts (phi [D,N/R,P], w1 b1 w2 b2 [N/R,...]) and the layer needs
// exactly three all-reduces, all f32: the combine's max and sum over the slots
// ([B,M]) and the partial y ([B,M,D]); no other collective. LLVM checks that
// the CPU pipeline calls MPI_Allreduce three times and splits no communicator.

// Masked and normalised layer, odd sizes (B=2 M=5 D=8 N=4 P=3 H=6).
// ANNOT:       module attributes {dlti.map = #dlti.map<"MPI:Implementation" = "MPICH">}
// ANNOT:       shard.grid @experts(shape = 2) {sym_visibility = "private"}
// ANNOT-LABEL: func.func @layer(
// ANNOT:         %[[R0:.*]] = shard.sharding @experts split_axes = {{\[\[\]\]}} : !shard.sharding
// ANNOT-NEXT:    shard.shard %arg0 to %[[R0]] : tensor<2x5x8xf32>
// ANNOT-NEXT:    %[[SPHI:.*]] = shard.sharding @experts split_axes = {{\[\[\], \[0\]\]}} : !shard.sharding
// ANNOT-NEXT:    shard.shard %arg1 to %[[SPHI]] : tensor<8x4x3xf32>
// ANNOT-NEXT:    %[[S2:.*]] = shard.sharding @experts split_axes = {{\[\[0\]\]}} : !shard.sharding
// ANNOT-NEXT:    shard.shard %arg2 to %[[S2]] : tensor<4x8x6xf32>
// ANNOT-COUNT-3: split_axes = {{\[\[0\]\]}}
// ANNOT:         %[[R6:.*]] = shard.sharding @experts split_axes = {{\[\[\]\]}} : !shard.sharding
// ANNOT-NEXT:    shard.shard %arg6 to %[[R6]] : tensor<f32>
// ANNOT-NEXT:    %[[R7:.*]] = shard.sharding @experts split_axes = {{\[\[\]\]}} : !shard.sharding
// ANNOT-NEXT:    shard.shard %arg7 to %[[R7]] : tensor<2x5xi1>
// ANNOT:         %[[Y:.*]] = softmoe.layer
// ANNOT:         %[[Y1:.*]] = shard.shard %[[Y]] to %{{.*}} : tensor<2x5x8xf32>
// ANNOT:         %[[Y2:.*]] = shard.shard %[[Y1]] to %{{.*}} annotate_for_users : tensor<2x5x8xf32>
// ANNOT:         return %[[Y2]]

// PART:        shard.grid @experts(shape = 2)
// PART-LABEL:  func.func @layer(
// PART-SAME:     %{{.*}}: tensor<2x5x8xf32>, %{{.*}}: tensor<8x2x3xf32>, %{{.*}}: tensor<2x8x6xf32>, %{{.*}}: tensor<2x6xf32>, %{{.*}}: tensor<2x6x8xf32>, %{{.*}}: tensor<2x8xf32>, %{{.*}}: tensor<f32>, %{{.*}}: tensor<2x5xi1>) -> tensor<2x5x8xf32>
// PART-NOT:      shard.all_gather
// PART-NOT:      shard.all_slice
// PART-NOT:      shard.all_to_all
// The expert GEMMs are local: slots [B,N/R,P,D] times w1 [N/R,D,H].
// PART:          linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x2x3x8xf32>, tensor<2x8x6xf32>) outs(%{{.*}} : tensor<2x2x3x6xf32>)
// PART:          shard.all_reduce %{{.*}} on @experts grid_axes = [0] reduction = max : tensor<2x5xf32> -> tensor<2x5xf32>
// PART-NOT:      shard.all_
// PART:          shard.all_reduce %{{.*}} on @experts grid_axes = [0] : tensor<2x5xf32> -> tensor<2x5xf32>
// PART-NOT:      shard.all_
// PART:          %[[Y:.*]] = shard.all_reduce %{{.*}} on @experts grid_axes = [0] : tensor<2x5x8xf32> -> tensor<2x5x8xf32>
// PART-NEXT:     return %[[Y]]

// LLVM-LABEL:  llvm.func @layer(
// LLVM-NOT:      MPI_Comm_split
// LLVM-COUNT-3:  llvm.call @MPI_Allreduce(
// LLVM-NOT:      llvm.call @MPI_Allreduce
// LLVM-NOT:      MPI_Comm_split
// LLVM:          llvm.func @_mlir_ciface_layer(
func.func @layer(%x: tensor<2x5x8xf32>, %phi: tensor<8x4x3xf32>, %w1: tensor<4x8x6xf32>, %b1: tensor<4x6xf32>, %w2: tensor<4x6x8xf32>, %b2: tensor<4x8xf32>, %sc: tensor<f32>, %m: tensor<2x5xi1>) -> tensor<2x5x8xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%sc : tensor<f32>) mask(%m : tensor<2x5xi1>) normalize : tensor<2x5x8xf32>, tensor<8x4x3xf32>, tensor<4x8x6xf32>, tensor<4x6xf32>, tensor<4x6x8xf32>, tensor<4x8xf32>
  return %y : tensor<2x5x8xf32>
}

// -----

// bf16 storage: the collectives still run in f32 (MLIR 22 lowers bf16 MPI
// buffers to datatype 0); y is rounded to bf16 after the last all-reduce.
// ANNOT-LABEL: func.func @layer_bf16(
// PART-LABEL:  func.func @layer_bf16(
// PART-SAME:     tensor<2x5x8xbf16>, %{{.*}}: tensor<8x2x1xbf16>, %{{.*}}: tensor<2x8x6xbf16>
// PART-COUNT-3:  shard.all_reduce {{.*}}xf32>
// PART-NOT:      shard.all_
// PART:          arith.truncf {{.*}} : f32 to bf16
// PART:          return {{.*}} : tensor<2x5x8xbf16>
// LLVM-LABEL:  llvm.func @layer_bf16(
// LLVM-COUNT-3:  llvm.call @MPI_Allreduce(
// LLVM-NOT:      llvm.call @MPI_Allreduce
// LLVM:          llvm.func @_mlir_ciface_layer_bf16(
func.func @layer_bf16(%x: tensor<2x5x8xbf16>, %phi: tensor<8x4x1xbf16>, %w1: tensor<4x8x6xbf16>, %b1: tensor<4x6xbf16>, %w2: tensor<4x6x8xbf16>, %b2: tensor<4x8xbf16>) -> tensor<2x5x8xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 : tensor<2x5x8xbf16>, tensor<8x4x1xbf16>, tensor<4x8x6xbf16>, tensor<4x6xbf16>, tensor<4x6x8xbf16>, tensor<4x8xbf16>
  return %y : tensor<2x5x8xbf16>
}

// -----

// A gated layer (swiglu: w1 [N,D,2H], b1 [N,2H]): the halves of the first
// layer's result are read with tensor.extract_slice, which is local too (the
// split is along N; the slices take the 2H dimension apart); still exactly
// three all-reduces.
// ANNOT-LABEL: func.func @layer_swiglu(
// ANNOT:         softmoe.layer {{.*}} activation<swiglu>
// PART-LABEL:  func.func @layer_swiglu(
// PART-SAME:     %{{.*}}: tensor<2x5x8xf32>, %{{.*}}: tensor<8x2x3xf32>, %{{.*}}: tensor<2x8x12xf32>, %{{.*}}: tensor<2x12xf32>, %{{.*}}: tensor<2x6x8xf32>, %{{.*}}: tensor<2x8xf32>)
// PART-NOT:      shard.all_gather
// PART:          linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<2x2x3x8xf32>, tensor<2x8x12xf32>) outs(%{{.*}} : tensor<2x2x3x12xf32>)
// PART:          tensor.extract_slice %{{.*}}[0, 0, 0, 0] [2, 2, 3, 6] [1, 1, 1, 1] : tensor<2x2x3x12xf32> to tensor<2x2x3x6xf32>
// PART:          tensor.extract_slice %{{.*}}[0, 0, 0, 6] [2, 2, 3, 6] [1, 1, 1, 1] : tensor<2x2x3x12xf32> to tensor<2x2x3x6xf32>
// PART-COUNT-3:  shard.all_reduce
// PART-NOT:      shard.all_
// PART:          return
// LLVM-LABEL:  llvm.func @layer_swiglu(
// LLVM-COUNT-3:  llvm.call @MPI_Allreduce(
// LLVM-NOT:      llvm.call @MPI_Allreduce
// LLVM:          llvm.func @_mlir_ciface_layer_swiglu(
func.func @layer_swiglu(%x: tensor<2x5x8xf32>, %phi: tensor<8x4x3xf32>, %w1: tensor<4x8x12xf32>, %b1: tensor<4x12xf32>, %w2: tensor<4x6x8xf32>, %b2: tensor<4x8xf32>) -> tensor<2x5x8xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<swiglu> : tensor<2x5x8xf32>, tensor<8x4x3xf32>, tensor<4x8x12xf32>, tensor<4x12xf32>, tensor<4x6x8xf32>, tensor<4x8xf32>
  return %y : tensor<2x5x8xf32>
}

// -----

// The stage ops (as softmoe-decompose writes them) are annotated too: phi on
// the router, the weights on expert_apply, combine's result replicated.
// ANNOT-LABEL: func.func @stages(
// ANNOT:         shard.shard %arg1 to %{{.*}} : tensor<8x4x3xf32>
// ANNOT:         softmoe.router
// ANNOT:         softmoe.dispatch
// ANNOT-COUNT-4: shard.shard %arg{{[2-5]}} to
// ANNOT:         softmoe.expert_apply
// ANNOT:         %[[Y:.*]] = softmoe.combine
// ANNOT:         shard.shard %[[Y]] to
// PART-LABEL:  func.func @stages(
// PART-SAME:     tensor<8x2x3xf32>, %{{.*}}: tensor<2x8x6xf32>
// PART-COUNT-3:  shard.all_reduce
// PART-NOT:      shard.all_
func.func @stages(%x: tensor<2x5x8xf32>, %phi: tensor<8x4x3xf32>, %w1: tensor<4x8x6xf32>, %b1: tensor<4x6xf32>, %w2: tensor<4x6x8xf32>, %b2: tensor<4x8xf32>) -> tensor<2x5x8xf32> {
  %l = softmoe.router %x, %phi : tensor<2x5x8xf32>, tensor<8x4x3xf32>
  %s = softmoe.dispatch %l, %x : tensor<2x5x4x3xf32>, tensor<2x5x8xf32>
  %o = softmoe.expert_apply %s, %w1, %b1, %w2, %b2 : tensor<2x4x3x8xf32>, tensor<4x8x6xf32>, tensor<4x6xf32>, tensor<4x6x8xf32>, tensor<4x8xf32>
  %y = softmoe.combine %l, %o : tensor<2x5x4x3xf32>, tensor<2x4x3x8xf32>
  return %y : tensor<2x5x8xf32>
}
