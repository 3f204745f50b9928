#!/usr/bin/env node
import { runCliProcess } from '../lambdas/cli/index.js';

await runCliProcess(process.argv.slice(2));
