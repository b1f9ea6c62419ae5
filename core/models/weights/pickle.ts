// A pickle reader that only ever builds data. Python's own unpickler imports and calls whatever a file names (GLOBAL
// + REDUCE), which is how a downloaded checkpoint can run code; no npm package reads pickles without that risk or
// with torch's persistent storage ids, so this one is written here. Every GLOBAL is looked up in an allow-list the
// caller supplies, each allowed entry is a plain TypeScript function building a value, and anything else stops the
// read at the GLOBAL itself, before a REDUCE could use it.

/** Dictionary keys as they occur in checkpoints (names, parameter group indices). */
export type PickleKey = string | number | bigint | boolean | null;

/** A Python dict; `attributes` holds what BUILD set on it (an OrderedDict's `_metadata` in torch state_dicts). */
export class PickleDict extends Map<PickleKey, PickleValue> {
  readonly attributes = new Map<string, PickleValue>();
}

/** A reference to an allowed global (a class or function), as pushed by GLOBAL / STACK_GLOBAL. */
export class PickleGlobal {
  constructor(
    readonly qualifiedName: string,
    readonly definition: AllowedGlobal,
  ) {}
}

/** What allowed globals build: an object that may take BUILD state. */
export interface PickleObject {
  readonly pickleType: string;
  setState?(state: PickleValue): void;
}

/**
 * Tuples and lists both become arrays (tuples frozen); sets become `Set`; `bytes` become `Uint8Array`; ints beyond
 * 2^53 stay `bigint`.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleDict
  | Set<PickleValue>
  | PickleGlobal
  | PickleObject;

export interface AllowedGlobal {
  /** Called for REDUCE (`callable(*args)`) and NEWOBJ (`cls.__new__(cls, *args)`). */
  call(args: readonly PickleValue[]): PickleValue;
}

export interface UnpickleOptions {
  /** Allowed globals keyed `module.name` (Python 2 module aliases such as `__builtin__` are mapped first). */
  globals: ReadonlyMap<string, AllowedGlobal>;
  /** Resolves BINPERSID / PERSID ids (torch's storage references); without it persistent ids are refused. */
  persistentLoad?: (id: PickleValue) => PickleValue;
  /** Names the file (and entry) in every error. */
  source: string;
  /** Explains a refused global to the user; receives `module.name`. */
  refusalHint?: (qualifiedName: string) => string;
}

export class PickleError extends Error {}

// Protocol 2 writes Python 3 modules under their Python 2 names (pickle's fix_imports).
const MODULE_ALIASES: Record<string, string> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

const textDecoder = new TextDecoder('utf-8', { fatal: true });
const latin1Decoder = new TextDecoder('latin1');

export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  return new Unpickler(bytes, options).run();
}

class Unpickler {
  private position = 0;
  /** Where the opcode being read starts; errors point there. */
  private opcodeStart = 0;
  private stack: PickleValue[] = [];
  private readonly markStack: PickleValue[][] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: UnpickleOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private fail(message: string, at = this.opcodeStart): never {
    throw new PickleError(`${this.options.source}: ${message} (pickle byte ${at})`);
  }

  private need(count: number): number {
    if (count < 0 || this.position + count > this.bytes.length) {
      this.fail(`truncated pickle: ${count} more bytes expected but the data ends`);
    }
    const start = this.position;
    this.position += count;
    return start;
  }

  private u8(): number {
    return this.bytes[this.need(1)]!;
  }
  private u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  private u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  private i32(): number {
    return this.view.getInt32(this.need(4), true);
  }
  private u64(): number {
    const value = this.view.getBigUint64(this.need(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      this.fail(`length ${value} is larger than any file this reader accepts`);
    }
    return Number(value);
  }
  private take(count: number): Uint8Array {
    const start = this.need(count);
    return this.bytes.subarray(start, start + count);
  }
  private line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) {
      this.fail('truncated pickle: a text argument has no end of line');
    }
    const text = latin1Decoder.decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return text;
  }
  private utf8(count: number): string {
    const bytes = this.take(count);
    try {
      return textDecoder.decode(bytes);
    } catch {
      this.fail('a string is not valid UTF-8');
    }
  }

  private push(value: PickleValue): void {
    this.stack.push(value);
  }
  private pop(): PickleValue {
    if (this.stack.length === 0) {
      this.fail('stack underflow: the pickle pops more values than it pushed');
    }
    return this.stack.pop()!;
  }
  private top(): PickleValue {
    if (this.stack.length === 0) {
      this.fail('stack underflow: the pickle uses a value it never pushed');
    }
    return this.stack[this.stack.length - 1]!;
  }
  private popMark(): PickleValue[] {
    const items = this.stack;
    const outer = this.markStack.pop();
    if (outer === undefined) {
      this.fail('an opcode expects a MARK that was never set');
    }
    this.stack = outer;
    return items;
  }
  private memoGet(index: number): PickleValue {
    if (!this.memo.has(index)) {
      this.fail(`memo entry ${index} is read before it is written`);
    }
    return this.memo.get(index)!;
  }

  private resolveGlobal(module: string, name: string): PickleGlobal {
    const qualifiedName = `${MODULE_ALIASES[module] ?? module}.${name}`;
    const definition = this.options.globals.get(qualifiedName);
    if (definition === undefined) {
      const hint = this.options.refusalHint?.(qualifiedName) ?? 'it is not on the allow-list';
      throw new PickleError(`${this.options.source}: refusing to load ${qualifiedName}: ${hint}`);
    }
    return new PickleGlobal(qualifiedName, definition);
  }

  private callable(value: PickleValue, opcode: string): PickleGlobal {
    if (!(value instanceof PickleGlobal)) {
      this.fail(`${opcode} applies something that is not an allowed global`);
    }
    return value;
  }

  private tupleArgs(value: PickleValue, opcode: string): readonly PickleValue[] {
    if (!Array.isArray(value)) {
      this.fail(`${opcode} expects a tuple of arguments`);
    }
    return value;
  }

  private setItems(target: PickleValue, items: PickleValue[]): void {
    if (!(target instanceof PickleDict)) {
      this.fail('SETITEM(S) applies to something that is not a dict');
    }
    if (items.length % 2 !== 0) {
      this.fail('SETITEMS has a key without a value');
    }
    for (let i = 0; i < items.length; i += 2) {
      target.set(
        dictKey(items[i]!, (message) => this.fail(message)),
        items[i + 1]!,
      );
    }
  }

  private appendItems(target: PickleValue, items: PickleValue[]): void {
    if (Array.isArray(target) && !Object.isFrozen(target)) {
      target.push(...items);
    } else if (target instanceof Set) {
      items.forEach((item) => target.add(item));
    } else {
      this.fail('APPEND(S)/ADDITEMS applies to something that is not a list or set');
    }
  }

  private build(target: PickleValue, state: PickleValue): void {
    if (target instanceof PickleDict) {
      // An object's __dict__ state (optionally paired with slot state): record it as attributes.
      const dicts = Array.isArray(state) ? state : [state];
      for (const part of dicts) {
        if (part instanceof PickleDict) {
          part.forEach((value, key) => target.attributes.set(String(key), value));
        } else if (part !== null) {
          this.fail('BUILD gives a dict state that is not a dict');
        }
      }
      return;
    }
    if (isPickleObject(target) && target.setState !== undefined) {
      target.setState(state);
      return;
    }
    this.fail('BUILD applies state to a value that takes none');
  }

  run(): PickleValue {
    for (;;) {
      const at = this.position;
      this.opcodeStart = at;
      const opcode = this.u8();
      switch (opcode) {
        case 0x80: // PROTO
          if (this.u8() > 5) {
            this.fail('pickle protocol newer than 5', at);
          }
          break;
        case 0x95: // FRAME: framing only groups opcodes; the length is not needed to read them
          this.u64();
          break;
        case 0x2e: // STOP
          if (this.markStack.length !== 0 || this.stack.length !== 1) {
            this.fail('STOP with an unbalanced stack', at);
          }
          return this.stack[0]!;
        case 0x28: // MARK
          this.markStack.push(this.stack);
          this.stack = [];
          break;
        case 0x30: // POP
          this.pop();
          break;
        case 0x31: // POP_MARK
          this.popMark();
          break;
        case 0x32: // DUP
          this.push(this.top());
          break;
        case 0x7d: // EMPTY_DICT
          this.push(new PickleDict());
          break;
        case 0x5d: // EMPTY_LIST
          this.push([]);
          break;
        case 0x29: // EMPTY_TUPLE
          this.push(tuple([]));
          break;
        case 0x8f: // EMPTY_SET
          this.push(new Set<PickleValue>());
          break;
        case 0x85: // TUPLE1
          this.push(tuple([this.pop()]));
          break;
        case 0x86: {
          // TUPLE2
          const second = this.pop();
          this.push(tuple([this.pop(), second]));
          break;
        }
        case 0x87: {
          // TUPLE3
          const third = this.pop();
          const second = this.pop();
          this.push(tuple([this.pop(), second, third]));
          break;
        }
        case 0x74: // TUPLE
          this.push(tuple(this.popMark()));
          break;
        case 0x91: // FROZENSET
          this.push(new Set(this.popMark()));
          break;
        case 0x6c: // LIST
          this.push(this.popMark());
          break;
        case 0x64: {
          // DICT
          const dict = new PickleDict();
          this.setItems(dict, this.popMark());
          this.push(dict);
          break;
        }
        case 0x61: {
          // APPEND
          const item = this.pop();
          this.appendItems(this.top(), [item]);
          break;
        }
        case 0x65: // APPENDS
        case 0x90: {
          // ADDITEMS
          const items = this.popMark();
          this.appendItems(this.top(), items);
          break;
        }
        case 0x73: {
          // SETITEM
          const value = this.pop();
          const key = this.pop();
          this.setItems(this.top(), [key, value]);
          break;
        }
        case 0x75: {
          // SETITEMS
          const items = this.popMark();
          this.setItems(this.top(), items);
          break;
        }
        case 0x4e: // NONE
          this.push(null);
          break;
        case 0x88: // NEWTRUE
          this.push(true);
          break;
        case 0x89: // NEWFALSE
          this.push(false);
          break;
        case 0x4a: // BININT
          this.push(this.i32());
          break;
        case 0x4b: // BININT1
          this.push(this.u8());
          break;
        case 0x4d: // BININT2
          this.push(this.u16());
          break;
        case 0x8a: // LONG1
          this.push(littleEndianSigned(this.take(this.u8())));
          break;
        case 0x8b: {
          // LONG4
          const length = this.i32();
          if (length < 0) {
            this.fail('LONG4 with a negative length', at);
          }
          this.push(littleEndianSigned(this.take(length)));
          break;
        }
        case 0x49: // INT (text; protocol 0 and Python 2 booleans)
          this.push(parseTextInt(this.line(), (message) => this.fail(message, at)));
          break;
        case 0x4c: // LONG (text)
          this.push(parseTextInt(this.line().replace(/L$/, ''), (message) => this.fail(message, at)));
          break;
        case 0x47: // BINFLOAT (big-endian double)
          this.push(this.view.getFloat64(this.need(8), false));
          break;
        case 0x46: {
          // FLOAT (text)
          const value = Number(this.line());
          if (Number.isNaN(value)) {
            this.fail('FLOAT with text that is not a number', at);
          }
          this.push(value);
          break;
        }
        case 0x58: // BINUNICODE
          this.push(this.utf8(this.u32()));
          break;
        case 0x8c: // SHORT_BINUNICODE
          this.push(this.utf8(this.u8()));
          break;
        case 0x8d: // BINUNICODE8
          this.push(this.utf8(this.u64()));
          break;
        case 0x54: // BINSTRING (Python 2 str, read as latin-1 text)
          this.push(latin1Decoder.decode(this.take(this.i32())));
          break;
        case 0x55: // SHORT_BINSTRING
          this.push(latin1Decoder.decode(this.take(this.u8())));
          break;
        case 0x42: // BINBYTES
          this.push(this.take(this.u32()).slice());
          break;
        case 0x43: // SHORT_BINBYTES
          this.push(this.take(this.u8()).slice());
          break;
        case 0x8e: // BINBYTES8
        case 0x96: // BYTEARRAY8
          this.push(this.take(this.u64()).slice());
          break;
        case 0x71: // BINPUT
          this.memo.set(this.u8(), this.top());
          break;
        case 0x72: // LONG_BINPUT
          this.memo.set(this.u32(), this.top());
          break;
        case 0x70: // PUT (text)
          this.memo.set(
            parseMemoIndex(this.line(), (message) => this.fail(message, at)),
            this.top(),
          );
          break;
        case 0x94: // MEMOIZE
          this.memo.set(this.memo.size, this.top());
          break;
        case 0x68: // BINGET
          this.push(this.memoGet(this.u8()));
          break;
        case 0x6a: // LONG_BINGET
          this.push(this.memoGet(this.u32()));
          break;
        case 0x67: // GET (text)
          this.push(this.memoGet(parseMemoIndex(this.line(), (message) => this.fail(message, at))));
          break;
        case 0x63: {
          // GLOBAL
          const module = this.line();
          this.push(this.resolveGlobal(module, this.line()));
          break;
        }
        case 0x93: {
          // STACK_GLOBAL
          const name = this.pop();
          const module = this.pop();
          if (typeof module !== 'string' || typeof name !== 'string') {
            this.fail('STACK_GLOBAL with a module or name that is not a string', at);
          }
          this.push(this.resolveGlobal(module, name));
          break;
        }
        case 0x52: {
          // REDUCE
          const args = this.tupleArgs(this.pop(), 'REDUCE');
          this.push(this.callable(this.pop(), 'REDUCE').definition.call(args));
          break;
        }
        case 0x81: {
          // NEWOBJ
          const args = this.tupleArgs(this.pop(), 'NEWOBJ');
          this.push(this.callable(this.pop(), 'NEWOBJ').definition.call(args));
          break;
        }
        case 0x92: {
          // NEWOBJ_EX: keyword arguments never occur in state_dicts
          const kwargs = this.pop();
          const args = this.tupleArgs(this.pop(), 'NEWOBJ_EX');
          if (!(kwargs instanceof PickleDict) || kwargs.size !== 0) {
            this.fail('NEWOBJ_EX with keyword arguments is not supported', at);
          }
          this.push(this.callable(this.pop(), 'NEWOBJ_EX').definition.call(args));
          break;
        }
        case 0x62: {
          // BUILD
          const state = this.pop();
          this.build(this.top(), state);
          break;
        }
        case 0x51: // BINPERSID
          this.push(this.persistent(this.pop(), at));
          break;
        case 0x50: // PERSID (text id)
          this.push(this.persistent(this.line(), at));
          break;
        case 0x69: // INST
        case 0x6f: // OBJ
        case 0x82: // EXT1
        case 0x83: // EXT2
        case 0x84: // EXT4
          this.fail(`opcode 0x${opcode.toString(16)} builds arbitrary objects and never occurs in a state_dict`, at);
        default:
          this.fail(`unknown pickle opcode 0x${opcode.toString(16)}`, at);
      }
    }
  }

  private persistent(id: PickleValue, at: number): PickleValue {
    if (this.options.persistentLoad === undefined) {
      this.fail('persistent ids are not expected in this pickle', at);
    }
    return this.options.persistentLoad(id);
  }
}

// Tuples are frozen arrays, so APPEND cannot grow one by mistake.
function tuple(items: PickleValue[]): PickleValue[] {
  return Object.freeze(items) as PickleValue[];
}

function isPickleObject(value: PickleValue): value is PickleObject {
  return typeof value === 'object' && value !== null && 'pickleType' in value;
}

function dictKey(value: PickleValue, fail: (message: string) => never): PickleKey {
  if (value === null || ['string', 'number', 'bigint', 'boolean'].includes(typeof value)) {
    return value as PickleKey;
  }
  // Tuple keys (rare in checkpoints) are kept under their text form so lookups by value still work.
  if (Array.isArray(value)) {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  }
  return fail('a dict key is neither a string, a number nor a tuple');
}

function littleEndianSigned(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) {
    return 0;
  }
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) {
    value = (value << 8n) | BigInt(bytes[i]!);
  }
  if (bytes[bytes.length - 1]! & 0x80) {
    value -= 1n << BigInt(bytes.length * 8);
  }
  return narrow(value);
}

function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseTextInt(text: string, fail: (message: string) => never): number | bigint | boolean {
  if (text === '01') {
    return true;
  }
  if (text === '00') {
    return false;
  }
  if (!/^[+-]?\d+$/.test(text)) {
    return fail(`integer text '${text}' is not a number`);
  }
  return narrow(BigInt(text));
}

function parseMemoIndex(text: string, fail: (message: string) => never): number {
  if (!/^\d+$/.test(text)) {
    return fail(`memo index '${text}' is not a number`);
  }
  return Number(text);
}
