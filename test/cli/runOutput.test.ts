// What a person sees when `radlab run` starts: the engine probes are silent (no native Dawn/Vulkan warnings with
// C++ source paths, no tfjs "Platform node has already been set"), and one line says which engine runs and why;
// what a developer gets when it fails: the stack in run.json with RADLAB_DEBUG set.
// The run uses the bundled CLI (dist/cli.js, as `npm run demo` does, where tfjs-core is bundled and the backends
// bring their own copy) and stops right after the engine starts, on a pretrained file that is not one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PROBE_NOISE, writeAutoEngineExperiment } from '../helpers/autoEngineRun';

const cli = join(__dirname, '..', '..', 'dist', 'cli.js');
let workspace: string;
let experimentFile: string;

interface RecordRead {
  error?: string;
  errorStack?: string;
  engine: { chosen: string; ladder: { name: string; reason: string }[] };
}

/** run.json of the one run of an experiment in the workspace. */
function onlyRunRecord(experiment: string): RecordRead {
  const folders = readdirSync(join(workspace, 'runs', experiment));
  assert.equal(folders.length, 1);
  return JSON.parse(readFileSync(join(workspace, 'runs', experiment, folders[0]!, 'run.json'), 'utf8')) as RecordRead;
}

describe('radlab run output', { timeout: 300_000 }, () => {
  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'radlab-run-output-'));
    experimentFile = writeAutoEngineExperiment(workspace, 'quiet');
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('prints one line naming the engine and why, and no probe noise', () => {
    const result = spawnSync(process.execPath, [cli, 'run', experimentFile], { cwd: workspace, encoding: 'utf8' });
    assert.equal(result.status, 1, 'the run fails after the engine has started');
    const engineLines = result.stdout.split('\n').filter((line) => line.startsWith('Engine: '));
    assert.equal(engineLines.length, 1, result.stdout);
    assert.doesNotMatch(result.stdout, PROBE_NOISE);
    assert.doesNotMatch(result.stderr, PROBE_NOISE);
    // What it says follows the ladder on this machine, as run.json records it.
    const { engine } = onlyRunRecord('quiet');
    const chosenAt = engine.ladder.findIndex((rung) => rung.name === engine.chosen);
    assert.ok(engineLines[0]!.startsWith(`Engine: ${engine.chosen} (1 thread, `), engineLines[0]);
    assert.ok(engineLines[0]!.includes(`): ${engine.ladder[chosenAt]!.reason}`), engineLines[0]);
    for (const passed of engine.ladder.slice(0, chosenAt)) assert.ok(engineLines[0]!.includes(passed.name));
    if (engine.chosen === 'wasm')
      assert.match(
        engineLines[0]!,
        /; tfjs-node-gpu, tfjs-node and webgpu are not usable here \(radlab engine says why\)$/,
      );
  });

  it('keeps the stack of a failure in run.json when RADLAB_DEBUG is set, and only then', () => {
    const debugFile = writeAutoEngineExperiment(workspace, 'debug');
    const result = spawnSync(process.execPath, [cli, 'run', debugFile], {
      cwd: workspace,
      encoding: 'utf8',
      env: { ...process.env, RADLAB_DEBUG: '1' },
    });
    assert.equal(result.status, 1);
    const record = onlyRunRecord('debug');
    // The failure's message, then the frames that led to it.
    assert.ok(record.error !== undefined && record.errorStack!.includes(record.error), record.errorStack);
    assert.match(record.errorStack!, /\n\s+at \S/);
    assert.equal(onlyRunRecord('quiet').errorStack, undefined, 'without RADLAB_DEBUG run.json has no stack');
  });

  it('`radlab engine` keeps the whole ladder with Dawn’s own words, without its source paths, and stderr stays empty', () => {
    const result = spawnSync(process.execPath, [cli, 'engine', '--json', '--threads', '1'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const webgpu = (JSON.parse(result.stdout) as { ladder: { name: string; reason: string }[] }).ladder.find(
      (rung) => rung.name === 'webgpu',
    )!;
    assert.doesNotMatch(webgpu.reason, /\.cpp:\d+|\/home\//);
  });
});
