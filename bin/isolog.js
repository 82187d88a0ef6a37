#!/usr/bin/env node
// `isolog collect`: the collector command (built into dist/ by `npm run build`, which install runs).
import { main } from '../dist/collector/cli.js';

process.exitCode = await main(process.argv.slice(2));
