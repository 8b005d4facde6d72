#!/usr/bin/env node
// Entry point of the `pospay` command. The command is written in TypeScript; tsx loads it
// without a separate build step so support staff always run the code that is installed.
import { register } from 'tsx/esm/api';

register();
await import('../electron/cli/pospay.ts');
