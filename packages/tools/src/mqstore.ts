/**
 * Process entry of bin/mqstore: offline tools on a store directory. One command so far:
 *
 *   mqstore verify <storePathRootDir> [--commitlog <dir>] [--json] ...
 *
 * checks the commit log (or DLedger log), the consume queues and the index files against each other
 * (packages/store/src/verify/StoreVerifier.ts says what is checked) and prints a summary, or one
 * JSON object with --json. Exit code 0: consistent (warnings allowed), 1: errors found, 2: usage
 * error (message on stderr). A closed stdout (`| head`) ends the process quietly with that code.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { isClosedPipeError } from "@rocketmq-ts/common";
import {
  BLANK_MAGIC_CODE as DLEDGER_BLANK_MAGIC,
  CURRENT_MAGIC,
  decodeEntry,
  decodeIndexUnit,
  INDEX_UNIT_SIZE,
} from "@rocketmq-ts/dledger";
import { formatReport, StoreVerifyUsageError, verifyStore, type DLedgerCodec } from "@rocketmq-ts/store";

export type Out = (s: string) => void;

export const EXIT_OK = 0;
export const EXIT_INCONSISTENT = 1;
export const EXIT_USAGE = 2;

/** The DLedger entry codec of dledger 0.3.1.2 as the verifier needs it. */
export const dledgerCodec: DLedgerCodec = {
  decodeEntry,
  decodeIndexUnit,
  indexUnitSize: INDEX_UNIT_SIZE,
  currentMagic: CURRENT_MAGIC,
  blankMagic: DLEDGER_BLANK_MAGIC,
};

const USAGE = `usage: mqstore <command> [options]

Commands:
  verify <storePathRootDir>   CRC-check every commit-log record and cross-check the consume queues and
                              index files against the commit log (the store is only read)

Options of verify:
  --commitlog <dir>           commit-log directory (default <storePathRootDir>/commitlog)
  --json                      print one JSON object instead of the summary
  --max-problems <n>          errors and warnings listed each (default 100; the counts are complete)
  --max-hash-slot-num <n>     maxHashSlotNum of the index files (default 5000000, or inferred)
  --max-index-num <n>         maxIndexNum of the index files (default 20000000, or inferred)
  --message-delay-level <s>   the broker's messageDelayLevel (for SCHEDULE_TOPIC_XXXX tags codes)

Exit code: 0 consistent (warnings allowed), 1 inconsistent, 2 usage error.
`;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError("expected a positive integer");
  return n;
}

interface VerifyOptions {
  commitlog?: string;
  json?: boolean;
  maxProblems: number;
  maxHashSlotNum?: number;
  maxIndexNum?: number;
  messageDelayLevel?: string;
}

/** Run one mqstore invocation; resolves with the exit code. */
export async function runMqstore(argv: string[], out: Out, err: Out): Promise<number> {
  const [name] = argv;
  if (name === undefined) {
    err(USAGE);
    return EXIT_USAGE;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    out(USAGE);
    return EXIT_OK;
  }
  if (name !== "verify") {
    err(`mqstore: unknown command '${name}'\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  let code = EXIT_USAGE;
  const program = new Command("mqstore")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: (s) => err(s.startsWith("error:") ? `mqstore: ${s}` : s) });
  program
    .command("verify")
    .description("check a store directory's commit log, consume queues and index files")
    .argument("<storePathRootDir>", "the broker's storePathRootDir")
    .option("--commitlog <dir>", "commit-log directory (default <storePathRootDir>/commitlog)")
    .option("--json", "print one JSON object")
    .option("--max-problems <n>", "errors and warnings listed each", positiveInt, 100)
    .option("--max-hash-slot-num <n>", "maxHashSlotNum of the index files", positiveInt)
    .option("--max-index-num <n>", "maxIndexNum of the index files", positiveInt)
    .option("--message-delay-level <levels>", "the broker's messageDelayLevel")
    .action((storePath: string, opts: VerifyOptions) => {
      if ((opts.maxHashSlotNum === undefined) !== (opts.maxIndexNum === undefined)) {
        err("mqstore: --max-hash-slot-num and --max-index-num go together\n");
        code = EXIT_USAGE;
        return;
      }
      try {
        const report = verifyStore({
          storePath,
          commitLogDir: opts.commitlog,
          dledgerCodec,
          indexGeometry:
            opts.maxHashSlotNum !== undefined && opts.maxIndexNum !== undefined
              ? { hashSlotNum: opts.maxHashSlotNum, indexNum: opts.maxIndexNum }
              : undefined,
          messageDelayLevel: opts.messageDelayLevel,
          maxProblems: opts.maxProblems,
        });
        code = report.ok ? EXIT_OK : EXIT_INCONSISTENT;
        out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      } catch (e) {
        if (!(e instanceof StoreVerifyUsageError)) throw e;
        err(`mqstore: ${e.message}\n`);
        code = EXIT_USAGE;
      }
    });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw e;
  }
  return code;
}

async function main(): Promise<void> {
  // `mqstore verify … | head`: stop quietly, with the verdict as exit code
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: unknown) => {
      if (!isClosedPipeError(e)) throw e;
      process.exit(process.exitCode ?? 0);
    });
  }
  try {
    // the verdict is known before anything is printed: a closed pipe exits with it
    const output: string[] = [];
    process.exitCode = await runMqstore(
      process.argv.slice(2),
      (s) => output.push(s),
      (s) => process.stderr.write(s),
    );
    process.stdout.write(output.join(""));
  } catch (e) {
    // an I/O failure while reading the store: one line, no stack trace
    process.stderr.write(`mqstore: ${(e as Error).message}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) await main();
