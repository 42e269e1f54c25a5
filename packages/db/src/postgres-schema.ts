/**
 * The PostgreSQL schema is derived from the one hand-edited SQLite schema
 * (prisma/schema.prisma), never edited itself (issue 12; ../shared/POSTGRES.md
 * "One schema, two providers": `provider = env(...)` does not work offline).
 *
 * Invariants:
 * - Models, fields, @map/@@map names and indexes are copied as they are, so SQL
 *   names are identical on both engines.
 * - What differs, and why:
 *   - the datasource provider and the generated client's folder;
 *   - every DateTime is a BIGINT of milliseconds since the epoch, exactly as SQLite stores it
 *     (time.ts): one instant, one number on both engines, so every query, comparison and
 *     interval sum is the same text and the same result (`@default(now())` becomes the same
 *     number computed by the server; `@updatedAt` is Prisma's, which no query here relies on);
 *   - the snapshot tables' ids and the cursors over them are BIGINT (a nationwide season passes
 *     the 2.1 billion rows an INTEGER key holds; SQLite's INTEGER is 64-bit already);
 *   - a BRIN index on each snapshot table's fetched_at (rows arrive in time order, so a few
 *     kilobytes index what a B-tree takes hundreds of megabytes for; retention and time-range
 *     scans use it). SQLite has no BRIN.
 * - Not here: the snapshot tables' foreign keys become statement checks in a migration of
 *   PostgreSQL's own (20261203030000_snapshot_reference_checks; db README). Prisma's diff is
 *   between derived schemas only, which both keep the relations, so it never adds them back.
 * - Pure: text in, text out; scripts/pg-schema.ts writes or checks the file.
 */

/** Where the derived schema lives, relative to the package. */
export const POSTGRES_SCHEMA_PATH = "prisma/postgres/schema.prisma";

const HEADER =
  "// GENERATED from ../schema.prisma by scripts/pg-schema.ts (pnpm db:schema:pg): do not edit.\n" +
  "// Edit prisma/schema.prisma, then run `pnpm db:schema:pg`; CI runs it with --check.\n\n";

/** The server's now, as the milliseconds SQLite's rows hold. */
export const PG_NOW_MS = "(floor(extract(epoch from clock_timestamp()) * 1000))::bigint";

/** Int fields that are BIGINT on PostgreSQL, by model. */
const BIGINT_FIELDS: Record<string, readonly string[]> = {
  OddsSnapshot: ["id"],
  ExactaProbable: ["id"],
  Cursor: ["position"],
};

/** Extra block attributes on PostgreSQL, by model. */
const EXTRA_ATTRIBUTES: Record<string, readonly string[]> = {
  OddsSnapshot: ['@@index([fetchedAt], map: "brin_odds_fetched_at", type: Brin)'],
  ExactaProbable: ['@@index([fetchedAt], map: "brin_exacta_fetched_at", type: Brin)'],
};

function splitComment(rest: string): [attributes: string, tail: string] {
  const comment = rest.indexOf("//");
  return comment === -1
    ? [rest.trimEnd(), ""]
    : [rest.slice(0, comment).trimEnd(), ` ${rest.slice(comment)}`];
}

/** The PostgreSQL twin of `sqlite` (the text of prisma/schema.prisma). Throws when it is not shaped as expected. */
export function derivePostgresSchema(sqlite: string): string {
  let provider = 0;
  let output = 0;
  let model: string | null = null;
  let block: "model" | "other" | null = null;
  const out: string[] = [];
  sqlite.split("\n").forEach((line, index) => {
    const opening = /^\s*(model|generator|datasource|enum|view)\s+(\w+)\s*\{/.exec(line);
    if (opening) {
      block = opening[1] === "model" ? "model" : "other";
      model = block === "model" ? opening[2]! : null;
    } else if (/^\s*\}/.test(line)) {
      block = null;
      model = null;
    }
    if (/^\s*provider\s*=\s*"sqlite"/.test(line)) {
      provider++;
      out.push(line.replace('"sqlite"', '"postgresql"'));
      return;
    }
    if (/^\s*url\s*=\s*"file:/.test(line)) {
      out.push(line.replace(/"file:[^"]*"/, '"postgresql://127.0.0.1/totewatch"'));
      return;
    }
    if (/^\s*output\s*=\s*"\.\.\/src\/generated\/prisma"/.test(line)) {
      output++;
      out.push(line.replace('"../src/generated/prisma"', '"../../src/generated/postgres"'));
      return;
    }
    if (block === "model" && model) {
      if (/^\s*@@map\(/.test(line)) for (const extra of EXTRA_ATTRIBUTES[model] ?? []) out.push(`  ${extra}`);
      const field = /^(\s+)(\w+)(\s+)(DateTime|Int)(\??)(\s.*)?$/.exec(line);
      if (field) {
        const [, indent, name, gap, type, optional] = field;
        const [attributes, tail] = splitComment(field[6] ?? "");
        if (attributes.includes("@db.")) {
          throw new Error(`schema.prisma line ${index + 1}: a field with its own @db type cannot be derived`);
        }
        if (type === "DateTime") {
          const derived = attributes
            .replace("@default(now())", `@default(dbgenerated("${PG_NOW_MS}"))`)
            .replace(/\s*@updatedAt\b/, "");
          out.push(`${indent}${name}${gap}BigInt${optional} ${derived.trim()}`.trimEnd() + tail);
          return;
        }
        if ((BIGINT_FIELDS[model] ?? []).includes(name!)) {
          out.push(`${indent}${name}${gap}BigInt${optional} ${attributes.trim()}`.trimEnd() + tail);
          return;
        }
      }
    }
    out.push(line);
  });
  if (provider !== 1) throw new Error(`schema.prisma: expected one provider = "sqlite", found ${provider}`);
  if (output !== 1)
    throw new Error(`schema.prisma: expected the client output "../src/generated/prisma", found ${output}`);
  return HEADER + out.join("\n");
}
