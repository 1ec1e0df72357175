// RUN: softmoe-opt %s --softmoe-gpu-map-linalg --softmoe-gpu-forall-to-launch | FileCheck %s --check-prefix=LAUNCH
// RUN: softmoe-opt %s --softmoe-gpu-map-linalg --softmoe-gpu-forall-to-launch --softmoe-gpu-async-host | FileCheck %s --check-prefix=ASYNC

// The block-mapped foralls become gpu.launch (shared buffers as workgroup
// attributions); the host code then runs on one stream of async tokens:
// device allocations with gpu.alloc async, freed before returning, and a
// final wait.

// LAUNCH-LABEL: func.func @two_kernels
// LAUNCH:         gpu.launch blocks({{.*}}) in ({{.*}}) threads({{.*}}) in (%{{.*}} = %c256, {{.*}}) workgroup(%{{.*}} : memref<8x32xf32, #gpu.address_space<workgroup>>)
// LAUNCH-NOT:       memref.alloc() : memref<8x32xf32
// LAUNCH:           gpu.barrier
// LAUNCH:           gpu.terminator
// LAUNCH:         gpu.launch blocks
// LAUNCH-NOT:     scf.forall

// ASYNC-LABEL: func.func @two_kernels
// ASYNC:         %[[T0:.*]] = gpu.wait async
// ASYNC:         %[[M:.*]], %[[T1:.*]] = gpu.alloc async [%[[T0]]] () : memref<4x8xf32>
// ASYNC:         %[[T2:.*]] = gpu.launch async [%[[T1]]]
// ASYNC:         %[[T3:.*]] = gpu.launch async [%[[T2]]]
// ASYNC:         %[[T4:.*]] = gpu.dealloc async [%[[T3]]] %[[M]] : memref<4x8xf32>
// ASYNC:         gpu.wait [%[[T4]]]
// ASYNC-NEXT:    return
func.func @two_kernels(%x: memref<4x16x8xf32>, %y: memref<4x8xf32>) {
  %tmp = memref.alloc() : memref<4x8xf32>
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%tmp : memref<4x8xf32>)
  linalg.generic {indexing_maps = [affine_map<(b, n, m) -> (b, m, n)>, affine_map<(b, n, m) -> (b, n)>],
                  iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x : memref<4x16x8xf32>) outs(%tmp : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %0 = arith.maximumf %o, %v : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [affine_map<(b, n) -> (b, n)>, affine_map<(b, n) -> (b, n)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%tmp : memref<4x8xf32>) outs(%y : memref<4x8xf32>) {
  ^bb0(%v: f32, %o: f32):
    %0 = math.exp %v : f32
    linalg.yield %0 : f32
  }
  return
}
