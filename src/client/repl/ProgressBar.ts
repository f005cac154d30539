/**
 * The progress line of a transfer on a terminal: name, percentage, a bar,
 * bytes, rate and time left, redrawn in place at most ten times a second
 * and left at 100% when the transfer is complete. It is only made when
 * stdout is a terminal; piped output carries the result lines alone.
 */
import type { ProgressWatcher } from '../fileTransfers.js';

export interface ProgressState {
  readonly name: string;
  readonly done: number;
  /** null when the server would not say (no SIZE): no percentage, bar or time left then. */
  readonly total: number | null;
  /** Bytes that were there before this transfer (a resume); they do not count towards the rate. */
  readonly startAt: number;
  readonly elapsedMs: number;
}

const REDRAW_MS = 100;
const BAR_MIN = 10;
const BAR_MAX = 30;
/** Names are padded to this column, so that bars of successive files line up; the bar gets what is left. */
const NAME_COLUMN = 20;
/** Erases to the end of the line: what a longer earlier drawing left there. */
const CLEAR_TO_END = '\x1b[K';

/**
 * One progress line fitting in `width` columns (a line that wraps cannot be
 * redrawn in place): the bar goes first when space is short, then the name
 * is shortened. Pure.
 */
export function formatProgress(p: ProgressState, width: number, etaLabel: string): string {
  const seconds = Math.max(p.elapsedMs, 1) / 1000;
  const rate = (p.done - p.startAt) / seconds;
  const speed = `${humanBytes(rate)}/s`;
  if (p.total === null) return [fitName(p.name, width - speed.length - humanBytes(p.done).length - 4), humanBytes(p.done), speed].join('  ').slice(0, width);
  const fraction = p.total === 0 ? 1 : Math.min(1, p.done / p.total);
  const left = rate > 0 ? (p.total - p.done) / rate : null;
  const stats = `${humanBytes(p.done)} / ${humanBytes(p.total)}  ${speed}  ${etaLabel} ${formatDuration(left)}`;
  let gauge = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const barWidth = Math.min(BAR_MAX, width - NAME_COLUMN - stats.length - gauge.length - 7);
  if (barWidth >= BAR_MIN) {
    const filled = Math.round(fraction * barWidth);
    gauge += ` [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
  }
  return [fitName(p.name, width - stats.length - gauge.length - 4), gauge, stats].join('  ').slice(0, width);
}

/** The name padded to a column of 20, or shortened with "..." to fit `room`. */
function fitName(name: string, room: number): string {
  if (name.length <= room) return name.padEnd(Math.min(room, NAME_COLUMN));
  return room > 3 ? `${name.slice(0, room - 3)}...` : name.slice(0, Math.max(room, 1));
}

/** 1023 B, 1.5 KB, 483.2 MB, 1.00 GB: 1024-based, as `size` prints megabytes. */
export function humanBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** 0:07, 12:34, 1:02:03; --:-- when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.ceil(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** Runs a transfer under `bar` (null: no terminal, no bar); the bar ends at 100% only when the transfer succeeds. */
export async function underBar<T>(bar: ProgressBar | null, transfer: (watcher: ProgressWatcher | null) => Promise<T>): Promise<T> {
  try {
    const result = await transfer(bar);
    bar?.finish();
    return result;
  } catch (err) {
    bar?.stop();
    throw err;
  }
}

export class ProgressBar implements ProgressWatcher {
  private name = '';
  private total: number | null = null;
  private startAt = 0;
  private done = 0;
  private startedAt = 0;
  private drawnAt = 0;
  /** Whether the current line holds the bar, so a line printed meanwhile must clear it first. */
  private shown = false;
  /** Said in place of the figures until data moves again ("retrying (1/3) after: ..."). */
  private note: string | null = null;

  constructor(
    private readonly out: NodeJS.WritableStream & { readonly columns?: number },
    private readonly etaLabel: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Not drawn yet: the first update() draws it, once the server has accepted the transfer, so a refused one (550) shows no bar. */
  start(name: string, total: number | null, startAt: number): void {
    this.name = name;
    this.total = total;
    this.startAt = startAt;
    this.done = startAt;
    this.startedAt = this.now();
  }

  /** A new name on the same bar: the file a recursive transfer is at. */
  label(name: string): void {
    this.name = name;
  }

  update(done: number): void {
    if (this.note !== null && done !== this.done) this.note = null;
    this.done = done;
    if (!this.shown || this.now() - this.drawnAt >= REDRAW_MS) this.draw();
  }

  /** Whether the bar is on the screen now: a transfer is under way. */
  get active(): boolean {
    return this.shown;
  }

  /** Shows `text` on the line after the name, until the transfer moves on. */
  say(text: string): void {
    this.note = text;
    this.draw();
  }

  /** The transfer completed: the line is drawn once more, at 100%, and kept. */
  finish(): void {
    if (this.total !== null) this.done = Math.max(this.done, this.total);
    this.draw();
    this.end();
  }

  /** The transfer failed or was stopped: the line stays as it was. */
  stop(): void {
    if (this.shown) this.end();
  }

  /** Prints a line above the bar, which is redrawn below it. */
  printAbove(line: string): void {
    if (!this.shown) return void this.out.write(line + '\n');
    this.out.write(`\r${CLEAR_TO_END}${line}\n`);
    this.draw();
  }

  private draw(): void {
    this.drawnAt = this.now();
    const state = { name: this.name, done: this.done, total: this.total, startAt: this.startAt, elapsedMs: this.drawnAt - this.startedAt };
    // One column short of the width: writing into the last column makes some terminals wrap.
    const width = (this.out.columns ?? 80) - 1;
    const line = this.note === null ? formatProgress(state, width, this.etaLabel) : `${this.name}  ${this.note}`.slice(0, width);
    this.out.write(`\r${line}${CLEAR_TO_END}`);
    this.shown = true;
  }

  private end(): void {
    this.out.write('\n');
    this.shown = false;
  }
}
