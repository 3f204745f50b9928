#!/usr/bin/env node
import { runCliProcess } from '../lambdas/cli/index.js';
// `lab` and `demo` run the netns lab: the entry point composes them in (lambdas/cli never imports lab/).
import '../lab/cli/index.js';

await runCliProcess(process.argv.slice(2));
