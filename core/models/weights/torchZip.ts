// Reads `torch.save` checkpoints (PyTorch >= 1.6 zip format) without Python and without executing anything: the
// archive's `data.pkl` goes through the allow-listing unpickler in ./pickle, tensors come back as references to the
// raw storages under `data/`, and only the storages of the chosen state_dict are read.
import { open } from 'node:fs/promises';
import yauzl from 'yauzl';
import {
  PickleDict,
  PickleError,
  PickleGlobal,
  unpickle,
  type AllowedGlobal,
  type PickleObject,
  type PickleValue,
} from './pickle';
import { DTYPE_BYTES, decodeElements, gatherStrided, type CheckpointDType, type CheckpointTensor } from './tensorData';

/** A storage named by a persistent id: `('storage', torch.FloatStorage, key, location, numel)`. */
export class TorchStorageRef implements PickleObject {
  readonly pickleType = 'torch.storage';
  constructor(
    readonly key: string,
    readonly dtype: CheckpointDType,
    readonly numel: number,
  ) {}
}

/** A tensor as the pickle describes it: a view (offset, shape, strides) over a storage. */
export class TorchTensorRef implements PickleObject {
  readonly pickleType = 'torch.tensor';
  constructor(
    readonly storage: TorchStorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
  ) {}
}

const STORAGE_DTYPES: Readonly<Record<string, CheckpointDType>> = {
  'torch.DoubleStorage': 'float64',
  'torch.FloatStorage': 'float32',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.LongStorage': 'int64',
  'torch.IntStorage': 'int32',
  'torch.ShortStorage': 'int16',
  'torch.CharStorage': 'int8',
  'torch.ByteStorage': 'uint8',
  'torch.BoolStorage': 'bool',
};

const REFUSAL_HINT = 'not part of a state_dict; re-save with torch.save(model.state_dict())';

function intList(value: PickleValue, what: string, source: string): number[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'number' && Number.isInteger(item))) {
    throw new PickleError(`${source}: ${what} is not a tuple of integers`);
  }
  return value as number[];
}

function tensorArgument(value: PickleValue | undefined, what: string, source: string): TorchTensorRef {
  if (!(value instanceof TorchTensorRef)) {
    throw new PickleError(`${source}: ${what} expects a tensor`);
  }
  return value;
}

/** Names of an allow-listed global that is a type marker or storage class: it may be named but never called. */
function markerOnly(name: string, source: string): AllowedGlobal {
  return {
    call: () => {
      throw new PickleError(`${source}: ${name} is only expected as a type marker, not called`);
    },
  };
}

/** The globals a state_dict (or a dict wrapping one) pickles, each a pure function of its arguments. */
function stateDictGlobals(source: string): Map<string, AllowedGlobal> {
  const rebuildTensor: AllowedGlobal = {
    // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
    call: ([storage, offset, size, stride]) => {
      if (!(storage instanceof TorchStorageRef) || typeof offset !== 'number') {
        throw new PickleError(`${source}: _rebuild_tensor_v2 without a storage and offset`);
      }
      return new TorchTensorRef(
        storage,
        offset,
        intList(size!, 'a tensor size', source),
        intList(stride!, 'a tensor stride', source),
      );
    },
  };
  const globals = new Map<string, AllowedGlobal>([
    [
      'collections.OrderedDict',
      {
        call: ([pairs]) => {
          const dict = new PickleDict();
          if (Array.isArray(pairs)) {
            for (const pair of pairs) {
              if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
                throw new PickleError(`${source}: OrderedDict built from something other than (key, value) pairs`);
              }
              dict.set(pair[0], pair[1]!);
            }
          }
          return dict;
        },
      },
    ],
    ['torch._utils._rebuild_tensor_v2', rebuildTensor],
    ['torch._utils._rebuild_tensor', rebuildTensor],
    // A Parameter is its data tensor; requires_grad and hooks do not matter for weights.
    ['torch._utils._rebuild_parameter', { call: ([data]) => tensorArgument(data, '_rebuild_parameter', source) }],
    [
      'torch._utils._rebuild_parameter_with_state',
      { call: ([data]) => tensorArgument(data, '_rebuild_parameter_with_state', source) },
    ],
    [
      // _rebuild_from_type_v2(func, new_type, args, state): tensor subclasses; func must itself be allowed.
      'torch._tensor._rebuild_from_type_v2',
      {
        call: ([func, , args]) => {
          if (!(func instanceof PickleGlobal) || !Array.isArray(args)) {
            throw new PickleError(`${source}: _rebuild_from_type_v2 without a rebuild function and its arguments`);
          }
          return tensorArgument(func.definition.call(args), '_rebuild_from_type_v2', source);
        },
      },
    ],
    ['torch.Tensor', markerOnly('torch.Tensor', source)],
    ['torch.nn.parameter.Parameter', markerOnly('torch.nn.parameter.Parameter', source)],
    ['builtins.set', { call: ([items]) => new Set(Array.isArray(items) ? items : []) }],
    ['builtins.frozenset', { call: ([items]) => new Set(Array.isArray(items) ? items : []) }],
    [
      // Protocol 2 pickles Python 3 bytes as _codecs.encode(text, 'latin1').
      '_codecs.encode',
      {
        call: ([text, encoding]) => {
          if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) {
            throw new PickleError(`${source}: _codecs.encode is only accepted for latin1 bytes`);
          }
          return Uint8Array.from(text, (char) => char.charCodeAt(0));
        },
      },
    ],
  ]);
  for (const name of Object.keys(STORAGE_DTYPES)) {
    globals.set(name, markerOnly(name, source));
  }
  return globals;
}

function storageLoader(source: string): (id: PickleValue) => PickleValue {
  const storages = new Map<string, TorchStorageRef>();
  return (id) => {
    if (!Array.isArray(id) || id[0] !== 'storage' || id.length !== 5) {
      throw new PickleError(`${source}: a persistent id that is not a torch storage reference`);
    }
    const [, kind, key, , numel] = id;
    if (!(kind instanceof PickleGlobal) || typeof key !== 'string' || typeof numel !== 'number') {
      throw new PickleError(`${source}: a storage reference without its type, key or size`);
    }
    const dtype = STORAGE_DTYPES[kind.qualifiedName];
    if (dtype === undefined) {
      throw new PickleError(`${source}: ${kind.qualifiedName} is not a storage type`);
    }
    const known = storages.get(key);
    if (known !== undefined) {
      if (known.dtype !== dtype) {
        throw new PickleError(`${source}: storage ${key} is referenced as ${known.dtype} and as ${dtype}`);
      }
      return known;
    }
    const storage = new TorchStorageRef(key, dtype, numel);
    storages.set(key, storage);
    return storage;
  };
}

/** An opened checkpoint: the unpickled object tree and a way to read the tensors in it. */
export interface TorchArchive {
  file: string;
  root: PickleValue;
  readTensors(refs: ReadonlyMap<string, TorchTensorRef>): Promise<Map<string, CheckpointTensor>>;
  close(): void;
}

// Zip bombs: an entry is read only if its declared size is within what it may hold (`limit`) and, when deflated,
// its compression ratio is one real data could have. torch.save stores tensors uncompressed (ratio 1) and a
// state_dict's pickle compresses maybe 10:1, while a bomb inflates 1000:1. yauzl then holds the entry to its
// declared size while inflating (validateEntrySizes), so a lying size cannot sneak more bytes in.
const MAX_COMPRESSION_RATIO = 100;
/** A state_dict's data.pkl is a few hundred KB even for 300 M-parameter models. */
const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

function checkEntrySize(file: string, entry: yauzl.Entry, limit: number): void {
  if (entry.uncompressedSize > limit) {
    throw new Error(
      `${file}: zip entry ${entry.fileName} declares ${entry.uncompressedSize} bytes, more than the ${limit} it can hold; the archive is damaged or hostile`,
    );
  }
  if (
    entry.compressionMethod !== 0 &&
    entry.uncompressedSize > MAX_COMPRESSION_RATIO * Math.max(entry.compressedSize, 1)
  ) {
    throw new Error(
      `${file}: zip entry ${entry.fileName} inflates ${entry.compressedSize} bytes to ${entry.uncompressedSize} ` +
        `(more than ${MAX_COMPRESSION_RATIO}:1), which only a zip bomb does; refusing to read it`,
    );
  }
}

async function readEntry(file: string, zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  checkEntrySize(file, entry, limit);
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function listEntries(zip: yauzl.ZipFile): Promise<Map<string, yauzl.Entry>> {
  const entries = new Map<string, yauzl.Entry>();
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.on('error', reject);
    zip.readEntry();
  });
}

// What a file that is not a torch.save zip is, so the error can say what to do with it.
async function describeNonZip(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    if (bytesRead >= 2 && head[0] === 0x80 && head[1] <= 5) {
      return 'it is a bare pickle (the legacy torch.save format from PyTorch < 1.6); re-save it with a current PyTorch: torch.save(torch.load(f), f)';
    }
    if (bytesRead >= 9 && head[8] === 0x7b) {
      return 'it looks like a .safetensors file; give it a .safetensors name';
    }
    return 'it is not a zip archive';
  } finally {
    await handle.close();
  }
}

export async function openTorchArchive(file: string): Promise<TorchArchive> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${file}: no such file`);
    }
    throw new Error(`${file}: not a torch.save checkpoint: ${await describeNonZip(file)}`);
  }
  try {
    let entries: Map<string, yauzl.Entry>;
    try {
      entries = await listEntries(zip);
    } catch (error) {
      // yauzl refuses entry names that are absolute or climb out with "..", and damaged central directories.
      throw new Error(`${file}: not a readable torch.save archive: ${(error as Error).message}`);
    }
    const pickles = [...entries.keys()].filter((name) => /^[^/]+\/data\.pkl$/.test(name));
    if (pickles.length !== 1) {
      const torchScript = [...entries.keys()].some((name) => /^[^/]+\/constants\.pkl$/.test(name));
      throw new Error(
        torchScript
          ? `${file}: a TorchScript archive (torch.jit.save), not a state_dict; save the weights with torch.save(model.state_dict(), path)`
          : `${file}: a zip archive without exactly one <archive>/data.pkl (found ${pickles.length}); not a torch.save checkpoint`,
      );
    }
    const prefix = pickles[0]!.slice(0, -'data.pkl'.length);
    const byteorderEntry = entries.get(`${prefix}byteorder`);
    const byteorder = byteorderEntry
      ? (await readEntry(file, zip, byteorderEntry, 16)).toString('ascii').trim()
      : 'little';
    if (byteorder !== 'little' && byteorder !== 'big') {
      throw new Error(`${file}: unknown byteorder '${byteorder}'`);
    }
    const source = `${file} (${pickles[0]})`;
    const root = unpickle(await readEntry(file, zip, entries.get(pickles[0]!)!, MAX_PICKLE_BYTES), {
      globals: stateDictGlobals(source),
      persistentLoad: storageLoader(source),
      source,
      refusalHint: () => REFUSAL_HINT,
    });

    const readTensors = async (refs: ReadonlyMap<string, TorchTensorRef>): Promise<Map<string, CheckpointTensor>> => {
      // Shared storages (tied weights, views saved together) are read and decoded once.
      const decoded = new Map<string, Float32Array>();
      const tensors = new Map<string, CheckpointTensor>();
      for (const [name, ref] of refs) {
        const { storage } = ref;
        let values = decoded.get(storage.key);
        if (values === undefined) {
          const entryName = `${prefix}data/${storage.key}`;
          const entry = entries.get(entryName);
          if (entry === undefined) {
            throw new Error(`${file}: tensor '${name}' uses storage ${entryName}, which the archive lacks`);
          }
          const bytes = await readEntry(file, zip, entry, storage.numel * DTYPE_BYTES[storage.dtype]);
          const where = `${file}: storage ${entryName} (${storage.numel} x ${storage.dtype}, ${DTYPE_BYTES[storage.dtype]} bytes each)`;
          values = decodeElements(bytes, storage.dtype, storage.numel, byteorder === 'little', where);
          decoded.set(storage.key, values);
        }
        const view = gatherStrided(values, ref.shape, ref.strides, ref.offset, `${file}: tensor '${name}'`);
        tensors.set(name, { dtype: storage.dtype, shape: [...ref.shape], values: view });
      }
      return tensors;
    };
    return { file, root, readTensors, close: () => zip.close() };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/** A state_dict found in a checkpoint, with where it was found. */
export interface LoadedStateDict {
  file: string;
  /** Key path of the state_dict inside the checkpoint, e.g. `model_state_dict`; empty when it is the checkpoint. */
  location: string;
  /** A prefix removed from every name (`module.` from DataParallel/DistributedDataParallel), or empty. */
  strippedPrefix: string;
  tensors: Map<string, CheckpointTensor>;
}

// Where training scripts commonly put the weights inside a larger checkpoint dict, in the order they are tried.
const WRAPPER_KEYS = ['model_state_dict', 'state_dict', 'model', 'module', 'net', 'network'];

function asTensorDict(value: PickleValue): Map<string, TorchTensorRef> | undefined {
  if (!(value instanceof PickleDict) || value.size === 0) {
    return undefined;
  }
  const refs = new Map<string, TorchTensorRef>();
  for (const [key, item] of value) {
    if (typeof key !== 'string' || !(item instanceof TorchTensorRef)) {
      return undefined;
    }
    refs.set(key, item);
  }
  return refs;
}

function findStateDict(
  root: PickleValue,
  path: string[] = [],
): { refs: Map<string, TorchTensorRef>; path: string[] } | undefined {
  const refs = asTensorDict(root);
  if (refs !== undefined) {
    return { refs, path };
  }
  if (!(root instanceof PickleDict) || path.length >= 2) {
    return undefined;
  }
  for (const key of WRAPPER_KEYS) {
    const inner = root.get(key);
    if (inner !== undefined) {
      const found = findStateDict(inner, [...path, key]);
      if (found !== undefined) {
        return found;
      }
    }
  }
  return undefined;
}

function describeTopLevel(root: PickleValue): string {
  if (root instanceof PickleDict) {
    return `a dict with keys ${[...root.keys()]
      .slice(0, 12)
      .map((key) => `'${String(key)}'`)
      .join(', ')}`;
  }
  return Array.isArray(root) ? 'a list or tuple' : `a ${typeof root}`;
}

const DATA_PARALLEL_PREFIX = 'module.';

/** Reads the state_dict of a `torch.save` checkpoint (directly saved, or wrapped under `model_state_dict` etc.). */
export async function readTorchStateDict(file: string): Promise<LoadedStateDict> {
  const archive = await openTorchArchive(file);
  try {
    const found = findStateDict(archive.root);
    if (found === undefined) {
      throw new Error(
        `${file}: no state_dict found: the checkpoint holds ${describeTopLevel(archive.root)}, and none of ` +
          `${WRAPPER_KEYS.join(', ')} is a dict of tensors; save with torch.save(model.state_dict(), path)`,
      );
    }
    let refs = found.refs;
    let strippedPrefix = '';
    if ([...refs.keys()].every((name) => name.startsWith(DATA_PARALLEL_PREFIX))) {
      strippedPrefix = DATA_PARALLEL_PREFIX;
      refs = new Map([...refs].map(([name, ref]) => [name.slice(DATA_PARALLEL_PREFIX.length), ref]));
    }
    const tensors = await archive.readTensors(refs);
    return { file, location: found.path.join('.'), strippedPrefix, tensors };
  } finally {
    archive.close();
  }
}
