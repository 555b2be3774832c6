import { stripAnsi } from './ansi';
import type { LogEntry } from './logBuffer.svelte';

/** Bytes per chunk of text: a line is at most 16 kB from the engine, three bytes a character. */
const CHUNK = 256 * 1024;
const ERR = 1;
const CONTINUES = 2;
const ESCAPES = 4;

/**
 * The lines a log view keeps, as UTF-8 in chunks of bytes with each line's place in typed arrays:
 * no JavaScript object per kept line. A kept line lives a minute or more. As objects, each was
 * promoted to the collector's old generation among short-lived garbage and kept its blocks from
 * being freed: 10,000 kept lines cost the web process about 17 MB (issue 15). As bytes they cost
 * their size, and a chunk whose lines were all dropped is reused. Reading a line makes its
 * `LogEntry` afresh, which only the rows on screen, a search and a copy do.
 */
export class LineStore {
  private chunks: Uint8Array[] = [];
  /** A chunk whose lines were all dropped, kept for the next. */
  private spare: Uint8Array | null = null;
  /** The serial number of `chunks[0]`: a line's chunk is `chunks[chunkOf - first]`. */
  private first = 0;
  /** Bytes used in the last chunk. */
  private fill = 0;
  // A ring of `capacity` slots; line i (0 = oldest) is in slot (head + i) % capacity.
  private capacity = 0;
  private head = 0;
  private size = 0;
  private chunkOf = new Int32Array(0);
  private start = new Uint32Array(0);
  private bytes = new Uint32Array(0);
  private flags = new Uint8Array(0);
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  get length(): number {
    return this.size;
  }

  push(stream: 'out' | 'err', text: string, continues: boolean): void {
    if (this.size === this.capacity) this.grow();
    const most = text.length * 3;
    if (this.chunks.length === 0 || this.fill + most > this.chunks[this.chunks.length - 1].length) this.newChunk(most);
    const chunk = this.chunks[this.chunks.length - 1];
    const { written } = this.encoder.encodeInto(text, chunk.subarray(this.fill));
    const slot = (this.head + this.size) % this.capacity;
    this.chunkOf[slot] = this.first + this.chunks.length - 1;
    this.start[slot] = this.fill;
    this.bytes[slot] = written;
    this.flags[slot] = (stream === 'err' ? ERR : 0) | (continues ? CONTINUES : 0) | (text.includes('\x1b') ? ESCAPES : 0);
    this.fill += written;
    this.size += 1;
  }

  /** Forgets the oldest `n` lines. */
  dropOldest(n: number): void {
    const dropped = Math.min(n, this.size);
    this.head = (this.head + dropped) % Math.max(1, this.capacity);
    this.size -= dropped;
    if (this.size === 0) {
      this.release(this.chunks.length);
      this.fill = 0;
      return;
    }
    this.release(this.chunkOf[this.head] - this.first);
  }

  /** Forgets every line, and the room they took. */
  clear(): void {
    this.dropOldest(this.size);
    this.spare = null;
    this.capacity = this.head = 0;
    this.chunkOf = new Int32Array(0);
    this.start = new Uint32Array(0);
    this.bytes = new Uint32Array(0);
    this.flags = new Uint8Array(0);
  }

  /** Line `i`, 0 being the oldest kept. */
  at(i: number): LogEntry | undefined {
    if (i < 0 || i >= this.size) return undefined;
    const slot = (this.head + i) % this.capacity;
    const chunk = this.chunks[this.chunkOf[slot] - this.first];
    const at = this.start[slot];
    const raw = this.decoder.decode(chunk.subarray(at, at + this.bytes[slot]));
    const flags = this.flags[slot];
    return { stream: flags & ERR ? 'err' : 'out', raw, plain: flags & ESCAPES ? stripAnsi(raw) : raw, continues: (flags & CONTINUES) !== 0 };
  }

  /** Lines `start` to `end` (not included), as `Array.prototype.slice` takes them. */
  slice(start = 0, end = this.size): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.size); i++) out.push(this.at(i)!);
    return out;
  }

  private newChunk(most: number): void {
    const reuse = this.spare && this.spare.length >= most ? this.spare : null;
    if (reuse) this.spare = null;
    this.chunks.push(reuse ?? new Uint8Array(Math.max(CHUNK, most)));
    this.fill = 0;
  }

  /** Drops the first `n` chunks (no kept line is in them), keeping one to reuse. */
  private release(n: number): void {
    for (const chunk of this.chunks.splice(0, n)) if (chunk.length === CHUNK) this.spare = chunk;
    this.first += n;
  }

  /** Doubles the ring, oldest line first in the new one. */
  private grow(): void {
    const capacity = Math.max(1024, this.capacity * 2);
    this.chunkOf = this.reordered(this.chunkOf, new Int32Array(capacity));
    this.start = this.reordered(this.start, new Uint32Array(capacity));
    this.bytes = this.reordered(this.bytes, new Uint32Array(capacity));
    this.flags = this.reordered(this.flags, new Uint8Array(capacity));
    this.capacity = capacity;
    this.head = 0;
  }

  private reordered<A extends Int32Array | Uint32Array | Uint8Array>(from: A, to: A): A {
    for (let i = 0; i < this.size; i++) to[i] = from[(this.head + i) % this.capacity];
    return to;
  }
}
