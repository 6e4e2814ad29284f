// One connection carrying one job: connect, write, then wait for answers, the server's close or
// the end of the wait.
import net from "node:net";
import * as remoting from "../../../../packages/remoting/dist/index.js";

const { DEFAULT_FRAME_MAX_LENGTH, FrameDecoder, decodeFramePayload } = remoting;

/**
 * Sends `job.bytes` on a fresh connection to `target` and resolves, once `job.expected` answers came
 * (any answer when it is undefined), the server closed or reset the connection, or `waitMs` passed,
 * with what happened: `written` (the bytes went to the socket: the job counts as sent), `closed` (by
 * the server), `answers` (response frames, each also handed to `onAnswer` with the milliseconds since
 * the job was written), `undecodable` (answers that would not decode) and `error` (why the
 * connection could not be made, when it could not).
 */
export function exchange(target, job, waitMs, onAnswer) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const decoder = new FrameDecoder(DEFAULT_FRAME_MAX_LENGTH + 1024);
    const result = { written: false, connected: false, closed: false, answers: 0, undecodable: 0, error: null };
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(finish, waitMs);
    socket.setNoDelay(true);
    let sentAt = 0;
    socket.on("connect", () => {
      result.connected = true;
      sentAt = Date.now();
      // sent once handed to the socket: a frame of several MiB may be cut short by the server's close
      socket.write(job.bytes);
      result.written = true;
    });
    socket.on("data", (chunk) => {
      let frames;
      try {
        frames = decoder.push(chunk);
      } catch {
        result.undecodable++;
        return finish();
      }
      for (const payload of frames) {
        let cmd;
        try {
          cmd = decodeFramePayload(payload);
        } catch {
          result.undecodable++;
          continue;
        }
        result.answers++;
        onAnswer?.(cmd, Date.now() - sentAt);
      }
      if (job.expected !== undefined && result.answers >= job.expected && job.expected > 0) finish();
      else if (job.expected === undefined && result.answers > 0) finish();
    });
    socket.on("end", () => {
      result.closed = true;
      finish();
    });
    socket.on("error", (err) => {
      if (result.connected) result.closed = true;
      else result.error = err.code ?? err.message;
      finish();
    });
    socket.on("close", finish);
  });
}
