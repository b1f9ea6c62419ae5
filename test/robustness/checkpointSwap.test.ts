// Checkpoint writes: a crash at any point of saving a training checkpoint leaves one whole
// checkpoint to resume from. The crash is simulated by stopping the swap after each of its steps (the steps are
// file renames, so a SIGKILL can only land between them) and asking the loader what it would read.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asideFolder, readableCheckpoint, swapInCheckpoint } from '../../core/train/trainingCheckpoint';

const root = mkdtempSync(join(tmpdir(), 'radlab-checkpoint-swap-'));
after(() => rmSync(root, { recursive: true, force: true }));

function writeCheckpoint(folder: string, epoch: number): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'model.safetensors'), `model ${epoch}`);
  writeFileSync(join(folder, 'optimizer.safetensors'), `optimizer ${epoch}`);
  writeFileSync(join(folder, 'progress.json'), JSON.stringify({ completedEpochs: epoch }));
}

function epochOf(folder: string | undefined): number | undefined {
  return folder === undefined
    ? undefined
    : (JSON.parse(readFileSync(join(folder, 'progress.json'), 'utf8')) as { completedEpochs: number }).completedEpochs;
}

describe('training checkpoint swap', () => {
  it('replaces the old checkpoint and leaves nothing aside', () => {
    const folder = join(root, 'whole', 'last');
    writeCheckpoint(folder, 1);
    writeCheckpoint(`${folder}.saving`, 2);
    swapInCheckpoint(`${folder}.saving`, folder);
    assert.equal(epochOf(readableCheckpoint(folder)), 2);
    assert.ok(!existsSync(asideFolder(folder)) && !existsSync(`${folder}.saving`));
  });

  // The swap's steps, replayed by hand up to each crash point; what must be readable after each.
  const crashPoints: { after: string; steps: (folder: string) => void; expected: number }[] = [
    { after: 'staging half written', steps: (f) => rmSync(join(`${f}.saving`, 'progress.json')), expected: 1 },
    { after: 'old renamed aside', steps: (f) => renameSync(f, asideFolder(f)), expected: 1 },
    {
      after: 'new renamed in',
      steps: (f) => (renameSync(f, asideFolder(f)), renameSync(`${f}.saving`, f)),
      expected: 2,
    },
  ];
  for (const { after: point, steps, expected } of crashPoints) {
    it(`after a crash with the ${point}, the loader finds epoch ${expected}`, () => {
      const folder = join(root, point.replace(/\W+/g, '-'), 'last');
      writeCheckpoint(folder, 1);
      writeCheckpoint(`${folder}.saving`, 2);
      steps(folder);
      assert.equal(epochOf(readableCheckpoint(folder)), expected);
      // The next save after the restart (a resumed run) completes the swap and cleans up.
      rmSync(`${folder}.saving`, { recursive: true, force: true });
      writeCheckpoint(`${folder}.saving`, 3);
      swapInCheckpoint(`${folder}.saving`, folder);
      assert.equal(epochOf(readableCheckpoint(folder)), 3);
      assert.ok(!existsSync(asideFolder(folder)));
    });
  }
});
