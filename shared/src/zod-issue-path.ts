import type { z } from 'zod';

/**
 * The dotted path a zod issue is about, or `whole` when it is about the whole value. zod reports an
 * unknown key on its parent object; we name the key itself, so a vendor or an operator finds it.
 */
export function issuePath(issue: z.core.$ZodIssue, whole: string): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
  return path.length === 0 ? whole : path.join('.');
}
