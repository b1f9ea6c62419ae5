// The safetensors reader and writer: against a file PyTorch's side wrote (make_parity.py, written by hand in
// Python from numpy bytes), hand-known half-precision bit patterns, and malformed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  float16BitsToNumber,
  numberToBfloat16Bits,
  numberToFloat16Bits,
} from '../../core/models/safetensors';
import { PARITY_DIR } from './parityFixtures';

test('reads a file written in Python: F32 and I64 tensors, shapes, metadata', () => {
  const source = join(PARITY_DIR, 'head.io.safetensors');
  const { tensors, metadata } = decodeSafetensors(readFileSync(source), source);
  assert.deepEqual(tensors.get('levels'), { dtype: 'I64', shape: [4], data: Int32Array.from([0, 4, 2, 2]) });
  assert.equal(tensors.get('features')!.dtype, 'F32');
  assert.deepEqual(tensors.get('features')!.shape, [4, 24]);
  assert.deepEqual(JSON.parse(metadata.config!).hidden, [16, 12]);
});

test('half-precision bit patterns (IEEE 754 binary16 and bfloat16)', () => {
  assert.equal(numberToFloat16Bits(1), 0x3c00);
  assert.equal(numberToFloat16Bits(-2), 0xc000);
  assert.equal(numberToFloat16Bits(65504), 0x7bff);
  assert.equal(numberToFloat16Bits(1e6), 0x7c00);
  assert.equal(numberToFloat16Bits(2 ** -24), 0x0001);
  assert.equal(numberToFloat16Bits(1 + 2 ** -11), 0x3c00, 'a tie rounds to even');
  assert.equal(numberToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02, 'a tie rounds to even (up)');
  assert.equal(float16BitsToNumber(0x3555), 0.333251953125);
  assert.equal(float16BitsToNumber(0x0001), 2 ** -24);
  assert.equal(numberToBfloat16Bits(1), 0x3f80);
  assert.equal(numberToBfloat16Bits(-0.5), 0xbf00);
  assert.equal(numberToBfloat16Bits(1 + 2 ** -8), 0x3f80, 'a tie rounds to even');
});

test('the byte layout: little-endian length, 8-byte aligned JSON header, little-endian data', () => {
  const bytes = encodeSafetensors([{ name: 'a', dtype: 'I64', shape: [2], data: Int32Array.from([1, -2]) }], {
    note: 'x',
  });
  const view = new DataView(bytes.buffer);
  const headerLength = Number(view.getBigUint64(0, true));
  assert.equal(headerLength % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.deepEqual(header, { a: { dtype: 'I64', shape: [2], data_offsets: [0, 16] }, __metadata__: { note: 'x' } });
  assert.deepEqual([...bytes.subarray(8 + headerLength, 8 + headerLength + 8)], [1, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...bytes.subarray(8 + headerLength + 8)], [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
});

test('writes and reads back F32, F16, BF16 and I64', () => {
  const values = Float32Array.from([0.5, -3.25, 1024, 0]);
  const bytes = encodeSafetensors([
    { name: 'f32', dtype: 'F32', shape: [2, 2], data: values },
    { name: 'f16', dtype: 'F16', shape: [4], data: values },
    { name: 'bf16', dtype: 'BF16', shape: [4], data: values },
    { name: 'i64', dtype: 'I64', shape: [1], data: Int32Array.from([7]) },
  ]);
  const { tensors } = decodeSafetensors(bytes, 'memory');
  for (const name of ['f32', 'f16', 'bf16']) {
    assert.deepEqual([...tensors.get(name)!.data], [...values], name);
  }
  assert.deepEqual(tensors.get('f32')!.shape, [2, 2]);
  assert.deepEqual([...tensors.get('i64')!.data], [7]);
});

test('malformed files are refused with the file named', () => {
  assert.throws(
    () => decodeSafetensors(new Uint8Array(4), 'tiny.safetensors'),
    /tiny\.safetensors: the file has 4 bytes/,
  );
  const good = encodeSafetensors([{ name: 'w', dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) }]);
  assert.throws(
    () => decodeSafetensors(good.subarray(0, good.length - 4), 'cut.safetensors'),
    /cut\.safetensors: tensor 'w'/,
  );
  const lying = new Uint8Array(16);
  new DataView(lying.buffer).setBigUint64(0, 1000n, true);
  assert.throws(() => decodeSafetensors(lying, 'big.safetensors'), /header claims 1000 bytes/);
  const notJson = encodeSafetensors([]);
  notJson[8] = 0x7b;
  notJson[9] = 0x7b;
  assert.throws(() => decodeSafetensors(notJson, 'bad.safetensors'), /bad\.safetensors: the header is not valid JSON/);
  const huge = encodeSafetensors([{ name: 'n', dtype: 'I64', shape: [1], data: Int32Array.from([0]) }]);
  const view = new DataView(huge.buffer);
  view.setBigInt64(huge.length - 8, 2n ** 40n, true);
  assert.throws(() => decodeSafetensors(huge, 'i64.safetensors'), /'n' holds the int64 value 1099511627776/);
});
