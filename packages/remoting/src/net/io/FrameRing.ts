/**
 * A single-producer, single-consumer ring of records in a SharedArrayBuffer: how an I/O thread and
 * the thread that owns the store pass frames without a message per frame and without a syscall
 * while both are busy. Pure memory; waking a sleeping side is {@link RingWriter} / {@link RingReader}'s job.
 *
 * Layout: a 256-byte control block of int32 words — HEAD (next byte the consumer reads), TAIL (next
 * byte the producer writes), each on its own 64-byte line, and the two sleep words the ends use to
 * wake each other — then `capacity` bytes of records. A record is three uint32 words (payload length,
 * type, connection id), the payload, and padding to a multiple of 4. A record never wraps: when it
 * does not fit before the end, a WRAP word (payload length 0xFFFFFFFF) sends the consumer back to 0.
 * HEAD === TAIL means empty; the producer never lets TAIL catch up with HEAD from behind, so the ring
 * holds at most `capacity - 4` bytes. Atomics on HEAD and TAIL order the plain payload writes.
 */
export const HEAD = 0;
export const TAIL = 16;
/** 1 while the consumer sleeps waiting for records (the producer wakes it). */
export const CONSUMER_SLEEPS = 32;
/** 1 while the producer waits for room (the consumer wakes it). */
export const PRODUCER_WAITS = 48;
const CONTROL_BYTES = 256;
const RECORD_HEADER = 12;
const WRAP = 0xffffffff;

export class FrameRing {
  /** Control words: HEAD, TAIL, CONSUMER_SLEEPS, PRODUCER_WAITS. */
  readonly control: Int32Array;
  readonly capacity: number;
  private readonly bytes: Buffer;
  private readonly words: Uint32Array;

  /** Shared memory for a ring of `capacity` bytes (a multiple of 4), to hand to the other thread. */
  static allocate(capacity: number): SharedArrayBuffer {
    if (capacity % 4 !== 0 || capacity < 64) throw new RangeError(`ring capacity ${capacity}: a multiple of 4, ≥ 64`);
    return new SharedArrayBuffer(CONTROL_BYTES + capacity);
  }

  constructor(readonly memory: SharedArrayBuffer) {
    this.capacity = memory.byteLength - CONTROL_BYTES;
    this.control = new Int32Array(memory, 0, CONTROL_BYTES / 4);
    this.bytes = Buffer.from(memory, CONTROL_BYTES, this.capacity);
    this.words = new Uint32Array(memory, CONTROL_BYTES, this.capacity / 4);
  }

  /** The largest payload a record may carry: a quarter of the ring, so a record always fits once the consumer has drained it. */
  get maxPayload(): number {
    return (this.capacity >>> 2) - RECORD_HEADER;
  }

  get isEmpty(): boolean {
    return Atomics.load(this.control, HEAD) === Atomics.load(this.control, TAIL);
  }

  /**
   * Producer: append a record whose payload is `parts` (`length` bytes in all). False when there is
   * no room now (nothing written). Throws for a payload over {@link maxPayload}.
   */
  tryWrite(type: number, connId: number, parts: readonly Uint8Array[], length: number): boolean {
    if (length > this.maxPayload) throw new RangeError(`record of ${length} bytes exceeds ${this.maxPayload}`);
    const size = (RECORD_HEADER + length + 3) & ~3;
    const head = Atomics.load(this.control, HEAD);
    let tail = Atomics.load(this.control, TAIL);
    if (tail >= head) {
      if (this.capacity - tail <= size) {
        // Not before the end (and TAIL must never reach the end itself): wrap, if there is room at 0.
        if (head <= size) return false;
        this.words[tail >>> 2] = WRAP;
        tail = 0;
      }
    } else if (head - tail <= size) {
      return false;
    }
    const w = tail >>> 2;
    this.words[w] = length;
    this.words[w + 1] = type;
    this.words[w + 2] = connId;
    let at = tail + RECORD_HEADER;
    for (const part of parts) {
      this.bytes.set(part, at);
      at += part.length;
    }
    Atomics.store(this.control, TAIL, tail + size);
    return true;
  }

  /**
   * Consumer: visit records in order, each payload a view valid only during the call. `visit`
   * returns false to stop *before* consuming that record (it will be visited again). Returns the
   * number of records consumed.
   */
  read(visit: (type: number, connId: number, payload: Buffer) => boolean): number {
    const tail = Atomics.load(this.control, TAIL);
    let head = Atomics.load(this.control, HEAD);
    let consumed = 0;
    while (head !== tail) {
      const w = head >>> 2;
      const length = this.words[w] as number;
      if (length === WRAP) {
        head = 0;
        Atomics.store(this.control, HEAD, 0);
        continue;
      }
      const start = head + RECORD_HEADER;
      if (
        !visit(this.words[w + 1] as number, this.words[w + 2] as number, this.bytes.subarray(start, start + length))
      ) {
        break;
      }
      head = (start + length + 3) & ~3;
      Atomics.store(this.control, HEAD, head);
      consumed++;
    }
    return consumed;
  }
}
