/**
 * The schema library of everything a Lambda validates at run time (request bodies, queue
 * messages, partner events, keyrings, SES feedback) is zod/mini: the same zod 4 with functions
 * instead of methods, which tree-shakes to what a schema uses (classic zod's methods keep all of
 * it, ~90 KB per bundle). Each module that builds such a schema imports `zod/mini` itself (a
 * namespace passed on as a value would keep all of it) and this module for its effect: zod's
 * English messages, which classic zod sets on its own. The problem documents quote them, so an
 * answer reads the same whichever API built the schema.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export type { $ZodError as SchemaError, output } from 'zod/v4/core';

import type { ZodMiniType } from 'zod/mini';
/** A runtime schema (zod/mini). */
export type Schema<T = unknown> = ZodMiniType<T>;
