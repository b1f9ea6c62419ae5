// Seeded random numbers for weight initialisation and dropout seeds. Initial weights are drawn on the host from one
// explicit seed, so the same seed gives the same model on every tfjs backend (backends' own random kernels differ).

import { mulberry32, type Random } from '../data/random';

/** mulberry32 (the generator core/data uses), with the draws weight initialisation needs. */
export class SeededRandom {
  private readonly next: Random;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new RangeError(`a random seed must be a whole number, got ${seed}`);
    }
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Standard normal (Box-Muller, both values of each pair used). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** A fresh 31-bit seed, for handing to a tfjs random op (dropout). */
  nextSeed(): number {
    return Math.floor(this.uniform() * 0x7fffffff);
  }
}

/** Fills `size` independent values; every element of a parameter is drawn from the same distribution. */
export type Initializer = (size: number, random: SeededRandom) => Float32Array;

export const constant =
  (value: number): Initializer =>
  (size) =>
    new Float32Array(size).fill(value);

export const zeros = constant(0);
export const ones = constant(1);

export const normal =
  (std: number): Initializer =>
  (size, random) => {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i += 1) {
      values[i] = random.normal() * std;
    }
    return values;
  };

/** torch.nn.init.trunc_normal_: normal(0, std) redrawn outside the absolute bounds [low, high]. */
export const truncatedNormal =
  (std: number, low = -2, high = 2): Initializer =>
  (size, random) => {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i += 1) {
      let value = random.normal() * std;
      while (value < low || value > high) {
        value = random.normal() * std;
      }
      values[i] = value;
    }
    return values;
  };

/** Uniform in [-bound, bound): the shape torch's xavier_uniform_ and default initialisations share. */
const symmetricUniform =
  (bound: number): Initializer =>
  (size, random) => {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i += 1) {
      values[i] = (2 * random.uniform() - 1) * bound;
    }
    return values;
  };

/** torch.nn.init.kaiming_normal_(mode='fan_out') for ReLU-family networks: std = sqrt(2 / fan_out). */
export const kaimingNormalFanOut = (fanOut: number): Initializer => normal(Math.sqrt(2 / fanOut));

/** torch.nn.init.xavier_uniform_. */
export const xavierUniform = (fanIn: number, fanOut: number): Initializer =>
  symmetricUniform(Math.sqrt(6 / (fanIn + fanOut)));

/** PyTorch's default Conv2d/Linear initialisation (kaiming_uniform with a = sqrt(5), and the matching bias). */
export const torchDefault = (fanIn: number): Initializer => symmetricUniform(1 / Math.sqrt(fanIn));
