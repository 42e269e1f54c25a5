/**
 * A small seeded PRNG (sfc32) so a simulated race day is the same bytes for the same seed,
 * whatever order its races are consumed in: each race gets its own stream from (seed, ids).
 */

/** Mixes any number of integers into four 32-bit words (murmur3-style finalizer per word). */
function seedWords(parts: readonly number[]): [number, number, number, number] {
  let h = 0x9e3779b9 ^ parts.length;
  const words: number[] = [];
  for (let round = 0; round < 4; round++) {
    for (const part of parts) {
      h = Math.imul(h ^ (part | 0), 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h ^ Math.floor(part / 0x1_0000_0000), 0xc2b2ae35);
      h ^= h >>> 16;
    }
    h = Math.imul(h ^ (round + 1), 0x27d4eb2f);
    h ^= h >>> 15;
    words.push(h >>> 0);
  }
  return words as [number, number, number, number];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `parts` are the seed and any stream ids (track index, race number, ...). */
  constructor(...parts: number[]) {
    [this.a, this.b, this.c, this.d] = seedWords(parts);
    // sfc32 wants a few rounds before its output is well mixed.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in [min, max). */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in [min, max], both ends included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Random.pick: no items to pick from");
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Standard normal (Box-Muller; one of the pair is dropped to keep the state simple). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** exp(N(0, sigma^2)): a multiplicative noise factor with median 1. */
  logNormal(sigma: number): number {
    return Math.exp(sigma * this.normal());
  }

  /** A new array, Fisher-Yates shuffled. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
