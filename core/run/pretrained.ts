// Starting a backbone from ImageNet weights: model.pretrained is `imagenet` (the backbone's official weights,
// fetched through the weights cache), one file, a file per backbone, or a folder holding <backbone>.safetensors
// or <backbone>.pth (resolved here, so a sweep can share one folder).
import { existsSync, statSync } from 'node:fs';
import type { Backbone } from '../models/module';
import { imagenetWeights } from '../models/registry';
import { defaultWeightsCache, fetchPretrained } from '../models/weights/fetchPretrained';
import { formatKeyReport } from '../models/weights/keyReport';
import { loadBackboneWeights } from '../models/weights/loadWeights';
import { join } from 'node:path';

export function pretrainedFile(path: string, backbone: string): string {
  if (!statSync(path).isDirectory()) return path;
  const candidates = ['.safetensors', '.pth'].map((extension) => join(path, `${backbone}${extension}`));
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    throw new Error(
      `model.pretrained: ${path} has no weights for ${backbone} (looked for ${candidates.join(' and ')}).`,
    );
  }
  return found;
}

export interface PretrainedSetting {
  /** `imagenet`, or an absolute weights file or folder. */
  pretrained: string;
  /** model.weights_cache: an absolute folder, or '' for RADLAB_WEIGHTS_CACHE or the default. */
  weightsCache: string;
  /** Progress of a download, when one is needed. */
  onDownload?: (receivedBytes: number, totalBytes: number | undefined) => void;
}

/** The weights file a setting names for a backbone, downloading the official weights when it says `imagenet`. */
export async function pretrainedWeightsFile(backbone: string, setting: PretrainedSetting): Promise<string> {
  if (setting.pretrained !== 'imagenet') return pretrainedFile(setting.pretrained, backbone);
  const source = imagenetWeights(backbone);
  if (source === undefined) {
    throw new Error(
      `model.pretrained: no official ImageNet weights are published for ${backbone}; give a weights file.`,
    );
  }
  return fetchPretrained(backbone, source, {
    cacheDir: setting.weightsCache || defaultWeightsCache(),
    ...(process.env.RADLAB_WEIGHTS_MIRROR ? { mirror: process.env.RADLAB_WEIGHTS_MIRROR } : {}),
    ...(setting.onDownload ? { onProgress: setting.onDownload } : {}),
  });
}

/** Loads strictly: a checkpoint that leaves any backbone tensor unset or does not fit is refused with its report. */
export async function loadPretrained(
  backbone: Backbone,
  setting: PretrainedSetting,
): Promise<{ file: string; summary: string }> {
  const file = await pretrainedWeightsFile(backbone.name, setting);
  const report = await loadBackboneWeights(backbone, file, { strict: true });
  return { file, summary: formatKeyReport(report) };
}
