/**
 * Writes a result to --output-dir: `<kind>-<timestamp>.json` always, `.html` unless --no-html.
 * Returns the paths written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderHtml } from './html.js';
import type { BenchResult } from './model.js';

export function reportBaseName(result: BenchResult): string {
  const stamp = result.startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${result.kind}-${stamp}`;
}

export function writeReports(result: BenchResult, outputDir: string, html: boolean): string[] {
  mkdirSync(outputDir, { recursive: true });
  const base = path.join(outputDir, reportBaseName(result));
  const files = [`${base}.json`];
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  if (html) {
    writeFileSync(`${base}.html`, renderHtml(result));
    files.push(`${base}.html`);
  }
  return files;
}
