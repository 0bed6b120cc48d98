/** A function's configuration: the installed one (local runner, tests) or its own variables (AWS). */
import { type Config, loadConfigFor, scopeConfig } from '../config.js';
import type { FunctionName } from '../contracts.js';
import { installed } from './installed.js';

/** Parsed once at cold start; reading a setting the function is not given throws. */
export function configFor(fn: FunctionName): Config {
  const local = installed();
  return local ? scopeConfig(local.config, fn) : loadConfigFor(fn);
}
