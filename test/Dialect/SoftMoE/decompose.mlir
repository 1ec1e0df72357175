// RUN: softmoe-opt %s --softmoe-decompose | FileCheck %s
// RUN: softmoe-opt %s --softmoe-decompose --verify-roundtrip | softmoe-opt --mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
//
// softmoe-decompose rewrites every softmoe.layer into router, dispatch,
// expert_apply and combine: the logits feed both dispatch and combine, the raw x
// is dispatched, the mask reaches both dispatch and combine, scale, normalize and
// epsilon go to the router and the activation to expert_apply. The stage types
// follow from inference, so no tensor.cast is needed (CHECK-NEXT forbids one).

// S-32, static, nothing optional; the default activation stays the default.
// CHECK-LABEL: func.func @s32(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<8x196x384xf32>, %[[PHI:[a-z0-9]+]]: tensor<384x32x4xf32>,
// CHECK-SAME:    %[[W1:[a-z0-9]+]]: tensor<32x384x1536xf32>, %[[B1:[a-z0-9]+]]: tensor<32x1536xf32>,
// CHECK-SAME:    %[[W2:[a-z0-9]+]]: tensor<32x1536x384xf32>, %[[B2:[a-z0-9]+]]: tensor<32x384xf32>)
// CHECK-NEXT:    %[[L:.+]] = softmoe.router %[[X]], %[[PHI]] : tensor<8x196x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    %[[S:.+]] = softmoe.dispatch %[[L]], %[[X]] : tensor<8x196x32x4xf32>, tensor<8x196x384xf32>
// CHECK-NEXT:    %[[O:.+]] = softmoe.expert_apply %[[S]], %[[W1]], %[[B1]], %[[W2]], %[[B2]] : tensor<8x32x4x384xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>, tensor<32x1536x384xf32>, tensor<32x384xf32>
// CHECK-NEXT:    %[[Y:.+]] = softmoe.combine %[[L]], %[[O]] : tensor<8x196x32x4xf32>, tensor<8x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x384xf32>
// GENERIC-LABEL: sym_name = "s32"
// GENERIC:         "softmoe.router"(%{{.*}}, %{{.*}}) <{epsilon = 9.99999997E-7 : f32}> : ({{.*}}) -> tensor<8x196x32x4xf32>
// GENERIC-NEXT:    "softmoe.dispatch"(%{{.*}}, %{{.*}}) : ({{.*}}) -> tensor<8x32x4x384xf32>
// GENERIC-NEXT:    "softmoe.expert_apply"({{.*}}) <{activation = #softmoe.activation<gelu_tanh>}> : ({{.*}}) -> tensor<8x32x4x384xf32>
// GENERIC-NEXT:    "softmoe.combine"(%{{.*}}, %{{.*}}) : ({{.*}}) -> tensor<8x196x384xf32>
func.func @s32(%x: tensor<8x196x384xf32>, %phi: tensor<384x32x4xf32>, %w1: tensor<32x384x1536xf32>,
               %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>, %b2: tensor<32x384xf32>) -> tensor<8x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2
      : tensor<8x196x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<8x196x384xf32>
}

// B-128, static, with the mask, normalize, epsilon and gelu_erf.
// CHECK-LABEL: func.func @b128_mask_normalize(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<8x196x768xf32>, %[[PHI:[a-z0-9]+]]: tensor<768x128x1xf32>,
// CHECK-SAME:    %[[W1:[a-z0-9]+]]: tensor<128x768x3072xf32>, %[[B1:[a-z0-9]+]]: tensor<128x3072xf32>,
// CHECK-SAME:    %[[W2:[a-z0-9]+]]: tensor<128x3072x768xf32>, %[[B2:[a-z0-9]+]]: tensor<128x768xf32>,
// CHECK-SAME:    %[[SC:[a-z0-9]+]]: tensor<f32>, %[[M:[a-z0-9]+]]: tensor<8x196xi1>)
// CHECK-NEXT:    %[[L:.+]] = softmoe.router %[[X]], %[[PHI]] scale(%[[SC]] : tensor<f32>) normalize epsilon(9.99999974E-6) : tensor<8x196x768xf32>, tensor<768x128x1xf32>
// CHECK-NEXT:    %[[S:.+]] = softmoe.dispatch %[[L]], %[[X]] mask(%[[M]] : tensor<8x196xi1>) : tensor<8x196x128x1xf32>, tensor<8x196x768xf32>
// CHECK-NEXT:    %[[O:.+]] = softmoe.expert_apply %[[S]], %[[W1]], %[[B1]], %[[W2]], %[[B2]] activation<gelu_erf> : tensor<8x128x1x768xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>, tensor<128x3072x768xf32>, tensor<128x768xf32>
// CHECK-NEXT:    %[[Y:.+]] = softmoe.combine %[[L]], %[[O]] mask(%[[M]] : tensor<8x196xi1>) : tensor<8x196x128x1xf32>, tensor<8x128x1x768xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<8x196x768xf32>
// GENERIC-LABEL: sym_name = "b128_mask_normalize"
// GENERIC:         "softmoe.router"({{.*}}) <{epsilon = 9.99999974E-6 : f32, normalize}> : ({{.*}}) -> tensor<8x196x128x1xf32>
// GENERIC-NEXT:    "softmoe.dispatch"({{.*}}) : ({{.*}}, tensor<8x196xi1>) -> tensor<8x128x1x768xf32>
// GENERIC-NEXT:    "softmoe.expert_apply"({{.*}}) <{activation = #softmoe.activation<gelu_erf>}> : ({{.*}}) -> tensor<8x128x1x768xf32>
// GENERIC-NEXT:    "softmoe.combine"({{.*}}) : ({{.*}}, tensor<8x196xi1>) -> tensor<8x196x768xf32>
func.func @b128_mask_normalize(%x: tensor<8x196x768xf32>, %phi: tensor<768x128x1xf32>, %w1: tensor<128x768x3072xf32>,
                               %b1: tensor<128x3072xf32>, %w2: tensor<128x3072x768xf32>, %b2: tensor<128x768xf32>,
                               %s: tensor<f32>, %m: tensor<8x196xi1>) -> tensor<8x196x768xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f32>) mask(%m : tensor<8x196xi1>) normalize
      epsilon(1.0e-5) activation<gelu_erf>
      : tensor<8x196x768xf32>, tensor<768x128x1xf32>, tensor<128x768x3072xf32>, tensor<128x3072xf32>,
        tensor<128x3072x768xf32>, tensor<128x768xf32>
  return %y : tensor<8x196x768xf32>
}

// Dynamic B and M in bf16, with the mask, normalize and silu: the logits are
// f32, every other stage result bf16, and B and M stay dynamic.
// CHECK-LABEL: func.func @dyn_bm_mask_normalize(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x384xbf16>, %[[PHI:[a-z0-9]+]]: tensor<384x32x4xbf16>,
// CHECK-SAME:    %[[W1:[a-z0-9]+]]: tensor<32x384x1536xbf16>, %[[B1:[a-z0-9]+]]: tensor<32x1536xbf16>,
// CHECK-SAME:    %[[W2:[a-z0-9]+]]: tensor<32x1536x384xbf16>, %[[B2:[a-z0-9]+]]: tensor<32x384xbf16>,
// CHECK-SAME:    %[[SC:[a-z0-9]+]]: tensor<bf16>, %[[M:[a-z0-9]+]]: tensor<?x?xi1>)
// CHECK-NEXT:    %[[L:.+]] = softmoe.router %[[X]], %[[PHI]] scale(%[[SC]] : tensor<bf16>) normalize : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>
// CHECK-NEXT:    %[[S:.+]] = softmoe.dispatch %[[L]], %[[X]] mask(%[[M]] : tensor<?x?xi1>) : tensor<?x?x32x4xf32>, tensor<?x?x384xbf16>
// CHECK-NEXT:    %[[O:.+]] = softmoe.expert_apply %[[S]], %[[W1]], %[[B1]], %[[W2]], %[[B2]] activation<silu> : tensor<?x32x4x384xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>, tensor<32x1536x384xbf16>, tensor<32x384xbf16>
// CHECK-NEXT:    %[[Y:.+]] = softmoe.combine %[[L]], %[[O]] mask(%[[M]] : tensor<?x?xi1>) : tensor<?x?x32x4xf32>, tensor<?x32x4x384xbf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xbf16>
// GENERIC-LABEL: sym_name = "dyn_bm_mask_normalize"
// GENERIC:         "softmoe.router"({{.*}}) <{epsilon = 9.99999997E-7 : f32, normalize}> : ({{.*}}) -> tensor<?x?x32x4xf32>
// GENERIC-NEXT:    "softmoe.dispatch"({{.*}}) -> tensor<?x32x4x384xbf16>
// GENERIC-NEXT:    "softmoe.expert_apply"({{.*}}) <{activation = #softmoe.activation<silu>}> : ({{.*}}) -> tensor<?x32x4x384xbf16>
// GENERIC-NEXT:    "softmoe.combine"({{.*}}) -> tensor<?x?x384xbf16>
func.func @dyn_bm_mask_normalize(%x: tensor<?x?x384xbf16>, %phi: tensor<384x32x4xbf16>, %w1: tensor<32x384x1536xbf16>,
                                 %b1: tensor<32x1536xbf16>, %w2: tensor<32x1536x384xbf16>, %b2: tensor<32x384xbf16>,
                                 %s: tensor<bf16>, %m: tensor<?x?xi1>) -> tensor<?x?x384xbf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<bf16>) mask(%m : tensor<?x?xi1>) normalize
      activation<silu>
      : tensor<?x?x384xbf16>, tensor<384x32x4xbf16>, tensor<32x384x1536xbf16>, tensor<32x1536xbf16>,
        tensor<32x1536x384xbf16>, tensor<32x384xbf16>
  return %y : tensor<?x?x384xbf16>
}

// Dynamic B and M in f16, normalize without a mask, relu.
// CHECK-LABEL: func.func @dyn_bm_normalize(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x384xf16>, %[[PHI:[a-z0-9]+]]: tensor<384x32x4xf16>,
// CHECK-SAME:    %[[W1:[a-z0-9]+]]: tensor<32x384x1536xf16>, %[[B1:[a-z0-9]+]]: tensor<32x1536xf16>,
// CHECK-SAME:    %[[W2:[a-z0-9]+]]: tensor<32x1536x384xf16>, %[[B2:[a-z0-9]+]]: tensor<32x384xf16>,
// CHECK-SAME:    %[[SC:[a-z0-9]+]]: tensor<f16>)
// CHECK-NEXT:    %[[L:.+]] = softmoe.router %[[X]], %[[PHI]] scale(%[[SC]] : tensor<f16>) normalize epsilon(1.000000e-03) : tensor<?x?x384xf16>, tensor<384x32x4xf16>
// CHECK-NEXT:    %[[S:.+]] = softmoe.dispatch %[[L]], %[[X]] : tensor<?x?x32x4xf32>, tensor<?x?x384xf16>
// CHECK-NEXT:    %[[O:.+]] = softmoe.expert_apply %[[S]], %[[W1]], %[[B1]], %[[W2]], %[[B2]] activation<relu> :
// CHECK-NEXT:    %[[Y:.+]] = softmoe.combine %[[L]], %[[O]] : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf16>
// CHECK-NEXT:    return %[[Y]] : tensor<?x?x384xf16>
func.func @dyn_bm_normalize(%x: tensor<?x?x384xf16>, %phi: tensor<384x32x4xf16>, %w1: tensor<32x384x1536xf16>,
                            %b1: tensor<32x1536xf16>, %w2: tensor<32x1536x384xf16>, %b2: tensor<32x384xf16>,
                            %s: tensor<f16>) -> tensor<?x?x384xf16> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 scale(%s : tensor<f16>) normalize epsilon(1.0e-3) activation<relu>
      : tensor<?x?x384xf16>, tensor<384x32x4xf16>, tensor<32x384x1536xf16>, tensor<32x1536xf16>,
        tensor<32x1536x384xf16>, tensor<32x384xf16>
  return %y : tensor<?x?x384xf16>
}

// Dynamic B and M with a mask but no normalize; gelu_tanh written explicitly is
// the default and stays implicit. Only the mask knows M = 196: the router and
// dispatch results leave it dynamic, combine (which sees the mask) makes it
// static again, so its type is the layer's and no cast is needed.
// CHECK-LABEL: func.func @dyn_bm_mask(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x384xf32>, %[[PHI:[a-z0-9]+]]: tensor<384x32x4xf32>,
// CHECK-SAME:    %[[M:[a-z0-9]+]]: tensor<?x196xi1>,
// CHECK-NEXT:    %[[L:.+]] = softmoe.router %[[X]], %[[PHI]] : tensor<?x?x384xf32>, tensor<384x32x4xf32>
// CHECK-NEXT:    %[[S:.+]] = softmoe.dispatch %[[L]], %[[X]] mask(%[[M]] : tensor<?x196xi1>) : tensor<?x?x32x4xf32>, tensor<?x?x384xf32>
// CHECK-NEXT:    %[[O:.+]] = softmoe.expert_apply %[[S]], %{{.+}}, %{{.+}}, %{{.+}}, %{{.+}} : tensor<?x32x4x384xf32>,
// CHECK-NEXT:    %[[Y:.+]] = softmoe.combine %[[L]], %[[O]] mask(%[[M]] : tensor<?x196xi1>) : tensor<?x?x32x4xf32>, tensor<?x32x4x384xf32>
// CHECK-NEXT:    return %[[Y]] : tensor<?x196x384xf32>
func.func @dyn_bm_mask(%x: tensor<?x?x384xf32>, %phi: tensor<384x32x4xf32>, %m: tensor<?x196xi1>,
                       %w1: tensor<32x384x1536xf32>, %b1: tensor<32x1536xf32>, %w2: tensor<32x1536x384xf32>,
                       %b2: tensor<32x384xf32>) -> tensor<?x196x384xf32> {
  %y = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 mask(%m : tensor<?x196xi1>) activation<gelu_tanh>
      : tensor<?x?x384xf32>, tensor<384x32x4xf32>, tensor<32x384x1536xf32>, tensor<32x1536xf32>,
        tensor<32x1536x384xf32>, tensor<32x384xf32>
  return %y : tensor<?x196x384xf32>
}

// Two layers in a row (tiny shapes, every size dynamic): both are decomposed,
// and the second one's stages take the first one's combine result as x.
// CHECK-LABEL: func.func @two_layers(
// CHECK-SAME:    %[[X:[a-z0-9]+]]: tensor<?x?x?xf32>, %[[PHI:[a-z0-9]+]]: tensor<?x?x?xf32>,
// CHECK-NEXT:    %[[L1:.+]] = softmoe.router %[[X]], %[[PHI]] : tensor<?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    %[[S1:.+]] = softmoe.dispatch %[[L1]], %[[X]] : tensor<?x?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    %[[O1:.+]] = softmoe.expert_apply %[[S1]], {{.*}} activation<relu> :
// CHECK-NEXT:    %[[Y1:.+]] = softmoe.combine %[[L1]], %[[O1]] : tensor<?x?x?x?xf32>, tensor<?x?x?x?xf32>
// CHECK-NEXT:    %[[L2:.+]] = softmoe.router %[[Y1]], %[[PHI]] : tensor<?x?x?xf32>, tensor<?x?x?xf32>
// CHECK-NEXT:    %[[S2:.+]] = softmoe.dispatch %[[L2]], %[[Y1]] :
// CHECK-NEXT:    %[[O2:.+]] = softmoe.expert_apply %[[S2]], {{.*}} activation<gelu_erf> :
// CHECK-NEXT:    %[[Y2:.+]] = softmoe.combine %[[L2]], %[[O2]] :
// CHECK-NEXT:    return %[[Y2]] : tensor<?x?x?xf32>
// CHECK-NOT:   softmoe.layer
func.func @two_layers(%x: tensor<?x?x?xf32>, %phi: tensor<?x?x?xf32>, %w1: tensor<?x?x?xf32>, %b1: tensor<?x?xf32>,
                      %w2: tensor<?x?x?xf32>, %b2: tensor<?x?xf32>) -> tensor<?x?x?xf32> {
  %y1 = softmoe.layer %x, %phi, %w1, %b1, %w2, %b2 activation<relu>
      : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  %y2 = softmoe.layer %y1, %phi, %w1, %b1, %w2, %b2 activation<gelu_erf>
      : tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>, tensor<?x?x?xf32>, tensor<?x?xf32>
  return %y2 : tensor<?x?x?xf32>
}
