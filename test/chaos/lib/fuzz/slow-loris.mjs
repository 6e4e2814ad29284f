// The slow connections: dribblers, stallers, non-readers and choppers.
import net from "node:net";
import * as remoting from "../../../../packages/remoting/dist/index.js";

const { DEFAULT_FRAME_MAX_LENGTH, FrameDecoder, encodeFrame } = remoting;

/**
 * Slow loris: dribblers send a valid request one byte every `dribbleMs` (± a fifth), wait for its
 * answer and start again; stallers announce a large frame, send a part of it and then nothing;
 * choppers send the largest frame allowed a byte per write, as fast as the socket goes; non-readers
 * pipeline small requests as fast as the server takes them and never read an answer.
 */
export class SlowLoris {
  constructor(rand) {
    this.rand = rand;
    this.running = false;
    this.dribblers = [];
    this.stallers = [];
    this.nonReaders = [];
    this.choppers = [];
    this.stats = {};
  }

  statsOf(name) {
    return (this.stats[name] ??= {
      dribblers: 0,
      bytesDribbled: 0,
      framesCompleted: 0,
      framesAnswered: 0,
      dribblersClosedByServer: 0,
      stallers: 0,
      stallerBytes: 0,
      stallersClosedByServer: 0,
      stallerClosedAfterMs: [],
      nonReaders: 0,
      nonReaderRequests: 0,
      nonReadersClosedByServer: 0,
      choppers: 0,
      bytesChopped: 0,
      choppersClosedByServer: 0,
    });
  }

  /** Start `perTarget` dribblers on each target; they run until {@link stop}. */
  startDribblers(targets, perTarget, dribbleMs) {
    this.running = true;
    for (const target of targets) {
      const st = this.statsOf(target.name);
      for (let i = 0; i < perTarget; i++) {
        st.dribblers++;
        this.dribblers.push(this.dribble(target, st, dribbleMs));
      }
    }
  }

  async dribble(target, st, dribbleMs) {
    const socket = net.connect({ host: target.host, port: target.port });
    socket.setNoDelay(true);
    const decoder = new FrameDecoder();
    let closed = false;
    let answered = 0;
    let wake = null;
    socket.on("data", (chunk) => {
      try {
        answered += decoder.push(chunk).length;
      } catch {
        socket.destroy();
      }
      wake?.();
    });
    socket.on("error", () => undefined);
    socket.once("close", () => {
      closed = true;
      wake?.();
    });
    await new Promise((r) => {
      socket.once("connect", r);
      socket.once("close", r);
    });
    const sleep = (ms) =>
      new Promise((r) => {
        const t = setTimeout(r, ms);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
    while (this.running && !closed) {
      const frame = encodeFrame({
        code: target.dribbleCode,
        language: "JAVA",
        version: 409,
        opaque: this.rand.int32(),
        flag: 0,
        remark: null,
        extFields: null,
        body: null,
        serializeType: "ROCKETMQ",
      });
      const before = answered;
      for (let i = 0; i < frame.length && this.running && !closed; i++) {
        socket.write(frame.subarray(i, i + 1));
        st.bytesDribbled++;
        if (i < frame.length - 1) await sleep(dribbleMs * (0.8 + 0.4 * this.rand.next()));
      }
      if (!this.running || closed) break;
      st.framesCompleted++;
      const until = Date.now() + 10_000;
      while (answered === before && !closed && Date.now() < until && this.running) await sleep(until - Date.now());
      if (answered > before) st.framesAnswered++;
    }
    if (closed && this.running) st.dribblersClosedByServer++;
    socket.destroy();
  }

  /**
   * Start `perTarget` stallers on each target: half announce the largest frame allowed and send
   * its header word only, half send 256 KiB of it; then nothing until {@link stop}.
   */
  startStallers(targets, perTarget) {
    for (const target of targets) {
      const st = this.statsOf(target.name);
      for (let i = 0; i < perTarget; i++) {
        const length = DEFAULT_FRAME_MAX_LENGTH - 4;
        const part = i % 2 === 0 ? 4 : 256 * 1024;
        const bytes = Buffer.concat([Buffer.alloc(4), this.rand.bytes(part)]);
        bytes.writeInt32BE(length, 0);
        bytes.writeUInt32BE(((1 << 24) | 1000) >>> 0, 4);
        const socket = net.connect({ host: target.host, port: target.port });
        const openedAt = Date.now();
        socket.on("connect", () => {
          st.stallers++;
          socket.write(bytes, (err) => {
            if (!err) st.stallerBytes += bytes.length;
          });
        });
        socket.on("data", () => undefined);
        socket.on("error", () => undefined);
        socket.once("close", () => {
          if (!socket.stalledByUs) {
            st.stallersClosedByServer++;
            st.stallerClosedAfterMs.push(Date.now() - openedAt);
          }
        });
        this.stallers.push(socket);
      }
    }
  }

  /**
   * Start `perTarget` non-readers on each target, sending `target.noReadCode` with
   * `target.noReadExt` in batches of 1,000 whenever the socket takes more; they run until {@link stop}.
   */
  startNonReaders(targets, perTarget) {
    this.running = true;
    for (const target of targets) {
      const st = this.statsOf(target.name);
      const request = encodeFrame({
        code: target.noReadCode,
        language: "JAVA",
        version: 409,
        opaque: 1,
        flag: 0,
        remark: null,
        extFields: target.noReadExt ?? null,
        body: null,
        serializeType: "ROCKETMQ",
      });
      const batch = Buffer.concat(Array.from({ length: 1000 }, () => request));
      for (let i = 0; i < perTarget; i++) {
        const socket = net.connect({ host: target.host, port: target.port });
        socket.pause(); // never reads
        socket.on("error", () => undefined);
        socket.once("close", () => {
          if (!socket.stoppedByUs) st.nonReadersClosedByServer++;
        });
        const pump = () => {
          while (this.running && !socket.destroyed) {
            st.nonReaderRequests += 1000;
            if (!socket.write(batch)) return void socket.once("drain", pump);
          }
        };
        socket.once("connect", () => {
          st.nonReaders++;
          pump();
        });
        this.nonReaders.push(socket);
      }
    }
  }

  /**
   * Start `perTarget` choppers on each target: each announces the largest frame allowed and sends it
   * one byte per write (a few writes per turn of the event loop, so each leaves as its own segment)
   * until {@link stop}. A server that kept each piece as it came would hold a hundred times what it got.
   */
  startChoppers(targets, perTarget) {
    this.running = true;
    const one = Buffer.from([0x41]);
    for (const target of targets) {
      const st = this.statsOf(target.name);
      for (let i = 0; i < perTarget; i++) {
        const socket = net.connect({ host: target.host, port: target.port });
        socket.setNoDelay(true);
        socket.on("error", () => undefined);
        socket.on("data", () => undefined);
        socket.once("close", () => {
          if (!socket.stoppedByUs) st.choppersClosedByServer++;
        });
        const head = Buffer.alloc(8);
        head.writeInt32BE(DEFAULT_FRAME_MAX_LENGTH - 4, 0);
        head.writeUInt32BE(((1 << 24) | 1000) >>> 0, 4);
        let sent = head.length;
        const chop = () => {
          if (!this.running || socket.destroyed) return;
          for (let n = 0; n < 4 && sent < DEFAULT_FRAME_MAX_LENGTH; n++, sent++) {
            socket.write(one);
            st.bytesChopped++;
          }
          if (socket.writableLength > 64 * 1024) socket.once("drain", chop);
          else if (sent < DEFAULT_FRAME_MAX_LENGTH) setImmediate(chop);
        };
        socket.once("connect", () => {
          st.choppers++;
          socket.write(head);
          chop();
        });
        this.choppers.push(socket);
      }
    }
  }

  /** Stop dribbling, close the stallers, non-readers and choppers; resolves with the figures per target. */
  async stop() {
    this.running = false;
    for (const s of [...this.stallers, ...this.nonReaders, ...this.choppers]) {
      s.stalledByUs = s.stoppedByUs = true;
      s.destroy();
    }
    await Promise.all(this.dribblers);
    const out = {};
    for (const [name, st] of Object.entries(this.stats)) {
      const { stallerClosedAfterMs, ...rest } = st;
      out[name] = {
        ...rest,
        firstStallerClosedAfterMs: stallerClosedAfterMs.length ? Math.min(...stallerClosedAfterMs) : null,
      };
    }
    return out;
  }
}
