/** Growable typed arrays: one number per message of a replay, a few bytes each, not an object each. */

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint8Array;

interface TypedArrayConstructor<A extends TypedArray> {
  new (length: number): A;
}

export class Column<A extends TypedArray> {
  private data: A;
  length = 0;

  constructor(private readonly make: TypedArrayConstructor<A>) {
    this.data = new make(1024);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index]!;
  }

  set(index: number, value: number): void {
    this.data[index] = value;
  }

  /** The numbers pushed so far (a view: valid until the next push). */
  view(): A {
    return this.data.subarray(0, this.length) as A;
  }

  /** Empties it, keeping the room (one file's scratch columns, reused for the next file). */
  clear(): void {
    this.length = 0;
  }
}
