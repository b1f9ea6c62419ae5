// Label draws against the competition's class balance, which studies get each messy case, reproducibility by
// seed, and the dataset marker that guards folders which are not synthetic datasets.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureSyntheticDataset, run } from '../../core/cli/synthCommand';
import { drawStudyGrades } from '../../core/data/synthetic/grades';
import { mulberry32 } from '../../core/data/random';
import { assignMessyCases, MESSY_CASE_NAMES } from '../../core/data/synthetic/messy';

const scratch = mkdtempSync(join(tmpdir(), 'radlab-synth-gen-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('grade draws', () => {
  // Shares of Normal/Mild, Moderate, Severe in the RSNA 2024 LSDC training labels (rounded).
  const TARGETS: [string, [number, number, number]][] = [
    ['spinal_canal_stenosis', [0.84, 0.09, 0.06]],
    ['left_neural_foraminal_narrowing', [0.77, 0.18, 0.05]],
    ['right_neural_foraminal_narrowing', [0.77, 0.18, 0.05]],
    ['left_subarticular_stenosis', [0.7, 0.21, 0.09]],
    ['right_subarticular_stenosis', [0.7, 0.21, 0.09]],
  ];
  const random = mulberry32(2024);
  const draws = Array.from({ length: 300 }, () => drawStudyGrades(random));

  for (const [condition, shares] of TARGETS) {
    test(`${condition}: grade shares over 300 studies within 3 points of ${shares.join('/')}`, () => {
      const counts = [0, 0, 0];
      for (const study of draws)
        for (const grade of (study.grade as Record<string, number[]>)[condition]!) counts[grade]!++;
      const total = counts[0]! + counts[1]! + counts[2]!;
      assert.equal(total, 1500);
      counts.forEach((count, grade) =>
        assert.ok(Math.abs(count / total - shares[grade]!) < 0.03, `${condition} grade ${grade}: ${count}/${total}`),
      );
    });
  }

  test('disease concentrates at the lower levels and a small share of cells is unlabelled', () => {
    const abnormalAt = (level: number) => draws.filter((study) => study.grade.spinal_canal_stenosis[level]! > 0).length;
    assert.ok(abnormalAt(3) > 2 * abnormalAt(0), `L4/L5 ${abnormalAt(3)} vs L1/L2 ${abnormalAt(0)}`);
    const cells = draws.flatMap((study) => Object.values(study.labelled).flat());
    const missing = cells.filter((labelled) => !labelled).length / cells.length;
    assert.ok(missing > 0.003 && missing < 0.04, `missing share ${missing}`);
  });
});

function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (name.endsWith('.dcm') || name.endsWith('.csv')) files.set(name, readFileSync(join(dir, name)));
  }
  return files;
}

describe('which studies get each messy case', () => {
  const all = { cases: 'all' as const, rate: 0.2 };

  test('every requested case reaches at least one study, even at a rate that would give none', () => {
    for (let seed = 0; seed < 20; seed++) {
      const assigned = assignMessyCases(seed, 'train', 3, { cases: ['geometry', 'unlabelled-studies'], rate: 0.01 });
      assert.equal(assigned.filter((cases) => cases.has('geometry')).length, 1);
      assert.equal(assigned.filter((cases) => cases.has('unlabelled-studies')).length, 1);
    }
  });

  test('unlabelled studies never take every study', () => {
    for (let seed = 0; seed < 20; seed++) {
      const assigned = assignMessyCases(seed, 'train', 4, { cases: ['unlabelled-studies'], rate: 1 });
      assert.equal(assigned.filter((cases) => cases.has('unlabelled-studies')).length, 3);
    }
  });

  test("a study's cases do not depend on how many studies there are, and the rate holds over many", () => {
    const many = assignMessyCases(9, 'train', 2000, all);
    const fewer = assignMessyCases(9, 'train', 1000, all);
    fewer.forEach((cases, index) => assert.deepEqual([...cases].sort(), [...many[index]!].sort()));
    for (const name of MESSY_CASE_NAMES) {
      const share = many.filter((cases) => cases.has(name)).length / many.length;
      assert.ok(Math.abs(share - 0.2) < 0.03, `${name}: ${share}`);
    }
  });

  test('held-out studies get only the cases about images and series', () => {
    const assigned = assignMessyCases(9, 'test', 500, all);
    const seen = new Set(assigned.flatMap((cases) => [...cases]));
    assert.deepEqual([...seen].sort(), ['geometry', 'instance-numbers', 'missing-series', 'several-series']);
  });
});

describe('reproducibility', () => {
  test('the same seed gives byte-identical files; another seed gives different ones', async () => {
    const [first, again, other] = ['a', 'b', 'c'].map((name) => join(scratch, name));
    await ensureSyntheticDataset(first!, { studies: 1, seed: 11 });
    await ensureSyntheticDataset(again!, { studies: 1, seed: 11 });
    await ensureSyntheticDataset(other!, { studies: 1, seed: 12 });
    const a = filesOf(first!);
    const b = filesOf(again!);
    assert.ok(a.size > 40);
    assert.deepEqual([...a.keys()], [...b.keys()]);
    for (const [name, content] of a) assert.ok(content.equals(b.get(name)!), `${name} differs between runs`);
    const c = filesOf(other!);
    assert.notDeepEqual(
      readFileSync(join(first!, 'train_series_descriptions.csv')),
      readFileSync(join(other!, 'train_series_descriptions.csv')),
    );
    const firstImage = [...a.keys()].find((name) => name.endsWith('.dcm'))!;
    assert.ok(![...c.values()].some((content) => content.equals(a.get(firstImage)!)));
  });
});

describe('synthetic.json marker and the synth command', () => {
  test('refuses a non-empty folder that is not a synthetic dataset, and leaves it alone', async () => {
    const dir = join(scratch, 'someone-elses');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    await assert.rejects(ensureSyntheticDataset(dir, { studies: 1, seed: 1 }), /not empty and has no synthetic\.json/);
    assert.equal(await run(['--out', dir, '--studies', '1']), 1);
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
  });

  test('keeps a dataset made with the same parameters and regenerates on different ones', async () => {
    const dir = join(scratch, 'reuse');
    const made = await ensureSyntheticDataset(dir, { studies: 1, seed: 5 });
    assert.equal(made.generated, true);
    const marker = JSON.parse(readFileSync(join(dir, 'synthetic.json'), 'utf8'));
    assert.deepEqual(
      { generator: marker.generator, studies: marker.studies, seed: marker.seed, complete: marker.complete },
      { generator: 'radlab-synthetic-lsdc', studies: 1, seed: 5, complete: true },
    );
    assert.equal((await ensureSyntheticDataset(dir, { studies: 1, seed: 5 })).generated, false);
    const regenerated = await ensureSyntheticDataset(dir, { studies: 2, seed: 5 });
    assert.equal(regenerated.generated, true);
    assert.equal(readdirSync(join(dir, 'train_images')).length, 2);
    assert.equal(readFileSync(join(dir, 'train.csv'), 'utf8').trim().split('\n').length, 3);
  });

  test('an interrupted generation (marker not complete) is regenerated', async () => {
    const dir = join(scratch, 'interrupted');
    await ensureSyntheticDataset(dir, { studies: 1, seed: 3 });
    const markerPath = join(dir, 'synthetic.json');
    writeFileSync(markerPath, JSON.stringify({ ...JSON.parse(readFileSync(markerPath, 'utf8')), complete: false }));
    assert.equal((await ensureSyntheticDataset(dir, { studies: 1, seed: 3 })).generated, true);
  });

  test('bad arguments exit with usage errors', async () => {
    assert.equal(await run(['--studies', '2']), 2);
    assert.equal(await run(['--out', join(scratch, 'x'), '--studies', 'two']), 2);
    assert.equal(await run(['--out', join(scratch, 'x'), '--studies', '0']), 1);
    assert.equal(await run(['--out', join(scratch, 'x'), '--studies', '1', '--colour', 'red']), 2);
  });
});
