#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { execute } from '@oclif/core';

// HashiCorp's HCL parser is a large wasm module: baseline compilation halves a cold start,
// which every pre-commit run pays.
setFlagsFromString('--liftoff-only');

// `tm-doctor [DIR]` and `tm-doctor --format json` mean `tm-doctor check ...`.
const COMMANDS = new Set(['check', 'rules', 'explain', 'help']);
const TOP_LEVEL_FLAGS = new Set(['--help', '-h', '--version', '-v']);
const args = process.argv.slice(2);
if (!(args[0] && (COMMANDS.has(args[0]) || TOP_LEVEL_FLAGS.has(args[0])))) args.unshift('check');

await execute({ args, dir: import.meta.url });
