import { validateExperiment } from './core/experiment/validate';
import { fuzzDocument } from './test/robustness/experimentCorpus';
import { fixture } from './test/lsp/fixtures';
const p = fixture('valid.experiment.yaml').path;
for (let i = 0; i < 3000; i++) {
  const d = fuzzDocument(1, i, { longLine: 1_000_000, depth: 5_000 });
  const t = performance.now();
  try { validateExperiment(d.text, { filePath: p, checkDataset: true }); } catch (e) { console.log(i, d.kind, 'THREW', (e as Error).message.slice(0, 200)); }
  const ms = performance.now() - t;
  if (ms > 200) console.log(i, d.kind, d.text.length, ms.toFixed(0), 'ms');
}
