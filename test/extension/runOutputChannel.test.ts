// The "RadLab Runs" output channel for a run the editor starts: the run manager with the real bundled trainer
// (`radlab run --events-stdout`), on an experiment that probes every engine and fails once one has started.
// The channel shows each event once and none of the engine probes' native noise (Dawn's Vulkan warnings with
// C++ source paths, XDG_RUNTIME_DIR, tfjs's platform warning).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { cliInvocation } from '../../extension/runs/cliInvocation';
import { RunManager } from '../../extension/runs/runManager';
import { PROBE_NOISE, writeAutoEngineExperiment } from '../helpers/autoEngineRun';

const cliScript = path.join(__dirname, '..', '..', 'dist', 'cli.js');

describe('the runs output channel', { timeout: 300_000 }, () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'radlab-channel-'));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('shows the run start and the engine once each, and no probe noise', async () => {
    const experimentFile = writeAutoEngineExperiment(workspace, 'channel');
    const log: string[] = [];
    const cli = cliInvocation({ nodePath: process.execPath, hostExecutable: '/unused', cliScript, env: process.env });
    const outcome = await new RunManager(() => cli, { log: (line) => log.push(line) }).submit({
      kind: 'run',
      experimentFile,
    }).done;
    assert.equal(outcome.status, 'failed');
    assert.deepEqual(
      log.filter((line) => PROBE_NOISE.test(line)),
      [],
    );
    assert.equal(log.filter((line) => line.startsWith('▶ channel: run ')).length, 1, log.join('\n'));
    assert.equal(log.filter((line) => line.startsWith('Engine: ')).length, 1, log.join('\n'));
    assert.equal(log.filter((line) => line.startsWith('■ run failed')).length, 1, log.join('\n'));
  });
});
