// A small matmul for the stage tests (cpu-codegen-stage-*.mlir): the fill
// that initializes C, the contraction, and a ReLU in place on C. On AVX-512
// the register tile is 5x80: 100 columns make a full and a partial tile.
func.func @matmul_relu(%a: memref<10x16xf32>, %b: memref<16x100xf32>, %c: memref<10x100xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<10x100xf32>)
  linalg.matmul ins(%a, %b : memref<10x16xf32>, memref<16x100xf32>) outs(%c : memref<10x100xf32>)
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%c : memref<10x100xf32>) outs(%c : memref<10x100xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.maximumf %x, %zero : f32
    linalg.yield %y : f32
  }
  return
}
