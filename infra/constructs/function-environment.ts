/**
 * Each function's environment: exactly the variables of the settings its contract gives it
 * (shared/contracts.ts `FUNCTIONS`, mapped to variables by shared/config.ts), picked from what the
 * deployment provides. A function never sees another's variables (partner secret ARNs included).
 */
import { variablesOf } from '#shared/config.js';
import type { FunctionName } from '#shared/contracts.js';

/** Variable → value, for every variable the deployment sets (some only for some functions). */
export type DeploymentValues = Readonly<Record<string, string | undefined>>;

export function environmentFor(fn: FunctionName, values: DeploymentValues): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const variable of variablesOf(fn)) {
    const value = values[variable];
    if (value !== undefined) environment[variable] = value;
  }
  return environment;
}
