/**
 * @iggy-ts/bench: the iggy-bench benchmark app (Iggy's benchmark kinds over a lean TCP client),
 * usable as a library: parse a command line, run a benchmark, render or write its reports.
 */
export { parseBenchArgs, parseAddress, type BenchArgs } from './args.js';
export { BENCHMARK_KINDS, KIND_SHAPES, ConfigError, type BenchConfig, type BenchmarkKind } from './config.js';
export { runBenchmark, type RunHooks } from './runner.js';
export { LatencyHistogram, type LatencySummary } from './histogram.js';
export { Recorder, type TimeSample } from './recorder.js';
export { renderTable } from './report/table.js';
export { renderHtml } from './report/html.js';
export { writeReports } from './report/files.js';
export type { BenchResult, ActorResult, GroupResult, ServerFacts } from './report/model.js';
export { parseSizeBytes, parseDurationMs, parseRateBytesPerSecond } from './units.js';
