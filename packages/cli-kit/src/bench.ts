/**
 * `pnpm bench` figures: one `name: value` line each, which scripts read by its start. A figure with
 * a target says it and whether the value meets it: `replay_ratio_vs_raw: 0.57 (target >= 0.5) ok`.
 */

/** The value must be at least (">=") or at most ("<=") the target. */
export interface BenchTarget {
  op: ">=" | "<=";
  value: number;
}

/** `name: value`, plus `(target op bound) ok|FAIL` when the figure has a target. */
export function benchLine(name: string, value: number | string, target?: BenchTarget): string {
  const line = `${name}: ${value}`;
  if (target === undefined) return line;
  return `${line} (target ${target.op} ${target.value}) ${meetsTarget(value, target) ? "ok" : "FAIL"}`;
}

/** Whether a printed value meets its target; a value that is not a number (NaN, "n/a") does not. */
export function meetsTarget(value: number | string, target: BenchTarget): boolean {
  const number = typeof value === "number" ? value : Number(value);
  if (!Number.isFinite(number) || (typeof value === "string" && value.trim() === "")) return false;
  return target.op === ">=" ? number >= target.value : number <= target.value;
}
