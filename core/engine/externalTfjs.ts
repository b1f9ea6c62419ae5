// Loading a tfjs backend package that the bundle leaves out (wasm, webgpu, tfjs-node). Such a package brings its
// own copy of tfjs-core, which shares the bundled copy's engine and flags through tfjs's globals; at load it sets
// the shared platform to 'node' again and warns "Platform node has already been set". The warning is true and
// harmless (both copies set the same platform), so it is silenced for the load and only for the load.
import * as tf from '@tensorflow/tfjs-core';

/** Runs `load` with tfjs's load-time warnings off; tfjs checks its PROD flag before each such warning. */
export function loadExternalTfjs<T>(load: () => T): T {
  const env = tf.env();
  const prod = env.getBool('PROD');
  env.set('PROD', true);
  try {
    return load();
  } finally {
    env.set('PROD', prod);
  }
}
