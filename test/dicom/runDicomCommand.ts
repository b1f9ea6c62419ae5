// Runs `radlab dicom` in its own process, as the CLI would, so tests see its real stdout, stderr and exit code.
import { argv, exit } from 'node:process';
import { run } from '../../core/cli/dicomCommand';

run(argv.slice(2)).then((code) => exit(code));
