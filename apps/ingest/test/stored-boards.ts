/**
 * The first win board a poll stored, as [program, win odds, decimal odds, runner's pool, total
 * pool] rows in entry order: what the page-adapter tests compare with their hand-worked boards.
 */
type Row = Record<string, unknown>;

export function firstBoard(entry: readonly Row[], oddsSnapshot: readonly Row[]): unknown[][] {
  const program = new Map(entry.map((row) => [row.entry_id, row.program_number]));
  const first = Math.min(...oddsSnapshot.map((row) => new Date(row.fetched_at as string).getTime()));
  return oddsSnapshot
    .filter((row) => new Date(row.fetched_at as string).getTime() === first)
    .map((row) => [
      program.get(row.entry_id),
      row.win_odds,
      row.win_odds_decimal,
      row.win_pool_amount,
      row.total_win_pool,
    ]);
}
