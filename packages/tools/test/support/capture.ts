/**
 * One captured Java mqadmin run (../shared/conformance/wire/mqadmin-4.9.8/<command>): what it printed
 * and the request/response pairs on its own connections, decoded as our remoting layer decodes them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeFrame, type RemotingCommand } from "@rocketmq-ts/remoting";
import { frameBytes, WIRE_DIR, type CapturedFrame } from "../../../../test/support/corpus.js";

export interface Exchange {
  request: RemotingCommand;
  response: RemotingCommand;
}

export interface Capture {
  /** Java's stdout, verbatim */
  stdout: string;
  /** the tool's requests with their answers, in the order sent */
  exchanges: Exchange[];
  /** another file of the capture's directory */
  file(name: string): string;
}

export function loadCapture(command: string, tool = "mqadmin-4.9.8"): Capture {
  const dir = join(WIRE_DIR, tool, command);
  const frames = readFileSync(join(dir, "frames.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as CapturedFrame);
  // the tool's requests travel c2s; the broker's calls to a running client (s2c requests) are left out
  const answers = new Map(
    frames.filter((f) => f.dir === "s2c" && f.rpcType === "response").map((f) => [`${f.conn}#${f.header.opaque}`, f]),
  );
  const exchanges: Exchange[] = [];
  for (const f of frames) {
    if (f.dir !== "c2s" || f.rpcType !== "request") continue;
    const answer = answers.get(`${f.conn}#${f.header.opaque}`);
    if (answer) exchanges.push({ request: decodeFrame(frameBytes(f)), response: decodeFrame(frameBytes(answer)) });
  }
  return {
    stdout: readFileSync(join(dir, "stdout.txt"), "utf8"),
    exchanges,
    file: (name) => readFileSync(join(dir, name), "utf8"),
  };
}

/**
 * When the captured tool ran: Java's DefaultMQAdminExt names its client instance after the time it
 * started, so the UNREGISTER_CLIENT it sends at the end carries clientID `<ip>@<start millis>`.
 */
export function startedAt(capture: Capture): number {
  const unregister = capture.exchanges.find((e) => e.request.code === 35);
  const clientId = unregister?.request.extFields?.["clientID"] ?? "";
  const millis = Number(clientId.slice(clientId.indexOf("@") + 1));
  if (!(millis > 0)) throw new Error(`no start time in the capture's client id ${clientId}`);
  return millis;
}
