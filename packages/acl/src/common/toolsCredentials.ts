import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { SessionCredentials } from "./SessionCredentials.js";

/** `MixAll.ACL_CONF_TOOLS_FILE`: where Java's mqadmin finds the credentials it signs with. */
export const ACL_CONF_TOOLS_FILE = "conf/tools.yml";

/**
 * Java's `AclUtils.getAclRPCHook(<home>/conf/tools.yml)` as mqadmin 4.9.8 uses it: the file's
 * `accessKey` and `secretKey`, or null (no signing) when the file is missing, empty, unreadable or
 * either key is blank — with the reason, which Java logs as a warning.
 */
export function readToolsCredentials(home: string): { credentials: SessionCredentials | null; reason?: string } {
  const file = join(home, ACL_CONF_TOOLS_FILE);
  let data: unknown;
  try {
    data = parse(readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      return { credentials: null, reason: `Cannot find conf file :${file}, acl isn't be enabled.` };
    }
    return { credentials: null, reason: `Cannot read ${file}: ${(err as Error).message}` };
  }
  if (data === null || typeof data !== "object") {
    return { credentials: null, reason: `Cannot find conf file :${file}, acl isn't be enabled.` };
  }
  const record = data as Record<string, unknown>;
  const text = (v: unknown): string => (v === null || v === undefined ? "" : String(v).trim());
  const accessKey = text(record["accessKey"]);
  const secretKey = text(record["secretKey"]);
  if (!accessKey || !secretKey) {
    return { credentials: null, reason: "AccessKey or secretKey is blank, the acl is not enabled." };
  }
  return { credentials: { accessKey, secretKey } };
}
