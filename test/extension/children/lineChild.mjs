// A child process for the process-runner tests. Modes (first argument):
//   lines            prints stdout/stderr lines, the last without a newline, and a UTF-8 character split
//                    across two writes; exits 3
//   graceful         starts a grandchild, prints "ready <grandchild pid>", on SIGTERM prints "stopping" and exits 0
//   stubborn         like graceful but ignores SIGTERM, so only SIGKILL ends it
//   sleep            (graceful's grandchild) sleeps until a signal ends it
//   sleep-stubborn   (stubborn's grandchild) ignores SIGTERM too
import { spawn } from 'node:child_process';

const mode = process.argv[2];
const self = new URL(import.meta.url).pathname;

if (mode === 'lines') {
  process.stdout.write('first line\nsecond ');
  process.stderr.write('warning on stderr\r\n');
  setTimeout(() => {
    process.stdout.write('line\n');
    // "é" is 0xC3 0xA9: written in two separate chunks, it must still decode as one character.
    process.stdout.write(Buffer.from([0x63, 0x61, 0x66, 0xc3]));
    setTimeout(() => {
      process.stdout.write(Buffer.from([0xa9, 0x0a]));
      process.stdout.write('no newline at the end');
      process.exitCode = 3;
    }, 20);
  }, 20);
} else if (mode === 'graceful' || mode === 'stubborn') {
  const grandchild = spawn(process.execPath, [self, mode === 'stubborn' ? 'sleep-stubborn' : 'sleep'], {
    stdio: 'ignore',
  });
  process.on('SIGTERM', () => {
    if (mode === 'stubborn') {
      console.log('ignoring SIGTERM');
      return;
    }
    console.log('stopping');
    setTimeout(() => process.exit(0), 50);
  });
  console.log(`ready ${grandchild.pid}`);
  setInterval(() => {}, 1000);
} else if (mode === 'sleep' || mode === 'sleep-stubborn') {
  if (mode === 'sleep-stubborn') process.on('SIGTERM', () => {});
  setInterval(() => {}, 1000);
} else {
  console.error(`lineChild: unknown mode ${mode}`);
  process.exit(2);
}
