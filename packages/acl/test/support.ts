import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pino } from "pino";
import { afterEach } from "vitest";
import { createRequest, type ExtFields, type RemotingCommand } from "@rocketmq-ts/remoting";
import { AclClientRPCHook, AclException, PlainAccessValidator } from "@rocketmq-ts/acl";

export const silent = pino({ level: "silent" });

/** A temporary RocketMQ home with the given files under it (paths relative to the home). */
export function tempHome(files: Record<string, string>): {
  home: string;
  write: (rel: string, text: string) => void;
  cleanup: () => void;
} {
  const home = mkdtempSync(join(tmpdir(), "acl-home-"));
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), text);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  return { home, write, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

export function openValidator(home: string): PlainAccessValidator {
  return new PlainAccessValidator({ home, logger: silent, watchIntervalMs: 0 });
}

/** A request as a Java client builds it, signed with ak/sk when given. */
export function request(
  code: number,
  ext: ExtFields | null,
  sign?: { ak: string; sk: string },
  body?: Buffer,
): RemotingCommand {
  const cmd = createRequest(code, { extFields: ext === null ? null : { ...ext }, body: body ?? null });
  if (sign) new AclClientRPCHook({ accessKey: sign.ak, secretKey: sign.sk }).doBeforeRequest("127.0.0.1:10911", cmd);
  return cmd;
}

/** "accepted", or the remark the broker answers with. */
export function verdict(validator: PlainAccessValidator, cmd: RemotingCommand, remoteIp = "10.0.0.9"): string {
  try {
    validator.validate(validator.parse(cmd, `${remoteIp}:50000`));
    return "accepted";
  } catch (err) {
    if (err instanceof AclException) return err.message;
    throw err;
  }
}

/** The ext fields of a SEND_MESSAGE_V2 (producer group `group`) to `topic`, as a Java producer sends them. */
export const sendHeader = (topic: string, group = "pg"): Record<string, string> => ({
  a: group,
  b: topic,
  c: "TBW102",
  d: "4",
  e: "0",
  f: "0",
  g: "1",
  h: "0",
});

/** For one test file: what the returned function is given runs after each test (validators, temp homes). */
export function afterEachCleanup(): (...cleanups: (() => void)[]) => void {
  const pending: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of pending.splice(0)) cleanup();
  });
  return (...cleanups) => void pending.push(...cleanups);
}
