#!/usr/bin/env node
// The `sluice` command. From an installed package it runs the compiled CLI in dist/; from a
// clone after `npm ci` (no build), it runs the TypeScript sources through tsx's loader, so the
// bin never depends on a manual build.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/bin.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/bin.ts', import.meta.url).href);
}
