/**
 * A one-line progress bar in plain ANSI, drawn on stderr only when it is a terminal (so pipes,
 * files and tests never see it). Redraws at most every 100 ms and erases itself when done.
 */

const REDRAW_INTERVAL_MS = 100;
const BAR_WIDTH = 30;

export class ProgressBar {
  private done = 0;
  private lastDrawMs = 0;
  private drawn = false;

  /**
   * @param stream where to draw; undefined (not a TTY) makes every call a no-op
   * @param total units of work expected (messages)
   * @param label what is counted ("sent", "polled")
   */
  constructor(
    private readonly stream: NodeJS.WriteStream | undefined,
    private readonly total: number,
    private readonly label: string,
  ) {}

  /** Adds `count` finished units and redraws when due. */
  advance(count: number): void {
    this.done += count;
    if (this.stream === undefined) return;
    const now = Date.now();
    if (now - this.lastDrawMs < REDRAW_INTERVAL_MS && this.done < this.total) return;
    this.lastDrawMs = now;
    this.draw(this.stream);
  }

  /** Erases the bar. */
  finish(): void {
    if (this.stream === undefined || !this.drawn) return;
    this.stream.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(stream: NodeJS.WriteStream): void {
    const ratio = this.total <= 0 ? 1 : Math.min(1, this.done / this.total);
    const filled = Math.round(ratio * BAR_WIDTH);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    stream.write(`\r\x1b[2K[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${this.label} ${this.done}/${this.total}`);
    this.drawn = true;
  }
}
