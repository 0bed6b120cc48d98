/** Schema issues as the field problems our answers carry: a path each, never the submitted value. */
import type { SchemaError } from '../schema.js';
import { pathKey } from './card-data.js';
import type { FieldProblem } from './errors.js';

/** A problem's path as the answers write it (`items[0].sku`). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Zod issues → problems that name a path and never echo the submitted value. */
export function toProblems(error: SchemaError): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        problems.push({ path: formatPath([...issue.path, pathKey(key)]), message: 'is not a known field' });
      }
    } else {
      problems.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return firstPerPath(problems);
}

/** One problem per path: the first check that failed says what to fix. */
export function firstPerPath(problems: readonly FieldProblem[]): FieldProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.path) && seen.add(p.path));
}
