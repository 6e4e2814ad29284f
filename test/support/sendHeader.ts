/** Raw send headers for tests that talk to a broker without our producer. */
import { sendHeaderV2ToV1, type ExtFields } from "@rocketmq-ts/remoting";

/**
 * The ext fields of a SEND_MESSAGE_V2 as Java's producer writes them (short keys a…m): producer group
 * `a`, topic `b`, properties `i`; queue 0 of 4, no flags, born now. `fields` overrides any short key.
 */
export function sendMessageV2Fields(fields: Record<string, string> & { a: string; b: string }): ExtFields {
  const { a, b, ...rest } = fields;
  return {
    a,
    b,
    c: "TBW102",
    d: "4",
    e: "0",
    f: "0",
    g: String(Date.now()),
    h: "0",
    i: "",
    j: "0",
    k: "false",
    m: "false",
    ...rest,
  };
}

/** The same fields under SEND_MESSAGE's long names (for a request of code 10). */
export function sendMessageV1Fields(fields: Record<string, string> & { a: string; b: string }): ExtFields {
  return sendHeaderV2ToV1(sendMessageV2Fields(fields)) ?? {};
}
