import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { DataVersion } from "@rocketmq-ts/common";
import type { PlainAccessConfig } from "./PlainAccessConfig.js";

/**
 * Reading one ACL file (`conf/plain_acl.yml`, `conf/acl/*.yml`) with the `yaml` library into what
 * Java's loader reads from it: `globalWhiteRemoteAddresses`, `accounts` (each a PlainAccessConfig)
 * and `dataVersion` (a one-element list of `{counter, timestamp}`). Scalars are taken as Java's
 * fastjson binding does (`secretKey: 12345678` is the string "12345678"; an empty value is null);
 * keys Java does not know are ignored. What cannot be read is an {@link AclFileError} naming the
 * file, the line and the key, so a broker refuses to start on it and a reload keeps the last good
 * rules.
 */
export interface AclFileData {
  globalWhiteRemoteAddresses: Located<string>[];
  accounts: Located<PlainAccessConfig>[];
  dataVersion: DataVersion | null;
}

/** A value with the 1-based line it starts on and its key path (`accounts[1].whiteRemoteAddress`). */
export interface Located<T> {
  value: T;
  line: number;
  key: string;
}

export class AclFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly key: string,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${key ? `${key}: ` : ""}${reason}`);
    this.name = "AclFileError";
  }
}

export interface ParsedAclFile {
  /** null: the file holds no data (empty, or only comments), as Java's "No data in file". */
  data: AclFileData | null;
  doc: Document;
}

export function parseAclFile(file: string, text: string): ParsedAclFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  const fail = (node: Node | null | undefined, key: string, reason: string): never => {
    throw new AclFileError(file, lineOf(node), key, reason);
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0].line ?? 1;
    throw new AclFileError(file, line, "", firstError.message.split("\n")[0] ?? "bad YAML");
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ""))) return { data: null, doc };
  if (!isMap(root)) return fail(root, "", "the file must be a mapping (globalWhiteRemoteAddresses, accounts)");

  const scalarText = (node: unknown, key: string): string | null => {
    if (node === null || node === undefined) return null;
    if (!isScalar(node)) return fail(node as Node, key, "expected a single value");
    const v = node.value;
    if (v === null) return null;
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") {
      return typeof v === "string" ? v : (node.source ?? String(v));
    }
    return fail(node, key, "expected a single value");
  };
  const stringList = (node: unknown, key: string): Located<string>[] | null => {
    if (node === null || node === undefined) return null;
    if (isScalar(node) && node.value === null) return null;
    if (!isSeq(node)) return fail(node as Node, key, "expected a list");
    return node.items.map((item, i) => {
      const value = scalarText(item, `${key}[${i}]`);
      if (value === null) return fail(item as Node, `${key}[${i}]`, "empty entry");
      return { value, line: lineOf(item as Node), key: `${key}[${i}]` };
    });
  };

  const data: AclFileData = { globalWhiteRemoteAddresses: [], accounts: [], dataVersion: null };
  data.globalWhiteRemoteAddresses =
    stringList(root.get("globalWhiteRemoteAddresses", true), "globalWhiteRemoteAddresses") ?? [];

  const accounts = root.get("accounts", true);
  if (accounts !== undefined && !(isScalar(accounts) && accounts.value === null)) {
    if (!isSeq(accounts)) return fail(accounts, "accounts", "expected a list of accounts");
    accounts.items.forEach((item, i) => {
      const at = `accounts[${i}]`;
      if (!isMap(item)) return fail(item as Node, at, "expected an account (accessKey, secretKey, …)");
      const field = (name: string): unknown => item.get(name, true);
      const text = (name: string): string | undefined => scalarText(field(name), `${at}.${name}`) ?? undefined;
      const adminText = text("admin");
      const config: PlainAccessConfig = {
        accessKey: text("accessKey"),
        secretKey: text("secretKey"),
        whiteRemoteAddress: text("whiteRemoteAddress") ?? null,
        admin: adminText !== undefined && (adminText.toLowerCase() === "true" || adminText === "1"),
        defaultTopicPerm: text("defaultTopicPerm"),
        defaultGroupPerm: text("defaultGroupPerm"),
        topicPerms: stringList(field("topicPerms"), `${at}.topicPerms`)?.map((e) => e.value),
        groupPerms: stringList(field("groupPerms"), `${at}.groupPerms`)?.map((e) => e.value),
      };
      data.accounts.push({ value: config, line: lineOf(item), key: at });
    });
  }

  const versions = root.get("dataVersion", true);
  if (isSeq(versions) && versions.items.length > 0) {
    const first = versions.items[0];
    if (isMap(first)) {
      const n = (name: string): number => Number(scalarText(first.get(name, true), `dataVersion[0].${name}`) ?? 0);
      data.dataVersion = { counter: n("counter"), timestamp: n("timestamp") };
    }
  }
  return { data, doc };
}
