// Stands in for `node dist/cli.js` in the run-manager tests: `run <file> --events-stdout` prints a two-epoch
// run's events (schema radlab.events/1, written out by hand here) with short pauses, logs to stderr, and on
// SIGTERM ends the run as cancelled, as the real trainer does. FAKE_RADLAB_FAIL=1 makes it crash mid-run.
const args = process.argv.slice(2);
const schema = 'radlab.events/1';
const time = () => new Date().toISOString();
const emit = (body) => process.stdout.write(`${JSON.stringify({ schema, time: time(), ...body })}\n`);
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (args[0] !== 'run' || !args.includes('--events-stdout')) {
  process.stderr.write(`fakeRadlab: unexpected arguments ${JSON.stringify(args)}\n`);
  process.exit(2);
}
let stopping = false;
process.on('SIGTERM', () => {
  stopping = true;
});

const runId = '20260102-030405';
emit({
  type: 'run-start',
  runId,
  experiment: 'fake',
  backbone: 'resnet18',
  engine: 'wasm',
  device: 'cpu',
  counts: { train: 8, val: 2, test: 2 },
});
process.stdout.write('a plain log line on stdout\n');
for (let epoch = 1; epoch <= 2; epoch++) {
  emit({ type: 'epoch-start', epoch, epochs: 2 });
  for (let step = 1; step <= 2; step++) {
    await pause(Number(process.env.FAKE_RADLAB_STEP_MS ?? 30));
    if (stopping) {
      process.stderr.write('saving checkpoint\n');
      emit({ type: 'run-end', status: 'cancelled' });
      process.exit(0);
    }
    if (process.env.FAKE_RADLAB_FAIL === '1' && epoch === 2) {
      process.stderr.write('Error: out of memory in conv2d\n');
      process.exit(7);
    }
    emit({
      type: 'batch',
      epoch,
      step,
      steps: 2,
      loss: 1 / (epoch + step),
      imagesPerSecond: 10,
      etaSeconds: 10 - epoch * 2 - step,
    });
  }
  emit({
    type: 'epoch-end',
    epoch,
    train: { loss: 0.5, accuracy: 0.6, macroF1: 0.4 },
    val: { loss: 0.6, accuracy: 0.5, macroF1: 0.35 + epoch / 10 },
    lr: 1e-4,
    best: true,
  });
}
emit({ type: 'run-end', status: 'completed', metrics: { testMacroF1: 0.5 } });
