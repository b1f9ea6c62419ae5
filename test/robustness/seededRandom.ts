// A small seeded generator (core/data/random's mulberry32) shared by the robustness fuzzers: every failure they
// find is reproduced by its seed alone. Math.random cannot be seeded, and no fuzzing library is needed for byte- and text-level mutation.

import { mulberry32, type Random } from '../../core/data/random';

export class SeededRandom {
  private readonly random: Random;

  constructor(readonly seed: number) {
    this.random = mulberry32(seed);
  }

  /** A float in [0, 1). */
  next(): number {
    return this.random();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  bytes(count: number): Buffer {
    const out = Buffer.alloc(count);
    for (let i = 0; i < count; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }
}
