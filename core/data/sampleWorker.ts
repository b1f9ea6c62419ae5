// Worker thread entry: builds the inputs of one series' samples per message (see inputBuilder.ts). Each worker
// keeps its own LRU of decoded slices. Bundled as its own esbuild entry (dist/dataWorker.js); under tsx the
// pool loads this file through tsx's require hook.
import { parentPort, workerData } from 'node:worker_threads';
import { buildSampleInput } from './sampleInput';
import { SeriesImages } from './seriesImages';
import type { SeriesTask, SeriesTaskResult, WorkerOptions } from './inputBuilder';

const port = parentPort;
if (port === null) throw new Error('sampleWorker.ts must run as a worker thread (it is started by inputBuilder.ts)');
const images = new SeriesImages(undefined, (workerData as WorkerOptions).decodedBytes);

port.on('message', async (task: SeriesTask) => {
  const results: SeriesTaskResult['results'] = [];
  for (const sample of task.samples) {
    try {
      results.push({ input: await buildSampleInput(sample, task.settings, images) });
    } catch (error) {
      results.push({ error: (error as Error).message });
    }
  }
  const reply: SeriesTaskResult = { id: task.id, results };
  port.postMessage(reply, results.flatMap((r) => ('input' in r ? [r.input.buffer as ArrayBuffer] : [])));
});
