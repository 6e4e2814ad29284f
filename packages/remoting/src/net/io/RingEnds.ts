import { CONSUMER_SLEEPS, PRODUCER_WAITS, type FrameRing } from "./FrameRing.js";

/** Type bit of a record whose payload went by message (too big for the ring); the record carries its number. */
export const LARGE = 0x80;

/** A payload too big for the ring, sent beside it; `seq` matches the LARGE record that takes its place in order. */
export interface LargePayload {
  kind: "large";
  seq: number;
  bytes: ArrayBuffer;
}

/**
 * The producing end of a {@link FrameRing}. Never blocks: records that find no room wait in an
 * overflow queue (in order) until the consumer frees some, and `onBlocked(true/false)` tells the
 * owner to stop and restart what feeds it. Wakes the consumer only when it sleeps.
 */
export class RingWriter {
  private readonly overflow: { type: number; connId: number; bytes: Buffer }[] = [];
  private overflowBytesHeld = 0;
  private waitingForRoom = false;
  private wakeScheduled = false;
  private largeSeq = 0;

  constructor(
    private readonly ring: FrameRing,
    /** Sends a {@link LargePayload} to the consumer's thread (transferring `bytes`). */
    private readonly postLarge: (message: LargePayload) => void,
    private readonly onBlocked: (blocked: boolean) => void = () => {},
  ) {}

  /** Bytes queued here because the ring was full. */
  get overflowBytes(): number {
    return this.overflowBytesHeld;
  }

  write(type: number, connId: number, parts: readonly Uint8Array[], length: number): void {
    if (length > this.ring.maxPayload) {
      const bytes = new ArrayBuffer(length);
      const view = new Uint8Array(bytes);
      let at = 0;
      for (const part of parts) {
        view.set(part, at);
        at += part.length;
      }
      const seq = ++this.largeSeq >>> 0;
      this.postLarge({ kind: "large", seq, bytes });
      const ref = Buffer.allocUnsafe(4);
      ref.writeUInt32LE(seq, 0);
      type |= LARGE;
      parts = [ref];
      length = 4;
    }
    if (this.overflow.length === 0 && this.ring.tryWrite(type, connId, parts, length)) {
      this.scheduleWake();
      return;
    }
    const bytes = Buffer.allocUnsafe(length);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    this.overflow.push({ type, connId, bytes });
    this.overflowBytesHeld += length;
    if (this.overflow.length === 1) this.onBlocked(true);
    this.waitForRoom();
  }

  /**
   * Waking a sleeping consumer costs a syscall on each side: the records written in one task (a
   * batch of requests answered, one socket read split into frames) share one wake-up, at its end.
   */
  private scheduleWake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    queueMicrotask(this.wake);
  }

  private readonly wake = (): void => {
    this.wakeScheduled = false;
    this.wakeConsumer();
  };

  private wakeConsumer(): void {
    const control = this.ring.control;
    if (Atomics.load(control, CONSUMER_SLEEPS) === 1 && Atomics.compareExchange(control, CONSUMER_SLEEPS, 1, 0) === 1) {
      Atomics.notify(control, CONSUMER_SLEEPS);
    }
  }

  private waitForRoom(): void {
    if (this.waitingForRoom) return;
    this.waitingForRoom = true;
    const control = this.ring.control;
    Atomics.store(control, PRODUCER_WAITS, 1);
    // The consumer may have made room between our failed write and the store above: try once more.
    if (this.flushOverflow()) {
      Atomics.store(control, PRODUCER_WAITS, 0);
      this.waitingForRoom = false;
      this.unblocked();
      return;
    }
    const wait = Atomics.waitAsync(control, PRODUCER_WAITS, 1);
    if (wait.async) void wait.value.then(this.roomMade);
    else this.roomMade();
  }

  private readonly roomMade = (): void => {
    this.waitingForRoom = false;
    if (this.flushOverflow()) this.unblocked();
    else this.waitForRoom();
  };

  /**
   * Told only once this end is idle again (nothing queued, no wait pending): the owner typically
   * answers by writing at once, which may fill the ring again and must find a writer able to wait.
   */
  private unblocked(): void {
    this.onBlocked(false);
  }

  /** Move queued records into the ring; true when none is left. Called only with some queued. */
  private flushOverflow(): boolean {
    let moved = false;
    while (this.overflow.length > 0) {
      const next = this.overflow[0] as { type: number; connId: number; bytes: Buffer };
      if (!this.ring.tryWrite(next.type, next.connId, [next.bytes], next.bytes.length)) break;
      this.overflow.shift();
      this.overflowBytesHeld -= next.bytes.length;
      moved = true;
    }
    if (moved) this.wakeConsumer();
    return this.overflow.length === 0;
  }
}

/** Handles one record; `payload` is valid only during the call. */
export type RecordHandler = (type: number, connId: number, payload: Buffer) => void;

/** Records handled before the reader lets the event loop run other work. */
const BATCH = 256;

/**
 * The consuming end of a {@link FrameRing}: sleeps (`Atomics.waitAsync`, no thread blocked) until the
 * producer wakes it, handles up to {@link BATCH} records per turn of the event loop, and wakes a
 * producer that waits for room.
 */
export class RingReader {
  private readonly large = new Map<number, Buffer>();
  /** The LARGE record's number the reader stopped at until its payload arrives. */
  private waitingForLarge: number | null = null;
  private stopped = false;
  private paused = false;
  private drainScheduled = false;
  /** A wait for the producer's wake-up is pending (at most one at a time). */
  private sleeping = false;

  constructor(
    private readonly ring: FrameRing,
    private readonly handle: RecordHandler,
  ) {}

  /** Begin reading (records already in the ring are handled in the next turn). */
  start(): void {
    this.scheduleDrain();
  }

  stop(): void {
    this.stopped = true;
  }

  /** Leave records in the ring (the producer's side fills up and holds back) until {@link resume}. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.scheduleDrain();
  }

  /** A payload the producer sent beside the ring. */
  deliverLarge(message: LargePayload): void {
    this.large.set(message.seq, Buffer.from(message.bytes));
    if (this.waitingForLarge === message.seq) {
      this.waitingForLarge = null;
      this.scheduleDrain();
    }
  }

  private scheduleDrain(): void {
    if (this.drainScheduled || this.stopped) return;
    this.drainScheduled = true;
    setImmediate(this.drain);
  }

  private readonly drain = (): void => {
    this.drainScheduled = false;
    if (this.stopped || this.paused) return;
    let handled = 0;
    const consumed = this.ring.read((type, connId, payload) => {
      if (handled >= BATCH || this.paused) return false;
      if ((type & LARGE) !== 0) {
        const seq = payload.readUInt32LE(0);
        const bytes = this.large.get(seq);
        if (bytes === undefined) {
          this.waitingForLarge = seq;
          return false;
        }
        this.large.delete(seq);
        payload = bytes;
        type &= ~LARGE;
      }
      handled++;
      this.handle(type, connId, payload);
      return !this.stopped;
    });
    if (consumed > 0) this.wakeProducer();
    if (this.stopped || this.paused || this.waitingForLarge !== null) return;
    if (handled >= BATCH || !this.ring.isEmpty) this.scheduleDrain();
    else this.sleep();
  };

  private wakeProducer(): void {
    const control = this.ring.control;
    if (Atomics.load(control, PRODUCER_WAITS) === 1 && Atomics.compareExchange(control, PRODUCER_WAITS, 1, 0) === 1) {
      Atomics.notify(control, PRODUCER_WAITS);
    }
  }

  private sleep(): void {
    // Already waiting (paused and resumed while asleep): the pending wait will drain.
    if (this.sleeping) return;
    const control = this.ring.control;
    Atomics.store(control, CONSUMER_SLEEPS, 1);
    // A record written between our last read and the store above would find us awake: look again.
    if (!this.ring.isEmpty) {
      Atomics.store(control, CONSUMER_SLEEPS, 0);
      this.scheduleDrain();
      return;
    }
    const wait = Atomics.waitAsync(control, CONSUMER_SLEEPS, 1);
    if (!wait.async) {
      this.drain();
      return;
    }
    this.sleeping = true;
    void wait.value.then(this.wokenUp);
  }

  private readonly wokenUp = (): void => {
    this.sleeping = false;
    this.drain();
  };
}
