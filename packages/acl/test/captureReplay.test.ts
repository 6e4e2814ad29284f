/**
 * Every request the Java 4.9.8 clients of the `acl-clients` capture sent to the ACL broker, checked
 * by our validator with the broker's plain_acl.yml: what the Java broker refused we refuse with its
 * exact remark, what it let through (signed right, allowed) we let through.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { decodeFrame, isResponse } from "@rocketmq-ts/remoting";
import { AclException, PlainAccessValidator } from "@rocketmq-ts/acl";
import { frameBytes, loadScenarios, WIRE_DIR, type CapturedFrame } from "../../../test/support/corpus.js";

const BROKER_PORT = "24711";
const home = mkdtempSync(join(tmpdir(), "acl-replay-"));
mkdirSync(join(home, "conf"));
copyFileSync(join(WIRE_DIR, "acl-clients", "plain_acl.yml"), join(home, "conf", "plain_acl.yml"));
const validator = new PlainAccessValidator({ home, logger: pino({ level: "silent" }), watchIntervalMs: 0 });
afterAll(() => {
  validator.shutdown();
  rmSync(home, { recursive: true, force: true });
});

interface Exchange {
  request: CapturedFrame;
  response: CapturedFrame;
}

function brokerExchanges(): Exchange[] {
  const scenario = loadScenarios().find((s) => s.name === "acl-clients");
  if (!scenario) throw new Error("acl-clients capture missing");
  const responses = new Map<string, CapturedFrame>();
  for (const f of scenario.frames) {
    if (f.dir === "s2c" && f.rpcType === "response") responses.set(`${f.conn}#${f.header.opaque}`, f);
  }
  const out: Exchange[] = [];
  for (const f of scenario.frames) {
    if (f.dir !== "c2s" || f.rpcType === "response" || !f.conn.endsWith(`->${BROKER_PORT}`)) continue;
    const response = responses.get(`${f.conn}#${f.header.opaque}`);
    if (response) out.push({ request: f, response });
  }
  return out;
}

function verdict(exchange: Exchange): string {
  const request = decodeFrame(frameBytes(exchange.request));
  const remoteAddr = `127.0.0.1:${exchange.request.conn.split("->")[0]}`;
  try {
    validator.validate(validator.parse(request, remoteAddr));
    return "accepted";
  } catch (err) {
    if (err instanceof AclException) return err.javaDesc;
    throw err;
  }
}

describe("acl-clients capture replayed through PlainAccessValidator", () => {
  const exchanges = brokerExchanges();

  it("covers the capture's refusals and acceptances", () => {
    const refused = exchanges.filter((e) => e.response.header.code === 1);
    expect(refused.length).toBeGreaterThanOrEqual(400);
    expect(exchanges.length - refused.length).toBeGreaterThanOrEqual(200);
  });

  it("gives each request the Java broker's verdict, refusals with Java's exact remark", () => {
    const mismatches: string[] = [];
    const seen = new Map<string, number>();
    for (const exchange of exchanges) {
      const { code, remark } = exchange.response.header;
      const expected =
        code === 1 && typeof remark === "string" && remark.includes("AclException") ? remark : "accepted";
      const got = verdict(exchange);
      seen.set(expected, (seen.get(expected) ?? 0) + 1);
      if (got !== expected) {
        mismatches.push(`${exchange.request.conn} ${exchange.request.codeName}: expected ${expected}, got ${got}`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    // the four kinds of refusal of the capture, each met
    const remarks = [...seen.keys()].filter((k) => k !== "accepted");
    expect(remarks.map((r) => r.replace(/^.*AclException: /, "").replace(/,.*$/, "")).sort()).toEqual([
      "Check signature failed for accessKey=RocketMQ",
      "Need admin permission for request code=17",
      "No acl config for NoSuchAccessKey",
      "No default permission for topic:topicC",
    ]);
  });

  it("every accepted request is signed (none passed by a white address)", () => {
    for (const exchange of exchanges.filter((e) => e.response.header.code !== 1)) {
      const request = decodeFrame(frameBytes(exchange.request));
      expect(request.extFields?.["Signature"], exchange.request.codeName).toMatch(/=$|[A-Za-z0-9+/]$/);
      expect(isResponse(request)).toBe(false);
    }
  });
});
