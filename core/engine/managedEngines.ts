// The folder RadLab installs optional engines into (`radlab engine install`), and how an engine's package is
// found there or in node_modules. Each engine has its own npm prefix, <root>/<engine>/node_modules/<package>, so
// one can be replaced without touching the other. A native engine counts as installed only when its compiled
// binding is present: a package whose install stopped before the binding was built is not an engine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Environment variable naming the managed folder; the extension sets it to its global storage. */
export const ENGINES_DIR_ENV = 'RADLAB_ENGINES_DIR';

export type NativeEngine = 'tfjs-node-gpu' | 'tfjs-node';
export const nativeEngines: readonly NativeEngine[] = ['tfjs-node-gpu', 'tfjs-node'];

const localRequire = createRequire(__filename);

export function managedEnginesDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[ENGINES_DIR_ENV]?.trim();
  return configured ? configured : join(homedir(), '.cache', 'radlab', 'engines');
}

/** A package's folder under an npm prefix. */
export function prefixPackageDir(prefix: string, packageName: string): string {
  return join(prefix, 'node_modules', ...packageName.split('/'));
}

/** Where `radlab engine install` puts a package: <root>/<engine>/node_modules/<package>. */
export function managedPackageDir(engine: string, packageName: string, root = managedEnginesDir()): string {
  return prefixPackageDir(join(root, engine), packageName);
}

/**
 * The compiled binding of a tfjs-node package (lib/napi-v<N>/tfjs_binding.node, its package.json's
 * binary.module_path), or undefined when the install never produced one.
 */
export function nativeBinding(packageDir: string): string | undefined {
  const lib = join(packageDir, 'lib');
  if (!existsSync(lib)) return undefined;
  for (const entry of readdirSync(lib)) {
    const binding = join(lib, entry, 'tfjs_binding.node');
    if (entry.startsWith('napi-v') && existsSync(binding)) return binding;
  }
  return undefined;
}

function packageDirIn(packageName: string, resolver: NodeRequire): string | undefined {
  try {
    return dirname(resolver.resolve(`${packageName}/package.json`));
  } catch {
    return undefined;
  }
}

/**
 * The folder of an engine's package: the managed folder's copy first (what the user installed through RadLab),
 * then node_modules. A native engine's package without its binding is skipped.
 */
export function enginePackageDir(engine: string, packageName: string, root = managedEnginesDir()): string | undefined {
  const native = (nativeEngines as readonly string[]).includes(engine);
  const managed = managedPackageDir(engine, packageName, root);
  const candidates = [
    existsSync(join(managed, 'package.json')) ? managed : undefined,
    packageDirIn(packageName, localRequire),
  ];
  return candidates.find((dir) => dir !== undefined && (!native || nativeBinding(dir) !== undefined));
}

/** The version a package folder declares. */
export function packageVersion(packageDir: string): string {
  return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}
