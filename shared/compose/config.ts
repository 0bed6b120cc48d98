/** A function's configuration: the installed one (local runner, tests) or its own variables (AWS). */
import { type Config, type PartnerReaders, readConfigFor, scopeConfig } from '../config.js';
import type { FunctionContract } from '../contracts.js';
import { installed } from './installed.js';

/** The functions given partners or the origin country pass PARTNER_READERS (shared/config.ts). */
type ReadersOf<C extends FunctionContract> = [
  Extract<C['settings'][number], 'partners' | 'originCountry'>,
] extends [never]
  ? []
  : [readers: PartnerReaders];

/**
 * Parsed once at cold start from the function's own contract (`SUBMIT_ORDER`, … in
 * shared/contracts.ts); reading a setting the function is not given throws.
 */
export function configFor<C extends FunctionContract>(contract: C, ...readers: ReadersOf<C>): Config {
  const local = installed();
  return local ? scopeConfig(local.config, contract) : readConfigFor(contract, process.env, readers[0]);
}
