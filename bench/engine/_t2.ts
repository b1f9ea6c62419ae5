import * as tf from '@tensorflow/tfjs-core';
import { startWasm, stopWasm } from '../../core/engine/wasmEngine';
(async () => {
  const s = await startWasm(Number(process.argv[2] ?? 2));
  console.log(s);
  const x = tf.randomNormal([16, 64, 64, 64]) as tf.Tensor4D; const w = tf.randomNormal([3,3,64,64]) as tf.Tensor4D;
  for (let i=0;i<2;i++) tf.conv2d(x, w, 1, 'same').dataSync();
  const t0 = performance.now(); for (let i=0;i<5;i++) tf.conv2d(x, w, 1, 'same').dataSync();
  const dt=(performance.now()-t0)/5; console.log('ms', dt, 'GFLOP/s', 2*16*64*64*64*64*9/dt/1e6);
  stopWasm();
})();
