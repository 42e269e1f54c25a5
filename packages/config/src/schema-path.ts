/**
 * The schema of one setting, found by its key path: for "did you mean"
 * hints (issues.ts) and for reading an unquoted `${VAR}` value as a number
 * or boolean where the setting is one (config.ts).
 */
import { z } from "zod";
import { totewatchConfigSchema, unwrap } from "./schema/index.js";

/** The value schema at `keyPath` (wrappers stripped), or undefined where the schema has no such key. */
export function schemaAt(keyPath: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType = totewatchConfigSchema;
  for (const key of keyPath) {
    schema = unwrapAll(schema);
    if (schema instanceof z.ZodObject) {
      const next = (schema.shape as Record<string, z.ZodType | undefined>)[String(key)];
      if (next === undefined) return undefined;
      schema = next;
    } else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return undefined;
  }
  return unwrapAll(schema);
}

/**
 * Whether the setting at `keyPath` takes a number, a boolean or null (alone
 * or in a union), so an unquoted `${VAR}` there is read as YAML would read
 * the value written in its place. Text settings (and unknown keys) keep the
 * variable's value as text, byte for byte, whatever it looks like.
 */
export function takesYamlScalar(keyPath: readonly PropertyKey[]): boolean {
  const schema = schemaAt(keyPath);
  return schema !== undefined && isNonText(schema);
}

function isNonText(schema: z.ZodType): boolean {
  const inner = unwrapAll(schema);
  if (inner instanceof z.ZodUnion) return (inner.options as z.ZodType[]).some(isNonText);
  return inner instanceof z.ZodNumber || inner instanceof z.ZodBoolean || inner instanceof z.ZodNull;
}

export function unwrapAll(schema: z.ZodType): z.ZodType {
  let current = unwrap(schema);
  while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) {
    current = unwrap(current.def.innerType as z.ZodType);
  }
  return current;
}
