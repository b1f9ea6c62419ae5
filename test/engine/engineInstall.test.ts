// Installing a native engine into RadLab's managed folder, and how the ladder finds engines there. The install
// runs the real npm against the registry; here the libtensorflow download that tfjs-node-gpu's install script
// starts is refused (no internet beyond the registry), which is the failure a user without internet meets.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EngineInstallError, installEngine } from '../../core/engine/engineInstall';
import { cudaCheck, isInstalled } from '../../core/engine/ladder';
import { ENGINES_DIR_ENV, enginePackageDir, managedPackageDir } from '../../core/engine/managedEngines';

const scratch = mkdtempSync(join(tmpdir(), 'radlab-engines-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Every path under a folder, so "left as it was" can be compared exactly. */
function listing(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).sort();
}

/** A managed folder holding something already (a marker and an unrelated engine folder). */
function existingRoot(name: string): string {
  const root = join(scratch, name);
  mkdirSync(join(root, 'tfjs-node', 'node_modules'), { recursive: true });
  writeFileSync(join(root, 'marker.txt'), 'kept\n');
  return root;
}

function withEnginesDir<T>(root: string, body: () => T): T {
  const previous = process.env[ENGINES_DIR_ENV];
  process.env[ENGINES_DIR_ENV] = root;
  try {
    return body();
  } finally {
    if (previous === undefined) delete process.env[ENGINES_DIR_ENV];
    else process.env[ENGINES_DIR_ENV] = previous;
  }
}

/** A tfjs-node-gpu package as npm leaves it, with or without the compiled binding. */
function fakePackage(root: string, withBinding: boolean): string {
  const dir = managedPackageDir('tfjs-node-gpu', '@tensorflow/tfjs-node-gpu', root);
  mkdirSync(join(dir, 'lib', 'napi-v8'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@tensorflow/tfjs-node-gpu', version: '4.22.0' }));
  if (withBinding) writeFileSync(join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
  return dir;
}

describe('the managed engines folder', () => {
  it('a package whose binding was never built does not count as installed; with the binding it does', () => {
    const root = join(scratch, 'ladder');
    withEnginesDir(root, () => {
      assert.equal(isInstalled('tfjs-node-gpu'), false);
      const dir = fakePackage(root, false);
      assert.equal(isInstalled('tfjs-node-gpu'), false, 'no lib/napi-v*/tfjs_binding.node: not an engine');
      assert.equal(enginePackageDir('tfjs-node-gpu', '@tensorflow/tfjs-node-gpu', root), undefined);
      writeFileSync(join(dir, 'lib', 'napi-v8', 'tfjs_binding.node'), '');
      assert.equal(isInstalled('tfjs-node-gpu'), true);
      assert.equal(enginePackageDir('tfjs-node-gpu', '@tensorflow/tfjs-node-gpu', root), dir);
    });
  });

  it('tells a host with only newer CUDA libraries exactly which ones tfjs-node-gpu misses', () => {
    const libs = join(scratch, 'cuda12');
    mkdirSync(libs, { recursive: true });
    for (const name of ['libcudart.so.12', 'libcublas.so.12', 'libcudnn.so.9']) writeFileSync(join(libs, name), '');
    const previous = process.env.LD_LIBRARY_PATH;
    process.env.LD_LIBRARY_PATH = libs;
    try {
      const check = cudaCheck();
      assert.equal(check.needs, 'CUDA 11.2 and cuDNN 8.1');
      for (const name of ['libcudart.so.11.0', 'libcublas.so.11', 'libcudnn.so.8'])
        assert.ok(check.missing.includes(name));
      for (const name of ['libcudart.so.12', 'libcublas.so.12', 'libcudnn.so.9']) assert.ok(check.found.includes(name));
    } finally {
      if (previous === undefined) delete process.env.LD_LIBRARY_PATH;
      else process.env.LD_LIBRARY_PATH = previous;
    }
  });
});

describe('radlab engine install', () => {
  it('refuses an engine it cannot install and an archive that is not there, touching nothing', async () => {
    const root = existingRoot('refusals');
    const before = listing(root);
    await assert.rejects(installEngine({ engine: 'webgpu', root }), /takes tfjs-node-gpu or tfjs-node/);
    await assert.rejects(
      installEngine({ engine: 'tfjs-node-gpu', root, libtensorflow: join(scratch, 'none.tar.gz') }),
      /--libtensorflow .*none\.tar\.gz: no such file/,
    );
    assert.deepEqual(listing(root), before);
  });

  it(
    'an archive without libtensorflow in it is refused after npm, and the folder is left as it was',
    { timeout: 600_000 },
    async () => {
      const root = existingRoot('bad-archive');
      const content = join(scratch, 'not-libtensorflow');
      mkdirSync(join(content, 'docs'), { recursive: true });
      writeFileSync(join(content, 'docs', 'README'), 'not a library\n');
      const archive = join(scratch, 'not-libtensorflow.tar.gz');
      assert.equal(spawnSync('tar', ['-czf', archive, '-C', content, 'docs']).status, 0);
      const before = listing(root);
      await assert.rejects(
        installEngine({ engine: 'tfjs-node-gpu', root, libtensorflow: archive }),
        (error: unknown) => error instanceof EngineInstallError && /holds no lib\/libtensorflow/.test(error.message),
      );
      assert.deepEqual(listing(root), before);
    },
  );

  it(
    'a refused libtensorflow download fails clearly; the folder and the ladder stay as they were',
    { timeout: 600_000 },
    async () => {
      const root = existingRoot('no-internet');
      const before = listing(root);
      const lines: string[] = [];
      await withEnginesDir(root, async () => {
        assert.equal(isInstalled('tfjs-node-gpu'), false);
        await assert.rejects(
          installEngine({ engine: 'tfjs-node-gpu', root, onLine: (line) => lines.push(line) }),
          (error: unknown) =>
            error instanceof EngineInstallError &&
            /npm install @tensorflow\/tfjs-node-gpu@\d+\.\d+\.\d+ .* failed/.test(error.message) &&
            /storage\.googleapis\.com/.test(error.message),
        );
        assert.equal(isInstalled('tfjs-node-gpu'), false);
      });
      assert.deepEqual(listing(root), before);
      assert.ok(
        lines.some((line) => line.includes('install.js gpu download')),
        "npm's output was passed on as it came",
      );
    },
  );

  it('a folder that did not exist is not left behind', { timeout: 600_000 }, async () => {
    const root = join(scratch, 'never-made', 'engines');
    await assert.rejects(installEngine({ engine: 'webgpu', root }));
    await assert.rejects(
      installEngine({ engine: 'tfjs-node-gpu', root, libtensorflow: join(scratch, 'not-libtensorflow.tar.gz') }),
    );
    assert.deepEqual(readdirSync(join(scratch, 'never-made')), []);
  });
});
