// Checkpoints from strangers. Crafted pickles that would run code in Python (built here as
// bytes, never executed), zip bombs, path traversal in entry names, views that repeat a tiny storage into
// gigabytes, and .safetensors files whose header lies: each is refused with an error naming the file and the
// problem, before anything is called or allocated.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeSafetensors } from '../../core/models/safetensors';
import { readTorchStateDict } from '../../core/models/weights/torchZip';
import { writeZip, type ZipEntrySpec } from './zipWriter';

const folder = mkdtempSync(join(tmpdir(), 'radlab-checkpoint-safety-'));
after(() => rmSync(folder, { recursive: true, force: true }));

// Pickle opcodes (Python's Lib/pickletools.py names them).
const PROTO = (v: number) => [0x80, v];
const GLOBAL = (module: string, name: string) => [0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1')];
const SHORT_UNICODE = (text: string) => [0x8c, text.length, ...Buffer.from(text, 'latin1')];
const STACK_GLOBAL = [0x93];
const TUPLE1 = [0x85];
const REDUCE = [0x52];
const STOP = [0x2e];
const MARK = [0x28];
const EMPTY_TUPLE = [0x29];
const BINPERSID = [0x51];
const BININT = (v: number) => [0x4a, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
const TUPLE = [0x74];
const EMPTY_DICT = [0x7d];
const SETITEM = [0x73];

function pickle(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}

/** The pickles of `os.system('id')`-style payloads, in the spellings a hostile file could use. */
const hostilePickles: Record<string, { bytes: Uint8Array; refused: RegExp }> = {
  'GLOBAL os.system + REDUCE': {
    bytes: pickle(PROTO(2), GLOBAL('os', 'system'), SHORT_UNICODE('id'), TUPLE1, REDUCE, STOP),
    refused: /refusing to load os\.system/,
  },
  'GLOBAL posix.system': {
    bytes: pickle(PROTO(2), GLOBAL('posix', 'system'), SHORT_UNICODE('id'), TUPLE1, REDUCE, STOP),
    refused: /refusing to load posix\.system/,
  },
  'STACK_GLOBAL builtins.eval': {
    bytes: pickle(
      PROTO(4),
      SHORT_UNICODE('builtins'),
      SHORT_UNICODE('eval'),
      STACK_GLOBAL,
      SHORT_UNICODE('1+1'),
      TUPLE1,
      REDUCE,
      STOP,
    ),
    refused: /refusing to load builtins\.eval/,
  },
  'Python 2 alias __builtin__.exec': {
    bytes: pickle(PROTO(2), GLOBAL('__builtin__', 'exec'), SHORT_UNICODE('x=1'), TUPLE1, REDUCE, STOP),
    refused: /refusing to load builtins\.exec/,
  },
  'subprocess.Popen': {
    bytes: pickle(PROTO(2), GLOBAL('subprocess', 'Popen'), SHORT_UNICODE('id'), TUPLE1, REDUCE, STOP),
    refused: /refusing to load subprocess\.Popen/,
  },
  'builtins.getattr chain': {
    bytes: pickle(
      PROTO(2),
      GLOBAL('builtins', 'getattr'),
      MARK,
      GLOBAL('os', 'path'),
      SHORT_UNICODE('join'),
      TUPLE,
      REDUCE,
      STOP,
    ),
    refused: /refusing to load builtins\.getattr/,
  },
  'torch.load of nested bytes': {
    bytes: pickle(PROTO(2), GLOBAL('torch.serialization', '_load'), EMPTY_TUPLE, REDUCE, STOP),
    refused: /refusing to load torch\.serialization\._load/,
  },
  'numpy reconstruct': {
    bytes: pickle(PROTO(2), GLOBAL('numpy.core.multiarray', '_reconstruct'), EMPTY_TUPLE, REDUCE, STOP),
    refused: /refusing to load numpy\.core\.multiarray\._reconstruct/,
  },
  'os.system inside a state_dict value': {
    bytes: pickle(
      PROTO(2),
      EMPTY_DICT,
      SHORT_UNICODE('weight'),
      GLOBAL('os', 'system'),
      SHORT_UNICODE('id'),
      TUPLE1,
      REDUCE,
      SETITEM,
      STOP,
    ),
    refused: /refusing to load os\.system/,
  },
  'INST opcode (import and call in one)': {
    bytes: pickle(PROTO(0), MARK, SHORT_UNICODE('id'), [0x69, ...Buffer.from('os\nsystem\n')], STOP),
    refused: /opcode 0x69 builds arbitrary objects/,
  },
  'OBJ opcode': {
    bytes: pickle(PROTO(1), MARK, GLOBAL('collections', 'OrderedDict'), [0x6f], STOP),
    refused: /refusing to load collections\.OrderedDict|opcode 0x6f/,
  },
};

function torchArchive(dataPkl: Uint8Array, extra: ZipEntrySpec[] = []): Buffer {
  return writeZip([
    { name: 'archive/data.pkl', data: dataPkl },
    { name: 'archive/byteorder', data: Buffer.from('little') },
    ...extra,
  ]);
}

async function refusal(file: string, bytes: Buffer): Promise<string> {
  writeFileSync(file, bytes);
  try {
    await readTorchStateDict(file);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail(`${file} was accepted`);
}

/** A state_dict {'w': tensor over storage '0'} with the given storage numel and view shape/strides. */
function stateDictPickle(numel: number, shape: number[], strides: number[]): Uint8Array {
  const ints = (values: number[]) => [MARK, ...values.map(BININT), TUPLE].flat();
  return pickle(
    PROTO(2),
    GLOBAL('collections', 'OrderedDict'),
    EMPTY_TUPLE,
    REDUCE,
    SHORT_UNICODE('w'),
    GLOBAL('torch._utils', '_rebuild_tensor_v2'),
    MARK,
    MARK,
    SHORT_UNICODE('storage'),
    GLOBAL('torch', 'FloatStorage'),
    SHORT_UNICODE('0'),
    SHORT_UNICODE('cpu'),
    BININT(numel),
    TUPLE,
    BINPERSID,
    BININT(0),
    ints(shape),
    ints(strides),
    [0x89],
    EMPTY_DICT,
    TUPLE,
    REDUCE,
    SETITEM,
    STOP,
  );
}

describe('.pth reader against hostile checkpoints', () => {
  for (const [name, { bytes, refused }] of Object.entries(hostilePickles)) {
    it(`refuses ${name}`, async () => {
      const file = join(folder, `${name.replace(/\W+/g, '-')}.pth`);
      const message = await refusal(file, torchArchive(bytes));
      assert.ok(message.startsWith(file), message);
      assert.match(message, refused);
    });
  }

  it('reads the hand-made state_dict these hostile variants start from (so refusals are not for other reasons)', async () => {
    const file = join(folder, 'valid.pth');
    const storage = new Float32Array([1.5, -2, 3.25, 4]);
    writeFileSync(
      file,
      torchArchive(stateDictPickle(4, [2, 2], [2, 1]), [
        { name: 'archive/data/0', data: new Uint8Array(storage.buffer) },
      ]),
    );
    const loaded = await readTorchStateDict(file);
    assert.deepEqual([...loaded.tensors.get('w')!.values], [1.5, -2, 3.25, 4]);
  });

  it('refuses a zero-stride view that would repeat 4 bytes into 8 GiB', async () => {
    const file = join(folder, 'broadcast.pth');
    const message = await refusal(
      file,
      torchArchive(stateDictPickle(1, [2 ** 31 - 1], [0]), [{ name: 'archive/data/0', data: new Uint8Array(4) }]),
    );
    assert.match(message, /repeats a storage of 1 elements into 2147483647/);
  });

  it('refuses a zip bomb: a pickle entry inflating more than 100:1', async () => {
    const file = join(folder, 'bomb.pth');
    // 32 MiB of zeros deflate to ~32 KiB (about 1000:1); a real bomb nests this to terabytes.
    const zeros = new Uint8Array(32 * 1024 * 1024);
    const message = await refusal(file, writeZip([{ name: 'archive/data.pkl', data: zeros, deflate: true }]));
    assert.match(message, /inflates \d+ bytes to 33554432 .*zip bomb/);
  });

  it('refuses an entry declaring a size beyond what it may hold', async () => {
    const file = join(folder, 'declared.pth');
    const pkl = stateDictPickle(4, [4], [1]);
    // Deflated: for a stored entry yauzl itself refuses sizes that differ from the stored bytes.
    const message = await refusal(
      file,
      torchArchive(pkl, [
        { name: 'archive/data/0', data: new Uint8Array(16), deflate: true, declaredSize: 0xfffffff0 },
      ]),
    );
    assert.match(message, /archive\/data\/0 declares 4294967280 bytes, more than the 16/);
  });

  for (const name of [
    '../../evil/data.pkl',
    '/etc/archive/data.pkl',
    'archive/../../data.pkl',
    'archive\\..\\data.pkl',
  ]) {
    it(`refuses the entry name ${JSON.stringify(name)}`, async () => {
      const file = join(folder, 'traversal.pth');
      const message = await refusal(
        file,
        writeZip([{ name, data: hostilePickles['GLOBAL os.system + REDUCE']!.bytes }]),
      );
      assert.ok(message.startsWith(`${file}: `), message);
      assert.match(message, /absolute path|invalid relative path|invalid characters/);
    });
  }
});

/** A safetensors file from a header object and data bytes, with an optional lying header length. */
function safetensors(header: unknown, data: Uint8Array, declaredHeaderLength?: number): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + data.length);
  out.writeBigUInt64LE(BigInt(declaredHeaderLength ?? json.length), 0);
  json.copy(out, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('.safetensors reader against lying headers', () => {
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const cases: Record<string, { bytes: Uint8Array; refused: RegExp }> = {
    'offsets past the end': {
      bytes: safetensors({ a: { dtype: 'F32', shape: [8], data_offsets: [0, 32] } }, data),
      refused: /needs 32 bytes .* within 16 data bytes/,
    },
    'overlapping tensors': {
      bytes: safetensors(
        {
          a: { dtype: 'F32', shape: [3], data_offsets: [0, 12] },
          b: { dtype: 'F32', shape: [3], data_offsets: [4, 16] },
        },
        data,
      ),
      refused: /'a' \[0, 12\] and 'b' \[4, 16\] overlap/,
    },
    'header length larger than the file': {
      bytes: safetensors({}, data, 2 ** 40),
      refused: /header claims 1099511627776 bytes/,
    },
    'header length 2^64 - 1': { bytes: safetensors({}, data, Number.MAX_SAFE_INTEGER), refused: /header claims/ },
    'absurd shape': {
      bytes: safetensors({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }, data),
      refused: /absurd shape/,
    },
    'negative shape': {
      bytes: safetensors({ a: { dtype: 'F32', shape: [-4], data_offsets: [0, 16] } }, data),
      refused: /invalid shape/,
    },
    'end before begin': {
      bytes: safetensors({ a: { dtype: 'F32', shape: [0], data_offsets: [16, 0] } }, data),
      refused: /data_offsets \[16, 0\]/,
    },
    'unknown dtype': {
      bytes: safetensors({ a: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } }, data),
      refused: /unsupported dtype "F128"/,
    },
    'metadata that is not strings': {
      bytes: safetensors({ __metadata__: { a: { b: 1 } } }, data),
      refused: /__metadata__ is not a map of strings/,
    },
    'header that is not JSON': {
      bytes: Buffer.concat([Buffer.from([4, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{')]),
      refused: /not valid JSON/,
    },
  };
  for (const [name, { bytes, refused }] of Object.entries(cases)) {
    it(`refuses ${name}`, () => {
      assert.throws(
        () => decodeSafetensors(bytes, 'weights/x.safetensors'),
        (error: Error) => {
          assert.ok(error.message.startsWith('weights/x.safetensors: '), error.message);
          assert.match(error.message, refused);
          return true;
        },
      );
    });
  }

  it('reads the well-formed file these variants start from', () => {
    const { tensors } = decodeSafetensors(
      safetensors({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] } }, data),
      'x',
    );
    assert.deepEqual([...tensors.get('a')!.data], [1, 2, 3, 4]);
  });
});
