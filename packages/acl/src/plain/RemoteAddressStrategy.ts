import { isIPv4, isIPv6 } from "node:net";
import { AclException } from "../common/AclException.js";

/**
 * Java's RemoteAddressStrategyFactory: how a white-list entry of `plain_acl.yml`
 * (`globalWhiteRemoteAddresses`, an account's `whiteRemoteAddress`) matches a client's IP.
 *
 * - blank: matches nothing; `*`, `*.*.*.*`, `*:*:*:*:*:*:*:*`: matches everything;
 * - `192.168.1.{1,2,3}` (or IPv6 `…:{1,2}`): one of the listed addresses;
 * - `1.1.1.1,2.2.2.2`: one of the comma-separated addresses;
 * - `192.168.0.*`, `192.168.1-10.*`, `192.168.0.1-100` (IPv6 likewise in hex): a range in one
 *   position, the positions before it fixed;
 * - anything else: exactly that address (IPv6 compared fully expanded, case-insensitive).
 *
 * A malformed entry throws the AclException Java throws, which names it.
 */
export interface RemoteAddressStrategy {
  /** `ip`: the client's address without port. */
  match(ip: string): boolean;
}

const MATCH_NONE: RemoteAddressStrategy = { match: () => false };
const MATCH_ALL: RemoteAddressStrategy = { match: () => true };

export function remoteAddressStrategy(entry: string | null | undefined): RemoteAddressStrategy {
  if (entry === null || entry === undefined || entry.trim() === "") return MATCH_NONE;
  if (entry === "*" || entry === "*.*.*.*" || entry === "*:*:*:*:*:*:*:*") return MATCH_ALL;
  if (entry.endsWith("}")) {
    const ipv6 = entry.includes(":");
    const parts = splitTokens(entry, ipv6 ? ":" : ".");
    if (!ipv6 && parts.length < 4) {
      throw new AclException("MultipleRemoteAddressStrategy has got a/some wrong format IP(s) ");
    }
    const last = parts[parts.length - 1]!;
    if (!last.startsWith("{")) {
      throw new AclException("MultipleRemoteAddressStrategy netaddress examine scope Exception netaddress");
    }
    const prefix = entry.slice(0, entry.indexOf("{"));
    return multiple(splitTokens(last.slice(1, -1), ",").map((suffix) => prefix + suffix));
  }
  if (entry.includes(",")) return multiple(splitTokens(entry, ","));
  if (entry.includes("*") || entry.includes("-")) return range(entry);
  return one(entry);
}

function multiple(addresses: readonly string[]): RemoteAddressStrategy {
  const set = new Set<string>();
  for (const address of addresses) {
    if (isIPv4(address)) set.add(address);
    else if (isIPv6(address)) set.add(expandIP(address, 8));
    else throw new AclException(`Netaddress examine Exception netaddress is ${address}`);
  }
  return { match: (ip) => set.has(isIPv6(ip) ? expandIP(ip, 8) : ip) };
}

function one(address: string): RemoteAddressStrategy {
  if (!isIPv4(address) && !isIPv6(address)) {
    throw new AclException(`Netaddress examine Exception netaddress is ${address}`);
  }
  const expected = expandIP(address, 8);
  return { match: (ip) => expandIP(ip, 8) === expected };
}

/** A range in one position (`*` = whole, `a-b`), the positions before it the fixed `head`. */
function range(entry: string): RemoteAddressStrategy {
  let start = 0;
  let end = 0;
  let index = 0;
  let head = "";
  // Java's analysis(): a position is the range once `end` is positive (it keeps the previous end)
  const analyse = (value: string, radix: 10 | 16, max: number): boolean => {
    const v = value.trim();
    if (v === "*") {
      start = 0;
      end = max;
    } else if (v.includes("-")) {
      if (v.indexOf("-") === 0) {
        throw new AclException(`RangeRemoteAddressStrategy netaddress examine scope Exception value ${v} `);
      }
      const [a, b] = splitTokens(v, "-");
      start = parseJavaInt(a, radix);
      end = parseJavaInt(b, radix);
      if (!(end >= 0 && end <= max && start >= 0 && start <= max && start <= end)) {
        throw new AclException(
          `RangeRemoteAddressStrategy netaddress examine scope Exception start is ${start} , end is ${end}`,
        );
      }
    }
    return end > 0;
  };
  const ipv6 = entry.includes(":");
  if (ipv6) {
    ipv6AddressCheck(entry);
    const parts = splitTokens(entry, ":");
    for (let i = 1; i < parts.length; i++) {
      index = i;
      if (analyse(parts[i]!, 16, 0xffff)) {
        verify(entry, index - 1);
        const pre = v6ipProcess(entry);
        index = splitTokens(pre, ":").length;
        head = pre;
        break;
      }
    }
  } else {
    const parts = splitTokens(entry, ".");
    for (const i of [1, 2, 3]) {
      index = i;
      if (parts[i] === undefined) throw new AclException(`Netaddress examine scope Exception netaddress is ${entry}`);
      if (analyse(parts[i], 10, 255)) {
        verify(entry, index - 1);
        head = parts
          .slice(0, index)
          .map((p) => `${p.trim()}.`)
          .join("");
        break;
      }
    }
  }
  return {
    match(ip: string): boolean {
      let value: number;
      if (isIPv4(ip)) {
        if (!ip.startsWith(head)) return false;
        const rest = ip.slice(head.length).split(".");
        // the position `index` of the address (index 3: the last)
        value = Number(rest[0]);
      } else if (isIPv6(ip)) {
        const full = expandIP(ip, 8);
        if (!full.startsWith(head)) return false;
        value = parseInt(full.slice(5 * index, 5 * index + 4), 16);
      } else return false;
      return value >= start && value <= end;
    },
  };
}

/** Java's Integer.parseInt: the whole string a number, else the NumberFormatException surfaces. */
function parseJavaInt(text: string | undefined, radix: 10 | 16): number {
  const t = text ?? "";
  const ok = radix === 10 ? /^[+-]?\d+$/.test(t) : /^[+-]?[0-9a-fA-F]+$/.test(t);
  if (!ok) throw new AclException(`For input string: "${t}"${radix === 16 ? " under radix 16" : ""}`);
  return parseInt(t, radix);
}

/** AclUtils.verify: the fixed positions before the range are valid numbers. */
function verify(entry: string, fixed: number): void {
  let ok: boolean;
  if (entry.includes(":")) {
    const parts = splitTokens(expandIP(entry, 8), ":");
    ok = parts.slice(0, fixed).every((p) => /^[0-9a-fA-F]+$/.test(p) && parseInt(p, 16) <= 0xffff);
  } else {
    const parts = splitTokens(entry, ".");
    ok =
      parts.length === 4 &&
      parts.slice(0, fixed).every((p) => /^\s*\d+\s*$/.test(p) && Number(p) >= 0 && Number(p) <= 255);
  }
  if (!ok) throw new AclException(`Netaddress examine scope Exception netaddress is ${entry}`);
}

/** AclUtils.IPv6AddressCheck: `*` only at the end, a range only in the last (or last but `*`) group. */
function ipv6AddressCheck(entry: string): void {
  const asterisk = entry.indexOf("*");
  const minus = entry.indexOf("-");
  if (asterisk < 0 && minus < 0) return;
  const bad = () => new AclException(`Netaddress examine scope Exception netaddress is ${entry}`);
  if (asterisk > -1 && asterisk !== entry.length - 1) throw bad();
  if (minus > -1) {
    const lastColon = entry.lastIndexOf(":");
    if (asterisk === -1 ? minus <= lastColon : minus <= entry.lastIndexOf(":", lastColon - 1)) throw bad();
  }
}

/** AclUtils.v6ipProcess: the fixed head of an IPv6 range, expanded. */
function v6ipProcess(entry: string): string {
  const asterisk = entry.includes("*");
  const minus = entry.includes("-");
  if (asterisk && minus) {
    const lastColon = entry.lastIndexOf(":");
    return expandIP(entry.slice(0, entry.slice(0, lastColon).lastIndexOf(":")), 6);
  }
  if (!asterisk && !minus) return expandIP(entry, 8);
  return expandIP(entry.slice(0, entry.lastIndexOf(":")), 7);
}

/**
 * AclUtils.expandIP: upper case, `::` widened to `part` groups, each group padded to 4 digits. An
 * IPv4 address comes back as itself (upper-cased), as in Java.
 */
export function expandIP(address: string, part: number): string {
  let a = address.toUpperCase();
  const pad = part - (a.match(/:/g)?.length ?? 0);
  if (pad > 0) a = a.replaceAll("::", ":".repeat(pad + 1));
  if (!a.includes(":")) return a;
  return a
    .split(":")
    .map((g) => g.padStart(4, "0"))
    .join(":");
}

/** Java's StringUtils.split with one separator character: no empty tokens. */
function splitTokens(value: string, separator: string): string[] {
  return value.split(separator).filter((t) => t.length > 0);
}
