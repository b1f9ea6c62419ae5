// An output folder that cannot hold a run is refused before any training, with a message that
// says what to change, instead of an errno from deep inside the first checkpoint write hours later.
import { accessSync, constants, existsSync, readdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatBytes } from '../experiment/format';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { optimizerSlots } from '../experiment/stepPlan';
import { backboneFacts, estimateTrainingMemory } from '../models/registry';

/** The deepest existing folder (or file) on the way to `target`: where the run folder would be created from. */
function nearestExisting(target: string): string {
  let current = target;
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return current;
}

/** Throws a clear error when `runDir` cannot be created or written because of what already sits on its path. */
export function checkOutputWritable(run: ResolvedRun, runDir: string): void {
  const existing = nearestExisting(runDir);
  const fix = `Set output: in ${run.experimentFile} to a folder you can write to.`;
  if (!statSync(existing).isDirectory()) {
    throw new Error(`cannot create the run folder ${runDir}: ${existing} is a file, not a folder. ${fix}`);
  }
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new Error(`cannot create the run folder ${runDir}: ${existing} is not writable. ${fix}`);
  }
}

/**
 * Bytes the run folder holds at its fullest: while the last checkpoint is staged beside the best and the previous
 * last (three checkpoints: weights plus optimizer slots), plus the best model. A margin covers the head, results
 * and plots, which are small next to the backbone.
 */
export function peakRunFolderBytes(run: ResolvedRun): number {
  const facts = backboneFacts(run.model.backbone);
  if (facts === undefined) return 0;
  const trainableTensors = run.model.freeze_backbone
    ? Math.min(run.model.unfreeze_last_n, facts.paramTensors)
    : facts.paramTensors;
  const estimate = estimateTrainingMemory(run.model.backbone, 1, trainableTensors);
  // estimateTrainingMemory counts AdamW's two slots per trainable weight; SGD keeps one (momentum) or none.
  const checkpoint = estimate.weightsBytes + (estimate.optimizerBytes * optimizerSlots(run.train.optimizer)) / 2;
  return Math.ceil((3 * checkpoint + estimate.weightsBytes) * 1.1 + 16 * 2 ** 20);
}

function bytesUnder(folder: string): number {
  if (!existsSync(folder)) return 0;
  let total = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    total += entry.isDirectory() ? bytesUnder(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

/**
 * Throws when the disk holding `runDir` has less free space than the run still needs. A resumed run already holds
 * part of its peak on disk, so only the rest must be free. `freeBytes` is injectable for tests of the decision.
 */
export function checkOutputSpace(
  run: ResolvedRun,
  runDir: string,
  freeBytes: (path: string) => number = (path) => {
    const stats = statfsSync(path);
    return stats.bavail * stats.bsize;
  },
): void {
  const needed = peakRunFolderBytes(run) - bytesUnder(runDir);
  if (needed <= 0) return;
  const existing = nearestExisting(runDir);
  const free = freeBytes(existing);
  if (free < needed) {
    throw new Error(
      `not enough free disk space for the run folder ${runDir}: a ${run.model.backbone} run needs about ${formatBytes(needed)} ` +
        `for its checkpoints, but only ${formatBytes(free)} is free at ${existing}. Free some space or set output: in ` +
        `${run.experimentFile} to a folder on a larger disk.`,
    );
  }
}
