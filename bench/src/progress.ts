/**
 * A one-line progress bar on stderr (plain ANSI, redrawn in place a few times a second). It draws
 * nothing when stderr is not a terminal or the caller disabled it (--json, --no-progress).
 */

export interface ProgressState {
  /** 'prefill', 'warm-up', 'measure'. */
  phase: string;
  /** 0..1, or undefined when unknown. */
  fraction: number | undefined;
  /** Payload MB/s and messages/s over the last redraw interval. */
  megabytesPerSecond: number;
  messagesPerSecond: number;
  elapsedMs: number;
}

const BAR_WIDTH = 28;
const REDRAW_INTERVAL_MS = 200;

export class ProgressBar {
  private timer: NodeJS.Timeout | undefined;
  private readonly enabled: boolean;
  private drawn = false;

  constructor(
    enabled: boolean,
    private readonly title: string,
    private readonly read: () => ProgressState,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = enabled && stream.isTTY === true;
  }

  start(): void {
    if (!this.enabled || this.timer !== undefined) return;
    this.timer = setInterval(() => this.draw(), REDRAW_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Prints a line above the bar (the bar is redrawn at the next tick). */
  log(line: string): void {
    if (this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${line}\n`);
  }

  private draw(): void {
    const state = this.read();
    const fraction = state.fraction === undefined ? undefined : Math.min(1, Math.max(0, state.fraction));
    const filled = fraction === undefined ? 0 : Math.round(fraction * BAR_WIDTH);
    const bar = fraction === undefined ? '·'.repeat(BAR_WIDTH) : '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
    const percent = fraction === undefined ? '   ' : `${Math.floor(fraction * 100)}`.padStart(3);
    const rate = `${state.megabytesPerSecond.toFixed(1).padStart(8)} MB/s ${Math.round(state.messagesPerSecond).toLocaleString('en-US').padStart(11)} msg/s`;
    const columns = this.stream.columns > 0 ? this.stream.columns : 100;
    const head = `${this.title} ${state.phase.padEnd(8)} `;
    const tail = ` ${percent}% ${rate} ${(state.elapsedMs / 1000).toFixed(1).padStart(6)} s`;
    // One line only: drop the rates, then cut, when the terminal is narrow (escape codes not counted).
    let line: string;
    if (head.length + BAR_WIDTH + tail.length < columns) line = `${head}\x1b[36m${bar}\x1b[0m${tail}`;
    else if (head.length + BAR_WIDTH + 6 < columns) line = `${head}\x1b[36m${bar}\x1b[0m ${percent}%`;
    else line = `${head}${percent}%`.slice(0, columns - 1);
    this.stream.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}
