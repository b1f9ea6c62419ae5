// The checkpoint reader against files written by the real torch.save and the values PyTorch reads back from them
// (test/fixtures/weights/make_pth.py), and against pickles that name forbidden globals.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { PickleDict, PickleError, unpickle } from '../../core/models/weights/pickle';
import { readTorchStateDict } from '../../core/models/weights/torchZip';

const FIXTURES = join(__dirname, '..', 'fixtures', 'weights');

interface ExpectedTensor {
  dtype: string;
  shape: number[];
  values: number[];
}
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  Record<string, ExpectedTensor>
>;

async function assertMatchesPyTorch(file: string): Promise<void> {
  const loaded = await readTorchStateDict(join(FIXTURES, file));
  const expected = EXPECTED[file]!;
  assert.deepEqual([...loaded.tensors.keys()], Object.keys(expected), 'names in state_dict order');
  for (const [name, truth] of Object.entries(expected)) {
    const tensor = loaded.tensors.get(name)!;
    assert.equal(tensor.dtype, truth.dtype, `${name} dtype`);
    assert.deepEqual(tensor.shape, truth.shape, `${name} shape`);
    // Exact: every expected value is the float32 PyTorch holds, and float32 -> double is exact.
    assert.deepEqual(Array.from(tensor.values), truth.values, `${name} values`);
  }
}

describe('readTorchStateDict on torch.save files', () => {
  test('reads every dtype and strided view exactly as PyTorch does', async () => {
    await assertMatchesPyTorch('tiny_state_dict.pth');
  });

  test('keeps the special values of float16 (subnormal, max, negative zero)', async () => {
    const { tensors } = await readTorchStateDict(join(FIXTURES, 'tiny_state_dict.pth'));
    const half = Array.from(tensors.get('half')!.values);
    assert.equal(half[2], 65504);
    assert.equal(half[3], 2 ** -24);
    assert.ok(Object.is(half[4], -0));
  });

  test('finds the state_dict inside a training checkpoint', async () => {
    const loaded = await readTorchStateDict(join(FIXTURES, 'wrapped.pth'));
    assert.equal(loaded.location, 'model_state_dict');
    assert.equal(loaded.strippedPrefix, '');
    await assertMatchesPyTorch('wrapped.pth');
  });

  test("strips DataParallel's module. prefix", async () => {
    const loaded = await readTorchStateDict(join(FIXTURES, 'module_prefixed.pth'));
    assert.equal(loaded.strippedPrefix, 'module.');
    assert.equal(loaded.location, '');
    await assertMatchesPyTorch('module_prefixed.pth');
  });
});

describe('refusing what a state_dict never holds', () => {
  for (const [file, global] of [
    ['malicious_os_system.pth', 'os.system'],
    ['malicious_eval.pth', 'builtins.eval'],
  ] as const) {
    test(`${file}: refuses ${global}, naming the global and the file`, async () => {
      await assert.rejects(readTorchStateDict(join(FIXTURES, file)), (error: Error) => {
        assert.ok(error instanceof PickleError);
        assert.match(error.message, new RegExp(`refusing to load ${global.replace('.', '\\.')}`));
        assert.ok(error.message.includes(file), error.message);
        assert.match(error.message, /torch\.save\(model\.state_dict\(\)\)/);
        return true;
      });
    });
  }

  test('STACK_GLOBAL is held to the same allow-list, and nothing is called before the refusal', () => {
    let calls = 0;
    const counting = { call: () => (calls += 1) };
    // PROTO 2, SHORT_BINUNICODE 'posix', SHORT_BINUNICODE 'getcwd', STACK_GLOBAL, EMPTY_TUPLE, REDUCE, STOP
    const bytes = Uint8Array.from([
      0x80,
      2,
      0x8c,
      5,
      ...Buffer.from('posix'),
      0x8c,
      6,
      ...Buffer.from('getcwd'),
      0x93,
      0x29,
      0x52,
      0x2e,
    ]);
    assert.throws(
      () => unpickle(bytes, { globals: new Map([['collections.OrderedDict', counting]]), source: 'inline.pkl' }),
      /inline\.pkl: refusing to load posix\.getcwd/,
    );
    assert.equal(calls, 0);
  });

  test('opcodes that build arbitrary objects are refused', () => {
    // PROTO 2, MARK, INST 'os\nsystem\n'
    const bytes = Uint8Array.from([0x80, 2, 0x28, 0x69, ...Buffer.from('os\nsystem\n'), 0x2e]);
    assert.throws(() => unpickle(bytes, { globals: new Map(), source: 'inst.pkl' }), /inst\.pkl: opcode 0x69/);
  });

  test('truncated and malformed pickles fail with the byte offset', () => {
    // BINUNICODE claiming 1000 bytes that are not there.
    const truncated = Uint8Array.from([0x80, 2, 0x58, 0xe8, 0x03, 0, 0, 0x61]);
    assert.throws(() => unpickle(truncated, { globals: new Map(), source: 't.pkl' }), /t\.pkl: truncated pickle/);
    assert.throws(
      () => unpickle(Uint8Array.from([0x80, 2, 0x68, 4, 0x2e]), { globals: new Map(), source: 'm.pkl' }),
      /memo entry 4 is read before it is written \(pickle byte 2\)/,
    );
  });
});

describe('unpickle on hand-assembled data', () => {
  test('decodes ints (BININT, LONG1 beyond 2^53), floats, strings, dicts, lists and memo references', () => {
    // {'a': [-2, 2**64, 1.5, 'x'], 'b': <memo 1 again: the same list>}
    const bytes = Uint8Array.from([
      0x80,
      2,
      0x7d,
      0x71,
      0,
      0x28,
      0x8c,
      1,
      0x61, // 'a'
      0x5d,
      0x71,
      1,
      0x28, // EMPTY_LIST, BINPUT 1, MARK
      0x4a,
      0xfe,
      0xff,
      0xff,
      0xff, // BININT -2
      0x8a,
      9,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1, // LONG1 2**64
      0x47,
      0x3f,
      0xf8,
      0,
      0,
      0,
      0,
      0,
      0, // BINFLOAT 1.5
      0x8c,
      1,
      0x78, // 'x'
      0x65, // APPENDS
      0x8c,
      1,
      0x62,
      0x68,
      1, // 'b', BINGET 1
      0x75,
      0x2e, // SETITEMS, STOP
    ]);
    const value = unpickle(bytes, { globals: new Map(), source: 'data.pkl' });
    assert.ok(value instanceof PickleDict);
    assert.deepEqual(value.get('a'), [-2, 2n ** 64n, 1.5, 'x']);
    assert.equal(value.get('b'), value.get('a'));
  });
});

describe('files that are not torch.save zips', () => {
  test('a legacy (pre-1.6) pickle checkpoint gets a re-save hint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'radlab-weights-'));
    try {
      const file = join(dir, 'legacy.pth');
      writeFileSync(
        file,
        Uint8Array.from([0x80, 2, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e]),
      );
      await assert.rejects(
        readTorchStateDict(file),
        /legacy\.pth: not a torch\.save checkpoint: .*legacy torch\.save format/,
      );
      await assert.rejects(readTorchStateDict(join(dir, 'absent.pth')), /absent\.pth: no such file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
