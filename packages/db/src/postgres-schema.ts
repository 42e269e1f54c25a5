/**
 * The PostgreSQL schema is derived from the one hand-edited SQLite schema
 * (prisma/schema.prisma), never edited itself (issue 12; ../shared/POSTGRES.md
 * "One schema, two providers": `provider = env(...)` does not work offline).
 *
 * Invariants:
 * - Models, fields, @map/@@map names and indexes are copied as they are, so SQL
 *   names are identical on both engines.
 * - Only three things differ: the datasource provider, the generated client's
 *   folder (src/generated/postgres beside src/generated/prisma), and every
 *   DateTime field's column type, `@db.Timestamptz(3)` (millisecond instants,
 *   as SQLite stores them).
 * - Pure: text in, text out; scripts/pg-schema.ts writes or checks the file.
 */

/** Where the derived schema lives, relative to the package. */
export const POSTGRES_SCHEMA_PATH = "prisma/postgres/schema.prisma";

const HEADER =
  "// GENERATED from ../schema.prisma by scripts/pg-schema.ts (pnpm db:schema:pg): do not edit.\n" +
  "// Edit prisma/schema.prisma, then run `pnpm db:schema:pg`; CI runs it with --check.\n\n";

/** The PostgreSQL twin of `sqlite` (the text of prisma/schema.prisma). Throws when it is not shaped as expected. */
export function derivePostgresSchema(sqlite: string): string {
  let provider = 0;
  let output = 0;
  let block: "model" | "other" | null = null;
  const lines = sqlite.split("\n").map((line, index) => {
    const opening = /^\s*(model|generator|datasource|enum|view)\s+\w+\s*\{/.exec(line);
    if (opening) block = opening[1] === "model" ? "model" : "other";
    else if (/^\s*\}/.test(line)) block = null;
    if (/^\s*provider\s*=\s*"sqlite"/.test(line)) {
      provider++;
      return line.replace('"sqlite"', '"postgresql"');
    }
    if (/^\s*url\s*=\s*"file:/.test(line))
      return line.replace(/"file:[^"]*"/, '"postgresql://127.0.0.1/totewatch"');
    if (/^\s*output\s*=\s*"\.\.\/src\/generated\/prisma"/.test(line)) {
      output++;
      return line.replace('"../src/generated/prisma"', '"../../src/generated/postgres"');
    }
    if (block === "model") {
      const field = /^(\s+\w+\s+DateTime\??)(\s.*)?$/.exec(line);
      if (field) {
        const rest = field[2] ?? "";
        if (rest.includes("@db.")) {
          throw new Error(
            `schema.prisma line ${index + 1}: a DateTime with its own @db type cannot be derived`,
          );
        }
        // Attributes first, then any trailing comment.
        const comment = rest.indexOf("//");
        const attributes = (comment === -1 ? rest : rest.slice(0, comment)).trimEnd();
        const tail = comment === -1 ? "" : ` ${rest.slice(comment)}`;
        return `${field[1]}${attributes} @db.Timestamptz(3)${tail}`;
      }
    }
    return line;
  });
  if (provider !== 1) throw new Error(`schema.prisma: expected one provider = "sqlite", found ${provider}`);
  if (output !== 1)
    throw new Error(`schema.prisma: expected the client output "../src/generated/prisma", found ${output}`);
  return HEADER + lines.join("\n");
}
