#!/usr/bin/env node
import { runCli } from '../lambdas/cli/index.js';

process.exitCode = await runCli(process.argv.slice(2));
