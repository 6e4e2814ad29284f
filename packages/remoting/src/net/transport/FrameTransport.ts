/**
 * What a {@link Connection} needs from the wire below it: complete frames in, whole frames out. A
 * socket in this thread ({@link SocketTransport}) or a socket owned by an I/O thread, reached through
 * shared-memory rings (`../io/`), both look like this.
 */
export interface FrameTransport {
  /** `ip:port` of the peer ("" when unknown) and of our end. */
  readonly remoteAddr: string;
  readonly localAddr: string;
  /** True while the peer keeps up with what we write (Netty's `isWritable`). */
  readonly isWritable: boolean;
  /** Bytes held on our side that the peer has not been sent yet. */
  readonly pendingWriteBytes: number;
  /** Begin delivering what arrives to `sink`; called once. */
  start(sink: FrameSink): void;
  /**
   * Write one frame given as parts, the first starting with the 4-byte length prefix. `done` hears
   * once the bytes are handed on (to the kernel, or to the I/O thread's ring), or why they could not be.
   */
  writeFrame(parts: readonly Buffer[], done?: (err: Error | null) => void): void;
  /** Close at once; the sink hears nothing more. */
  destroy(): void;
}

export interface FrameSink {
  /** One frame's bytes after its length prefix. */
  frame(payload: Buffer): void;
  /** The stream broke the framing rules (bad length prefix): the connection must close. */
  malformed(reason: string): void;
  /** Nothing read or written for the idle time. */
  idle(): void;
  /** The peer closed, or the socket failed (`error` set). */
  end(reason: string, error?: string): void;
}
