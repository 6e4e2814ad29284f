import { MQVersion } from "./MQVersion.js";
import { RequestCode, type RequestCodeName, REQUEST_CODES_ONLY_5_X } from "./RequestCode.generated.js";
import {
  ResponseCode,
  type ResponseCodeName,
  RESPONSE_CODES_ONLY_4_9_8,
  RESPONSE_CODES_ONLY_5_X,
} from "./ResponseCode.generated.js";

export { RequestCode, type RequestCodeName, ResponseCode, type ResponseCodeName };
export { REQUEST_CODES_ONLY_4_9_8, REQUEST_CODES_ONLY_5_X } from "./RequestCode.generated.js";
export { RESPONSE_CODES_ONLY_4_9_8, RESPONSE_CODES_ONLY_5_X } from "./ResponseCode.generated.js";

function invert<N extends string>(table: Record<N, number>, prefer: (name: N) => boolean): Map<number, N> {
  const byCode = new Map<number, N>();
  for (const [name, code] of Object.entries(table) as [N, number][]) {
    if (!byCode.has(code) || prefer(name)) byCode.set(code, name);
  }
  return byCode;
}

const requestNames = invert(RequestCode, (n) => !REQUEST_CODES_ONLY_5_X.has(n));
const responseNames498 = invert(ResponseCode, (n) => RESPONSE_CODES_ONLY_4_9_8.has(n));
const responseNames5 = invert(ResponseCode, (n) => RESPONSE_CODES_ONLY_5_X.has(n));

export function requestCodeName(code: number): RequestCodeName | undefined {
  return requestNames.get(code);
}

/** Response code name as the peer of the given version understands it (209-211 were reused in 5.x). */
export function responseCodeName(code: number, version: number = MQVersion.V4_9_8): ResponseCodeName | undefined {
  return (version >= MQVersion.V5_0_0 ? responseNames5 : responseNames498).get(code);
}
