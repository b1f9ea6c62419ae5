// The saliency methods RadLab computes and their names for people, shared by `radlab explain`'s output and the run
// panel's caption. No imports, so the webview contract and the extension host (which never loads tfjs) take it too.

export const SALIENCY_METHODS = ['grad-cam', 'attention-rollout'] as const;
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];

export const SALIENCY_METHOD_TITLES: Readonly<Record<SaliencyMethod, string>> = {
  'grad-cam': 'Grad-CAM',
  'attention-rollout': 'Attention rollout',
};
