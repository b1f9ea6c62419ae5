// The registry's figures against truths that do not come from its own generator: the parameter counts torchvision
// publishes (FACTS.md), torchvision's published multiply-add counts, the mission's feature widths, and closed-form
// counts derived by hand from each architecture's definition.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { GENERATED_BACKBONE_FACTS } from '../../core/models/backboneFacts.generated';
import {
  BACKBONE_NAMES,
  backboneFacts,
  describeUnfrozen,
  estimateTrainingMemory,
  suggestBackbone,
} from '../../core/models/registry';
import {
  GENERATED_TS_PATH,
  readMeasuredFacts,
  registryFieldsOf,
  renderBackboneFactsModule,
} from '../fixtures/models/emit_backbone_facts_ts';

const IMAGENET_CLASSES = 1000;
const linearHeadParams = (inFeatures: number): number => inFeatures * IMAGENET_CLASSES + IMAGENET_CLASSES;

// torchvision's `num_params` with the 1000-class head (FACTS.md), and the in_features of the Linear that head ends
// in, read off each architecture: ResNet-152's fc takes the 2048-wide pooled bottleneck output, ConvNeXt-B's
// classifier[2] its last stage (1024), ViT-B's heads.head the class token (768), Swin-B's head its last stage (1024),
// EfficientNetV2-M's classifier[1] its 1280-channel final conv.
const TORCHVISION_WITH_HEAD = {
  resnet152: { params: 60_192_808, headInFeatures: 2048 },
  convnext_base: { params: 88_591_464, headInFeatures: 1024 },
  vit_b_16: { params: 86_567_656, headInFeatures: 768 },
  swin_b: { params: 87_768_224, headInFeatures: 1024 },
  efficientnet_v2_m: { params: 54_139_356, headInFeatures: 1280 },
} as const;

// The feature widths the mission states for its backbones.
const MISSION_FEATURE_WIDTHS = {
  resnet152: 2048,
  convnext_base: 1024,
  vit_b_16: 768,
  swin_b: 1024,
  beit_b_16: 768,
  efficientnet_v2_m: 1280,
} as const;

// torchvision's weights meta `_ops` (its docs' "GFLOPS" column: giga multiply-adds with the 1000-class head).
const TORCHVISION_GMACS_WITH_HEAD = {
  resnet18: { gmacs: 1.814, headInFeatures: 512 },
  resnet50: { gmacs: 4.089, headInFeatures: 2048 },
  resnet152: { gmacs: 11.514, headInFeatures: 2048 },
  convnext_tiny: { gmacs: 4.456, headInFeatures: 768 },
  convnext_base: { gmacs: 15.355, headInFeatures: 1024 },
  vit_b_16: { gmacs: 17.564, headInFeatures: 768 },
  swin_t: { gmacs: 4.491, headInFeatures: 768 },
  swin_b: { gmacs: 15.431, headInFeatures: 1024 },
  efficientnet_v2_s: { gmacs: 8.366, headInFeatures: 1280 },
  efficientnet_v2_m: { gmacs: 24.582, headInFeatures: 1280 },
} as const;

// A ViT with width D, 12 layers, patch 16 at 224 (196 patches + class token), MLP 4D:
// patch conv 768D + D, class token D, position embedding 197D; per layer two LayerNorms 4D, fused qkv 3D^2 + 3D,
// out projection D^2 + D, MLP 4D^2 + 4D + 4D^2 + D (12D^2 + 13D); final LayerNorm 2D.
const vitParams = (d: number): number => 768 * d + d + d + 197 * d + 12 * (12 * d * d + 13 * d) + 2 * d;

// BEiT with width D and H heads, 12 layers, patch 16 at 224: patch conv 768D + D, class token D (no absolute
// position embedding); per layer query D^2 + D, key D^2 (no bias), value D^2 + D, output D^2 + D, intermediate
// 4D^2 + 4D, output 4D^2 + D, two LayerNorms 4D, lambda_1 and lambda_2 2D, and a relative position table of
// ((2*14 - 1)^2 + 3) x H = 732H; the pooler's LayerNorm 2D.
const beitParams = (d: number, heads: number): number =>
  768 * d + d + d + 12 * (12 * d * d + 14 * d + 732 * heads) + 2 * d;

// ViT-B/16 multiply-adds at 224 without the head: the patch conv (196 outputs x 768 channels x 768 inputs each), then
// per layer over 197 tokens the qkv (768 x 2304), out (768 x 768) and MLP (2 x 768 x 3072) projections plus the two
// attention matmuls (2 x 197 x 197 x 768).
const VIT_B_16_HEADLESS_MACS =
  196 * 768 * 768 + 12 * (197 * (768 * 2304 + 768 * 768 + 2 * 768 * 3072) + 2 * 197 * 197 * 768);

describe('backbone registry', () => {
  test('lists exactly the backbones RadLab supports', () => {
    assert.deepEqual([...BACKBONE_NAMES].sort(), [
      'beit_b_16',
      'beit_s_16',
      'convnext_base',
      'convnext_tiny',
      'efficientnet_v2_m',
      'efficientnet_v2_s',
      'resnet152',
      'resnet18',
      'resnet50',
      'swin_b',
      'swin_t',
      'vit_b_16',
      'vit_s_16',
      'vit_ti_16',
    ]);
  });

  test('parameter counts are torchvision published counts minus the classification head', () => {
    for (const [name, { params, headInFeatures }] of Object.entries(TORCHVISION_WITH_HEAD)) {
      assert.equal(backboneFacts(name)?.params, params - linearHeadParams(headInFeatures), name);
    }
  });

  test('ViT and BEiT parameter counts match the closed forms of their definitions', () => {
    assert.equal(backboneFacts('vit_ti_16').params, vitParams(192));
    assert.equal(backboneFacts('vit_s_16').params, vitParams(384));
    assert.equal(backboneFacts('vit_b_16').params, vitParams(768));
    assert.equal(backboneFacts('beit_b_16').params, beitParams(768, 12));
    assert.equal(backboneFacts('beit_s_16').params, beitParams(384, 6));
    // With its 1000-class classifier BEiT-B is the published ~86.5M-parameter microsoft/beit-base-patch16-224.
    const beitWithHead = beitParams(768, 12) + linearHeadParams(768);
    assert.equal(beitWithHead, 86_530_984);
    assert.equal(Math.round(beitWithHead / 1e5) / 10, 86.5);
  });

  test('parameter tensor counts match the architectures', () => {
    // ResNet-152: stem conv1 + bn1 (3); 3 + 8 + 36 + 3 = 50 bottlenecks of 9 (conv1, bn1 x2, conv2, bn2 x2, conv3,
    // bn3 x2) and a downsample (conv + bn x2 = 3) at the start of each of the 4 stages.
    assert.equal(backboneFacts('resnet152').paramTensors, 3 + 50 * 9 + 4 * 3);
    // ViT: conv weight + bias, class token, position embedding; 12 per layer (2 LayerNorms, in_proj w+b, out_proj
    // w+b, two MLP Linears w+b); final LayerNorm.
    for (const name of ['vit_ti_16', 'vit_s_16', 'vit_b_16']) {
      assert.equal(backboneFacts(name)?.paramTensors, 4 + 12 * 12 + 2, name);
    }
    // BEiT: class token, patch conv w+b; 18 per layer; the pooler's LayerNorm.
    assert.equal(backboneFacts('beit_b_16').paramTensors, 3 + 12 * 18 + 2);
  });

  test("feature widths are the mission's", () => {
    for (const [name, width] of Object.entries(MISSION_FEATURE_WIDTHS)) {
      assert.equal(backboneFacts(name)?.featureWidth, width, name);
    }
  });

  test("input sizes are torchvision's evaluation sizes", () => {
    assert.equal(backboneFacts('efficientnet_v2_s').inputSize, 384);
    assert.equal(backboneFacts('efficientnet_v2_m').inputSize, 480);
    for (const name of BACKBONE_NAMES.filter((n) => !n.startsWith('efficientnet'))) {
      assert.equal(backboneFacts(name).inputSize, 224, name);
    }
  });

  test("GFLOPs follow torchvision's multiply-add count", () => {
    const measured = readMeasuredFacts();
    for (const [name, { gmacs, headInFeatures }] of Object.entries(TORCHVISION_GMACS_WITH_HEAD)) {
      const withHead = measured.backbones.find((b) => b.name === name)?.withHead as { macs: number };
      assert.equal(Math.round(withHead.macs / 1e6) / 1e3, gmacs, `${name} with head`);
      // Headless: the published figure less the head's in_features x 1000 multiply-adds; both sides are rounded to
      // three decimals, hence the tolerance.
      const expected = gmacs - (headInFeatures * IMAGENET_CLASSES) / 1e9;
      const gflops = backboneFacts(name)!.gflops;
      assert.ok(Math.abs(gflops - expected) <= 0.0011, `${name}: ${gflops} vs ${expected}`);
    }
    const vit = measured.backbones.find((b) => b.name === 'vit_b_16') as { macs: number };
    assert.equal(vit.macs, VIT_B_16_HEADLESS_MACS);
  });

  test('the generated module is the JSON fixture, with no drift', () => {
    const measured = readMeasuredFacts();
    assert.equal(readFileSync(GENERATED_TS_PATH, 'utf8'), renderBackboneFactsModule(measured));
    assert.deepEqual(GENERATED_BACKBONE_FACTS, measured.backbones.map(registryFieldsOf));
  });

  test('every tail covers at least 128 tensors (ResNet-18 has only 60: all of them) and never more than exist', () => {
    for (const name of BACKBONE_NAMES) {
      const facts = backboneFacts(name);
      const tensors = facts.tail.reduce((sum, group) => sum + group.tensors, 0);
      const params = facts.tail.reduce((sum, group) => sum + group.params, 0);
      assert.ok(tensors >= Math.min(128, facts.paramTensors) && tensors <= facts.paramTensors, name);
      assert.ok(params <= facts.params, name);
    }
    const resnet18 = backboneFacts('resnet18');
    assert.equal(
      resnet18.tail.reduce((sum, group) => sum + group.params, 0),
      resnet18.params,
    );
    assert.deepEqual(
      resnet18.tail.slice(-2).map((group) => group.block),
      ['bn1', 'conv1'],
    );
  });
});

describe('describeUnfrozen', () => {
  test('resnet152, last 32 tensors', () => {
    // From the end: layer4.2 and layer4.1 are plain bottlenecks (9 each), layer4.0 has the downsample (9 + 3),
    // which makes 30; the remaining 2 are the last two tensors of layer3.35 (its bn3 weight and bias).
    assert.equal(
      describeUnfrozen('resnet152', 32),
      'the last 32 tensors: layer4.2 (9), layer4.1 (9), layer4.0 (12), part of layer3.35 (2 of 9)',
    );
  });

  test('whole blocks, nothing and everything', () => {
    assert.equal(describeUnfrozen('resnet152', 9), 'the last 9 tensors: layer4.2 (9)');
    assert.equal(describeUnfrozen('resnet152', 0), 'no tensors: the whole backbone is frozen');
    assert.equal(describeUnfrozen('resnet152', 465), 'all 465 tensors: the whole backbone is trainable');
    assert.equal(describeUnfrozen('resnet152', 1000), 'all 465 tensors: the whole backbone is trainable');
  });

  test('beyond the recorded tail', () => {
    // The tail stops at the first whole block reaching 128: 30 + 11 blocks of 9 (layer3.35 .. layer3.25) = 129.
    const text = describeUnfrozen('resnet152', 200);
    assert.ok(text.startsWith('the last 200 tensors: layer4.2 (9), layer4.1 (9), layer4.0 (12), layer3.35 (9)'), text);
    assert.ok(text.endsWith('layer3.25 (9), and 71 more tensors before layer3.25'), text);
  });

  test('bad input is refused with the reason', () => {
    assert.throws(() => describeUnfrozen('resnet15', 3), /unknown backbone 'resnet15'.*did you mean 'resnet1/);
    assert.throws(() => describeUnfrozen('resnet152', -1), /whole number, 0 or more, got -1/);
    assert.throws(() => describeUnfrozen('resnet152', 2.5), /got 2.5/);
  });
});

describe('estimateTrainingMemory', () => {
  const headlessResnet152 = 60_192_808 - linearHeadParams(2048);
  // ResNet-152 bottleneck parameters: stage 4 (input 2048, width 512, output 2048): 1x1 2048*512 + 3x3 512*512*9 +
  // 1x1 512*2048 + BatchNorms 2*(512 + 512 + 2048); its first block takes 1024 channels in and adds a downsample
  // conv 1024*2048 + BatchNorm 2*2048. Stage 3 block (1024 in, width 256): 1024*256 + 256*256*9 + 256*1024 + 2*(256 +
  // 256 + 1024).
  const layer4Block = 2048 * 512 + 512 * 512 * 9 + 512 * 2048 + 2 * (512 + 512 + 2048);
  const layer4First = 1024 * 512 + 512 * 512 * 9 + 512 * 2048 + 2 * (512 + 512 + 2048) + 1024 * 2048 + 2 * 2048;
  const layer3Block = 1024 * 256 + 256 * 256 * 9 + 256 * 1024 + 2 * (256 + 256 + 1024);

  test('frozen backbone: weights only', () => {
    const estimate = estimateTrainingMemory('resnet152', 32, 0);
    assert.equal(estimate.weightsBytes, 4 * headlessResnet152);
    assert.equal(estimate.trainableParams, 0);
    assert.equal(estimate.totalBytes, 4 * headlessResnet152);
  });

  test('last 32 tensors: whole blocks reached, AdamW state, activations scale with the batch', () => {
    const estimate = estimateTrainingMemory('resnet152', 32, 32);
    // 32 tensors end inside layer3.35, which counts whole.
    const trainable = 2 * layer4Block + layer4First + layer3Block;
    assert.equal(estimate.trainableParams, trainable);
    assert.equal(estimate.gradientBytes, 4 * trainable);
    assert.equal(estimate.optimizerBytes, 8 * trainable);
    const atBatch1 = estimateTrainingMemory('resnet152', 1, 32);
    assert.ok(atBatch1.activationBytes > 0);
    assert.equal(estimate.activationBytes, 32 * atBatch1.activationBytes);
    assert.equal(
      estimateTrainingMemory('resnet152', 32, 32).totalBytes,
      4 * headlessResnet152 + 12 * trainable + estimate.activationBytes,
    );
  });

  test('more trainable tensors never need less memory', () => {
    for (const name of BACKBONE_NAMES) {
      let previous = -1;
      for (const n of [0, 1, 8, 32, 64, 128, 200, Infinity]) {
        const total = estimateTrainingMemory(name, 8, n).totalBytes;
        assert.ok(total >= previous, `${name} at ${n}`);
        previous = total;
      }
      const whole = estimateTrainingMemory(name, 8, Infinity);
      assert.equal(whole.trainableParams, backboneFacts(name).params, name);
    }
  });

  test('bad batch sizes are refused', () => {
    assert.throws(
      () => estimateTrainingMemory('resnet152', 0, 32),
      /batch size must be a whole number of at least 1, got 0/,
    );
  });
});

describe('suggestBackbone', () => {
  test('near misses find the backbone, unrelated names find nothing', () => {
    assert.equal(suggestBackbone('convnext_bse'), 'convnext_base');
    assert.equal(suggestBackbone('ResNet152'), 'resnet152');
    assert.equal(suggestBackbone('efficientnet_v2m'), 'efficientnet_v2_m');
    assert.equal(suggestBackbone('inception_v3'), undefined);
  });
});
