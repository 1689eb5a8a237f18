// Shared by the micro-benchmarks: runs a tinybench Bench and prints one line per task with the
// median (p50) time per call, the calls per second it implies and, when the task says how many bytes
// one call handles, the MB/s (10^6 bytes per second) at the median.
//   printMedians(bench, { 'task name': bytesPerCall, ... })

export async function runAndPrint(title, bench, bytesPerCall = {}) {
  await bench.run();
  console.log(`\n${title}`);
  const rows = [];
  for (const task of bench.tasks) {
    const result = task.result;
    if (result === undefined || result.state !== 'completed') {
      rows.push([task.name, result?.state === 'errored' ? `error: ${result.error?.message}` : 'not run', '', '', '']);
      continue;
    }
    const medianMs = result.latency.p50;
    const bytes = bytesPerCall[task.name];
    rows.push([
      task.name,
      formatTime(medianMs),
      Math.round(1000 / medianMs).toLocaleString('en-US'),
      bytes === undefined ? '' : `${(bytes / 1e6 / (medianMs / 1000)).toFixed(0)}`,
      result.latency.samplesCount?.toLocaleString('en-US') ?? String(result.latency.samples?.length ?? ''),
    ]);
  }
  const headers = ['task', 'median', 'calls/s', 'MB/s', 'samples'];
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => row[column].length)));
  const line = (cells) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  console.log(line(headers));
  console.log(widths.map((width) => '─'.repeat(width)).join('──'));
  for (const row of rows) console.log(line(row));
}

function formatTime(ms) {
  if (ms >= 1) return `${ms.toFixed(3)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toFixed(2)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}
