/**
 * What a process does when the reader of its stdout or stderr goes away (`mqadmin … | head -3`).
 *
 * Java's System.out is a PrintStream that swallows write errors: a Java tool whose pipe closed
 * runs on silently and exits as usual, a Java server keeps serving. Node instead emits an
 * unhandled 'error' (EPIPE) on the stream and dies with a stack trace. Here:
 * - "exit": a command-line tool ends at once, quietly, with exit code 0 (nobody reads what is
 *   left to print; the pipe's reader has already taken what it wanted);
 * - "ignore": a server (name server, broker) drops further console output and keeps running; its
 *   log files are unaffected.
 * Errors other than a closed pipe are left alone (rethrown), so real faults stay visible.
 */
export type ClosedStdioAction = "exit" | "ignore";

const CLOSED_PIPE_CODES = new Set(["EPIPE", "ERR_STREAM_DESTROYED", "ECONNRESET"]);

export function isClosedPipeError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && CLOSED_PIPE_CODES.has(code);
}

/** Installs the rule on process.stdout and process.stderr (idempotent per stream). */
export function handleClosedStdio(action: ClosedStdioAction, streams = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (installed.has(stream)) continue;
    installed.add(stream);
    stream.on("error", (err: unknown) => {
      if (!isClosedPipeError(err)) throw err;
      if (action === "exit") process.exit(0);
    });
  }
}

const installed = new WeakSet<NodeJS.WritableStream>();
