// The saliency methods RadLab computes, their names for people and the heat map's default opacity over the crop,
// shared by `radlab explain` and the run panel (its caption and opacity slider). No imports, so the webview pages
// and the extension host (which never loads tfjs) take it too.

export const SALIENCY_METHODS = ['grad-cam', 'attention-rollout'] as const;
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];

export const SALIENCY_METHOD_TITLES: Readonly<Record<SaliencyMethod, string>> = {
  'grad-cam': 'Grad-CAM',
  'attention-rollout': 'Attention rollout',
};

/** The heat map's opacity over the crop unless told otherwise: the CLI's overlay PNG and the panel's slider. */
export const DEFAULT_OPACITY = 0.45;
