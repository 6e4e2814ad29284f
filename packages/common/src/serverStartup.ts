/**
 * What `mqnamesrv` and `mqbroker` share as command-line programs (Java's NamesrvStartup /
 * BrokerStartup and their ServerUtil): the option parsing with Apache commons-cli's usage on a bad
 * option, the console line pattern, and the exit codes — Java's `System.exit(-1)` / `(-2)` are seen
 * by the shell as 255 / 254.
 */
import { Command, type CommanderError, type OptionValues } from "commander";

/** A start-up that must end the process with `exitCode` (Java's exit status, may be negative). */
export class StartupError extends Error {
  constructor(readonly exitCode: number) {
    super(`startup failed (${exitCode})`);
  }
}

export interface StartupIo {
  out: (s: string) => void;
  err: (s: string) => void;
}

export const consoleIo: StartupIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/** Console line in the pattern of RocketMQ's console logger (`yyyy-MM-dd HH:mm:ss INFO main - msg`, GMT+8). */
export function consoleLine(message: string, now = new Date()): string {
  const t = new Date(now.getTime() + 8 * 3600_000).toISOString().replace("T", " ").slice(0, 19);
  return `${t} INFO main - ${message}`;
}

/** One option of a server's command line: its letter, long name and the placeholder of its value, if any. */
export interface ServerOption {
  letter: string;
  long: string;
  /** e.g. "file": shown in commander's errors (`option '-c, --configFile <file>' argument missing`). */
  arg?: string;
}

/** The options of both servers (Java's ServerUtil.buildCommandlineOptions plus -c and -p). */
const SERVER_OPTIONS: readonly ServerOption[] = [
  { letter: "c", long: "configFile", arg: "file" },
  { letter: "n", long: "namesrvAddr", arg: "addr" },
  { letter: "p", long: "printConfigItem" },
  { letter: "h", long: "help" },
];

/**
 * Parses a server's arguments (-c, -n, -p, -h and the server's own `extra` options); a bad option
 * prints the error and the usage to stderr and fails with exit code 1 (as commons-cli's
 * ParseException in Java's ServerUtil).
 */
export function parseServerOptions<T extends OptionValues>(
  name: string,
  argv: string[],
  io: StartupIo,
  usage: string,
  extra: readonly ServerOption[] = [],
): T {
  const program = new Command(name)
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined })
    .helpOption(false);
  for (const o of [...SERVER_OPTIONS, ...extra])
    program.option(`-${o.letter}, --${o.long}${o.arg ? ` <${o.arg}>` : ""}`);
  try {
    program.parse(argv, { from: "user" });
  } catch (e) {
    io.err(`${(e as CommanderError).message}\n${usage}`);
    throw new StartupError(1);
  }
  return program.opts<T>();
}

/** The process end of a server's `main`: exit 0 after -h/-p, Java's status on a StartupError. */
export async function runServerMain(start: () => Promise<unknown>): Promise<void> {
  try {
    const running = await start();
    if (!running) process.exit(0);
  } catch (e) {
    if (e instanceof StartupError) process.exit(e.exitCode < 0 ? 256 + e.exitCode : e.exitCode);
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  }
}
