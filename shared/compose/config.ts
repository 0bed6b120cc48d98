/** A function's configuration: the installed one (local runner, tests) or its own variables (AWS). */
import { type Config, type PartnerReaders, readConfigFor, scopeConfig } from '../config.js';
import type { FUNCTIONS, FunctionName } from '../contracts.js';
import { installed } from './installed.js';

/** The functions given partners or the origin country pass PARTNER_READERS (shared/config.ts). */
type ReadersOf<F extends FunctionName> = [
  Extract<(typeof FUNCTIONS)[F]['settings'][number], 'partners' | 'originCountry'>,
] extends [never]
  ? []
  : [readers: PartnerReaders];

/** Parsed once at cold start; reading a setting the function is not given throws. */
export function configFor<F extends FunctionName>(fn: F, ...readers: ReadersOf<F>): Config {
  const local = installed();
  return local ? scopeConfig(local.config, fn) : readConfigFor(fn, process.env, readers[0]);
}
