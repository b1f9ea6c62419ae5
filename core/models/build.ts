// Backbones by registry name: each is its family's builder with the variant's one-line configuration.
import { requireFacts, type BackboneName } from './registry';
import type { Backbone } from './module';
import { BEIT_VARIANTS, beit } from './beit';
import { CONVNEXT_VARIANTS, convnext } from './convnext';
import { EFFICIENTNET_VARIANTS, efficientnet } from './efficientnet';
import { RESNET_VARIANTS, resnet } from './resnet';
import { SWIN_VARIANTS, swin } from './swin';
import { VIT_VARIANTS, vit } from './vit';

const DEFINITIONS: Record<BackboneName, () => Backbone> = {
  resnet18: () => resnet(RESNET_VARIANTS.resnet18, 'resnet18'),
  resnet50: () => resnet(RESNET_VARIANTS.resnet50, 'resnet50'),
  resnet152: () => resnet(RESNET_VARIANTS.resnet152, 'resnet152'),
  convnext_tiny: () => convnext(CONVNEXT_VARIANTS.convnext_tiny, 'convnext_tiny'),
  convnext_base: () => convnext(CONVNEXT_VARIANTS.convnext_base, 'convnext_base'),
  vit_b_16: () => vit(VIT_VARIANTS.vit_b_16, 'vit_b_16'),
  vit_ti_16: () => vit(VIT_VARIANTS.vit_ti_16, 'vit_ti_16'),
  vit_s_16: () => vit(VIT_VARIANTS.vit_s_16, 'vit_s_16'),
  swin_t: () => swin(SWIN_VARIANTS.swin_t, 'swin_t'),
  swin_b: () => swin(SWIN_VARIANTS.swin_b, 'swin_b'),
  beit_b_16: () => beit(BEIT_VARIANTS.beit_b_16, 'beit_b_16'),
  beit_s_16: () => beit(BEIT_VARIANTS.beit_s_16, 'beit_s_16'),
  efficientnet_v2_s: () => efficientnet(EFFICIENTNET_VARIANTS.efficientnet_v2_s, 'efficientnet_v2_s'),
  efficientnet_v2_m: () => efficientnet(EFFICIENTNET_VARIANTS.efficientnet_v2_m, 'efficientnet_v2_m'),
};

/**
 * The backbone's structure (names, shapes, order) without allocating any weight: for counting, planning what
 * `unfreeze_last_n` reaches and mapping checkpoint names. Call `initialize(seed)` on it to allocate.
 */
export function defineBackbone(name: string): Backbone {
  const facts = requireFacts(name);
  const backbone = DEFINITIONS[facts.name]();
  if (backbone.featureWidth !== facts.featureWidth) {
    throw new Error(
      `${name}: built with feature width ${backbone.featureWidth}, the registry says ${facts.featureWidth}`,
    );
  }
  return backbone;
}

/** A backbone with weights initialised as the reference implementation does, drawn from `seed`. */
export function buildBackbone(name: string, options: { seed: number }): Backbone {
  return defineBackbone(name).initialize(options.seed);
}
