#!/usr/bin/env node
// Launcher of the `iggy` command (package.json "bin"). It is checked in, unlike dist/, so that
// `npm install` links `iggy` even before the first build; the command itself is dist/bin/iggy.js.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin/iggy.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: @iggy-ts/cli is not built yet: run `npm run build` in the repository root\n');
  process.exit(1);
}
await import(entry.href);
