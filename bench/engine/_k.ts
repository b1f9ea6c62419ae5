import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
const w = new Set(tf.getKernelsForBackend('wasm').map(k=>k.kernelName));
const c = tf.getKernelsForBackend('cpu').map(k=>k.kernelName).filter(k=>!w.has(k));
console.log(c.join(' '));
