import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadWasmBackend } from '../../core/engine/wasmThreaded';
const n = Number(process.argv[2] ?? 2);
const r = loadWasmBackend(Number(process.argv[3] ?? 2));
console.log(r.threaded, r.reason);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', r.threaded);
r.backend.setThreadsCount(n);
(async () => {
await tf.setBackend('wasm'); await tf.ready();
console.log('threads', r.backend.getThreadsCount());
const x = tf.randomNormal([16, 64, 64, 64]); const w = tf.randomNormal([3,3,64,64]);
for (let i=0;i<2;i++) tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync();
const t0 = performance.now(); for (let i=0;i<5;i++) tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same').dataSync();
const dt=(performance.now()-t0)/5; console.log('ms', dt, 'GFLOP/s', 2*16*64*64*64*64*9/dt/1e6);
process.exit(0);
})();
