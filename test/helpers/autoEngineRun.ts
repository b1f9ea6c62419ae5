// A run that probes every engine and stops right after one starts: the tiny experiment on `engine: auto` with a
// pretrained file that is not one, which fails once the engine is up. For checking what a person sees at start.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyExperiment } from './tinyExperiment';

/** Output a person should never see from the engine probes. */
export const PROBE_NOISE = /Vulkan|libvulkan|XDG_RUNTIME_DIR|\.cpp:\d+|Platform \w+ has already been set/;

export function writeAutoEngineExperiment(dir: string, name: string): string {
  writeFileSync(join(dir, 'broken.safetensors'), 'not a weights file');
  const file = writeTinyExperiment(dir, name, { model: ['pretrained: broken.safetensors'] });
  writeFileSync(file, readFileSync(file, 'utf8').replace('engine: wasm', 'engine: auto'));
  return file;
}
