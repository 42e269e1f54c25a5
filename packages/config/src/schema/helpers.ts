/**
 * zod building blocks every section of totewatch.yaml uses: strict sections
 * whose missing or emptied value means "all defaults", the number and URL
 * checks, and `unwrap` (the value schema under those wrappers, for rule
 * overrides and "did you mean" hints).
 */
import { z } from "zod";

/** Null (an emptied YAML section) means "use the default". */
export function orDefault<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema);
}

/** A strict object whose missing or null value becomes its all-defaults form. */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  // `{}` is valid input because every field has a default; the generic type cannot show that.
  return orDefault(z.strictObject(shape).prefault({} as z.input<z.ZodObject<Shape, z.core.$strict>>));
}

export const positiveInt = z.int().positive();
export const nonNegativeInt = z.int().nonnegative();

/** Strips preprocess pipes, defaults and prefaults down to the value schema. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodPipe) {
      const { in: input, out } = current.def;
      current = (input instanceof z.ZodTransform ? out : input) as z.ZodType;
    } else if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      current = current.def.innerType as z.ZodType;
    } else {
      return current;
    }
  }
}

export function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export const httpUrl = z.string().refine(isHttpUrl, { message: "must be an http(s) URL" });

/** Adds "must not exceed <limit> (<value>)" at `key` when `value[key]` is above `value[limit]`. */
export function notAbove<T extends Record<string, unknown>>(
  value: T,
  key: keyof T & string,
  limit: keyof T & string,
  ctx: z.RefinementCtx,
): void {
  if ((value[key] as number) > (value[limit] as number)) {
    ctx.addIssue({
      code: "custom",
      path: [key],
      message: `must not exceed ${limit} (${String(value[limit])})`,
    });
  }
}

/** Adds an issue when a backoff's base is above its cap (http retries, alert deliveries). */
export function backoffOrder(
  value: { backoffBaseMs: number; backoffMaxMs: number },
  ctx: z.RefinementCtx,
): void {
  notAbove(value, "backoffBaseMs", "backoffMaxMs", ctx);
}
