#!/usr/bin/env node
// The `minimis` ops CLI. It is written in TypeScript and runs through tsx's loader (a runtime
// dependency), so `npx minimis …` works straight after `npm install`, with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
