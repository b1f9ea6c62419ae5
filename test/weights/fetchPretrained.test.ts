// Downloading official weights into the cache, against a server on 127.0.0.1 that serves a small torch.save
// checkpoint: a good file is kept (and reused without asking the server again); a wrong hash, a truncated body,
// a 404 and a stalled server each fail with the URL and the path to place the file at, leaving nothing in the cache.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { imagenetWeights } from '../../core/models/registry';
import { defaultWeightsCache, fetchPretrained, sha256PrefixOf } from '../../core/models/weights/fetchPretrained';
import { readStateDict } from '../../core/models/weights/loadWeights';

const checkpoint = readFileSync(join(__dirname, '..', 'fixtures', 'weights', 'tiny_state_dict.pth'));
const prefix = createHash('sha256').update(checkpoint).digest('hex').slice(0, 8);
const good = { file: `tiny-${prefix}.pth` };

let server: Server;
let base: string;
const requests: string[] = [];
const stalled: Array<() => void> = [];

before(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push(path);
    const [, mode, file] = path.split('/');
    if (mode === 'missing' || !file?.startsWith('tiny-')) {
      response.writeHead(404).end('not found');
    } else if (mode === 'truncated') {
      response.writeHead(200, { 'content-length': checkpoint.length });
      response.write(checkpoint.subarray(0, checkpoint.length >> 1));
      // Close mid-body, as a dropped connection does.
      setTimeout(() => response.socket?.destroy(), 20);
    } else if (mode === 'stalled') {
      response.writeHead(200, { 'content-length': checkpoint.length });
      response.write(checkpoint.subarray(0, 100));
      stalled.push(() => response.destroy());
    } else {
      response.writeHead(200, { 'content-length': checkpoint.length }).end(checkpoint);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  stalled.forEach((end) => end());
  await new Promise((resolve) => server.close(resolve));
});

function cacheFolder(): string {
  return mkdtempSync(join(tmpdir(), 'radlab-weights-cache-'));
}

describe('fetchPretrained', () => {
  it('downloads a verified checkpoint into the cache and reuses it', async () => {
    const cacheDir = cacheFolder();
    try {
      const source = { url: `${base}/ok/${good.file}`, file: good.file };
      const file = await fetchPretrained('tiny', source, { cacheDir });
      assert.equal(file, join(cacheDir, good.file));
      assert.deepEqual(readFileSync(file), checkpoint);
      assert.deepEqual(readdirSync(cacheDir), [good.file], 'only the finished file is left');
      const state = await readStateDict(file);
      assert.ok(state.tensors.size > 0, 'the cached file is a readable checkpoint');
      const asked = requests.length;
      assert.equal(await fetchPretrained('tiny', source, { cacheDir }), file);
      assert.equal(requests.length, asked, 'the cached file was reused without a request');
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  const failures: Array<{ name: string; file: string; mode: string; reason: RegExp }> = [
    {
      name: 'a hash other than the file name promises',
      file: 'tiny-0badc0de.pth',
      mode: 'ok',
      reason: /SHA-256 is [0-9a-f]{64}, but the file name promises one starting with 0badc0de/,
    },
    {
      name: 'a truncated body',
      file: good.file,
      mode: 'truncated',
      reason: /stopped after \d+ of \d+ bytes|closed after \d+ bytes|aborted|socket hang up/,
    },
    { name: 'a 404', file: good.file, mode: 'missing', reason: /HTTP 404/ },
    { name: 'a server that stops sending', file: good.file, mode: 'stalled', reason: /no data for 0.3 s/ },
  ];
  for (const { name, file, mode, reason } of failures) {
    it(`fails on ${name}, naming the URL and the file to place, with nothing left in the cache`, async () => {
      const cacheDir = cacheFolder();
      try {
        const url = `${base}/${mode}/${file}`;
        await assert.rejects(
          fetchPretrained('tiny', { url, file }, { cacheDir, idleTimeoutMs: 300 }),
          (error: Error) => {
            assert.match(error.message, reason);
            assert.ok(error.message.includes(url), error.message);
            assert.ok(error.message.includes(join(cacheDir, file)), error.message);
            return true;
          },
        );
        assert.deepEqual(readdirSync(cacheDir), []);
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
    });
  }

  it('a mirror serves the official file names', async () => {
    const cacheDir = cacheFolder();
    try {
      const source = { url: 'https://download.invalid/models/' + good.file, file: good.file };
      const file = await fetchPretrained('tiny', source, { cacheDir, mirror: `${base}/ok` });
      assert.deepEqual(readFileSync(file), checkpoint);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('the registry of official weights', () => {
  it("names torchvision's files, whose names carry the hash prefix", () => {
    assert.deepEqual(imagenetWeights('resnet18'), {
      url: 'https://download.pytorch.org/models/resnet18-f37072fd.pth',
      file: 'resnet18-f37072fd.pth',
    });
    assert.equal(sha256PrefixOf('resnet18-f37072fd.pth'), 'f37072fd');
    assert.equal(sha256PrefixOf('efficientnet_v2_m-dc08266a.pth'), 'dc08266a');
    assert.equal(imagenetWeights('vit_ti_16'), undefined, 'no official weights exist for this configuration');
  });

  it('caches under RADLAB_WEIGHTS_CACHE, else ~/.cache/radlab/weights', () => {
    assert.equal(defaultWeightsCache({ RADLAB_WEIGHTS_CACHE: '/data/weights' }), '/data/weights');
    assert.match(defaultWeightsCache({}), /\.cache\/radlab\/weights$/);
  });
});
