// Loads @tensorflow/tfjs-backend-wasm so that its shipped pthreads build (threaded SIMD .wasm) runs on Node
// worker_threads. The package disables threads under Node and hands its pthread worker and main script over as
// Blob URLs, which Node's Worker cannot load. Rather than copy or edit files in node_modules, this module reads
// the package's own Node bundle, applies three textual changes (each must match exactly once, so a changed
// package version is detected at start-up instead of misbehaving), and compiles the result in place of the
// package in Node's module cache. The fourth change, the multithread flag, is a tfjs flag set by the caller.
// Everything specific to the package's internals is in this file.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadExternalTfjs } from './externalTfjs';

export interface WasmModuleLoad {
  /** The loaded backend module (patched when threaded is true). */
  backend: typeof import('@tensorflow/tfjs-backend-wasm');
  threaded: boolean;
  /** Why threads are not available, when threaded is false. */
  reason: string;
}

interface Patch {
  why: string;
  find: string;
  replace: string;
}

// Each change is named so that a mismatch tells which assumption about the package broke.
const patches: Patch[] = [
  {
    why: 'pthread worker loaded from a file instead of a Blob URL',
    find: "if (path.endsWith('.worker.js')) {",
    replace:
      "if (path.endsWith('.worker.js')) { return __radlabThreadFiles.worker(wasmWorkerContents); }\n if (false) {",
  },
  {
    why: 'threaded main script written to a file instead of a Blob',
    find: 'factoryConfig.mainScriptUrlOrBlob = new Blob(["var WasmBackendModuleThreadedSimd = " +',
    replace:
      'factoryConfig.mainScriptUrlOrBlob = __radlabThreadFiles.main(wasmFactoryThreadedSimd.toString()); void ([0 +',
  },
  {
    // The C++ side sizes its thread pool from emscripten_num_logical_cores()/2 when asked for the default, and
    // the pthread pool is created with a fixed 8 workers; reporting the real core count to both keeps a 2-core
    // machine at 2 threads rather than 1.
    why: 'thread cap of logical cores / 2 lifted',
    find: 'return require$$4.cpus().length; return navigator["hardwareConcurrency"]; }',
    replace: 'return __radlabThreadFiles.cores(); return navigator["hardwareConcurrency"]; }',
  },
];

// Node's Worker runs the pthread script as CommonJS; the factory text refers to the bundle's hoisted requires.
// The factory is wrapped by the bundle in a function whose `module` parameter shadows Node's, so the hooks
// reach it through a file-level variable assigned after the bundle's own code.
const hooksBinding = '\nvar __radlabThreadFiles = module.radlabThreadFiles;\n';

function mainScriptPrelude(cores: number): string {
  return (
    "var require$$0 = require('fs'); var require$$1 = require('path'); var require$$3 = require('perf_hooks');" +
    " var require$$4 = require('os');" +
    ` var commonjsGlobal = globalThis; var __radlabThreadFiles = { cores: () => ${cores} };` +
    '\nvar WasmBackendModuleThreadedSimd = '
  );
}

function writeOnce(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
  return path;
}

/**
 * Loads the wasm backend with threads when the package matches what the patches expect, else the package as
 * shipped (single thread) with the reason. `cores` is what the module reports as logical cores (thread pool
 * default); the caller still sets the thread count explicitly.
 */
export function loadWasmBackend(cores: number): WasmModuleLoad {
  const localRequire = createRequire(__filename);
  const entry = localRequire.resolve('@tensorflow/tfjs-backend-wasm');
  const cached = localRequire.cache[entry];
  if (cached) {
    const threaded = (cached as { radlabThreaded?: boolean }).radlabThreaded === true;
    return {
      backend: cached.exports,
      threaded,
      reason: threaded ? '' : 'the wasm backend was loaded before the engine could enable threads',
    };
  }
  let source = readFileSync(entry, 'utf8');
  for (const patch of patches) {
    const count = source.split(patch.find).length - 1;
    if (count !== 1) {
      return {
        backend: loadExternalTfjs(() => localRequire('@tensorflow/tfjs-backend-wasm')),
        threaded: false,
        reason: `tfjs-backend-wasm's Node bundle (${entry}) no longer matches the change "${patch.why}" (found ${count} times, expected once); running single-threaded`,
      };
    }
    source = source.replace(patch.find, () => patch.replace);
  }
  const version = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')).version as string;
  const dir = join(tmpdir(), `radlab-wasm-threads-${version}`);
  mkdirSync(dir, { recursive: true });
  const ModuleCtor = Module as unknown as {
    new (id: string, parent?: unknown): NodeJS.Module & { _compile(src: string, file: string): void; paths: string[] };
    _nodeModulePaths(dir: string): string[];
  };
  const mod = new ModuleCtor(entry, undefined);
  mod.filename = entry;
  mod.paths = ModuleCtor._nodeModulePaths(dirname(entry));
  (mod as unknown as { radlabThreadFiles: unknown }).radlabThreadFiles = {
    // Same escaping the package applies before making its Blob: the text holds "\n" inside string literals.
    worker: (contents: string) => writeOnce(dir, 'pthread-worker.js', contents.replace(/\n/g, '\\n')),
    main: (factorySource: string) =>
      writeOnce(
        dir,
        `threaded-main-${createHash('sha1').update(factorySource).digest('hex').slice(0, 12)}.js`,
        mainScriptPrelude(cores) + factorySource,
      ),
    cores: () => cores,
  };
  (mod as unknown as { radlabThreaded: boolean }).radlabThreaded = true;
  localRequire.cache[entry] = mod;
  try {
    loadExternalTfjs(() => mod._compile(source + hooksBinding, entry));
  } catch (error) {
    delete localRequire.cache[entry];
    throw error;
  }
  mod.loaded = true;
  return { backend: mod.exports as typeof import('@tensorflow/tfjs-backend-wasm'), threaded: true, reason: '' };
}
