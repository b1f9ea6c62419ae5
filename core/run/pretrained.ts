// Starting a backbone from ImageNet weights: model.pretrained names one file, a file per backbone, or a folder
// holding <backbone>.safetensors or <backbone>.pth (resolved here, so a sweep can share one folder).
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Backbone } from '../models/module';
import { formatKeyReport } from '../models/weights/keyReport';
import { loadBackboneWeights } from '../models/weights/loadWeights';

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

/** Loads strictly: a checkpoint that leaves any backbone tensor unset or does not fit is refused with its report. */
export async function loadPretrained(backbone: Backbone, path: string): Promise<{ file: string; summary: string }> {
  const file = pretrainedFile(path, backbone.name);
  const report = await loadBackboneWeights(backbone, file, { strict: true });
  return { file, summary: formatKeyReport(report) };
}
