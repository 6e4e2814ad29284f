import type { DataVersion } from "@rocketmq-ts/common";
import { AclException } from "../common/AclException.js";
import { parsePermFromString, splitNonEmpty } from "../common/Permission.js";
import { AclFileError, type AclFileData } from "./aclYaml.js";
import { getRetryTopic, type OwnedAccess } from "./PlainAccessResource.js";
import { KEY_MIN_LENGTH, type PlainAccessConfig } from "./PlainAccessConfig.js";
import { remoteAddressStrategy, type RemoteAddressStrategy } from "./RemoteAddressStrategy.js";

/**
 * The rules one ACL file gives (Java's buildPlainAccessResource per account): accounts by access
 * key, the file's global white list, its data version. Building checks what Java checks (key
 * lengths, `Res=Perm` entries, white-address syntax) and reports the file, line and key.
 */
export interface FileRules {
  readonly path: string;
  readonly accounts: ReadonlyMap<string, OwnedAccess & { readonly whiteStrategy: RemoteAddressStrategy }>;
  readonly globalWhite: readonly RemoteAddressStrategy[];
  readonly dataVersion: DataVersion;
  /** Accounts in file order (for getAllAclConfig). */
  readonly configs: readonly PlainAccessConfig[];
  readonly globalWhiteAddrs: readonly string[];
}

export function buildFileRules(path: string, data: AclFileData | null): FileRules {
  const accounts = new Map<string, OwnedAccess & { whiteStrategy: RemoteAddressStrategy }>();
  const globalWhite: RemoteAddressStrategy[] = [];
  const configs: PlainAccessConfig[] = [];
  for (const entry of data?.globalWhiteRemoteAddresses ?? []) {
    globalWhite.push(located(path, entry.line, entry.key, () => remoteAddressStrategy(entry.value)));
  }
  for (const account of data?.accounts ?? []) {
    const owned = located(path, account.line, account.key, () => buildOwnedAccess(account.value));
    // a key listed twice in one file: the first counts, as Java's load keeps the first it meets
    if (!accounts.has(owned.accessKey)) accounts.set(owned.accessKey, owned);
    configs.push(account.value);
  }
  return {
    path,
    accounts,
    globalWhite,
    dataVersion: data?.dataVersion ?? { counter: 0, timestamp: 0 },
    configs,
    globalWhiteAddrs: (data?.globalWhiteRemoteAddresses ?? []).map((e) => e.value),
  };
}

function located<T>(path: string, line: number, key: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof AclException) throw new AclFileError(path, line, key, err.message);
    throw err;
  }
}

/** Java's checkPlainAccessConfig: both keys present and longer than 6 characters. */
export function checkPlainAccessConfig(config: PlainAccessConfig): asserts config is PlainAccessConfig & {
  accessKey: string;
  secretKey: string;
} {
  const { accessKey, secretKey } = config;
  if (
    accessKey === undefined ||
    secretKey === undefined ||
    accessKey.length <= KEY_MIN_LENGTH ||
    secretKey.length <= KEY_MIN_LENGTH
  ) {
    throw new AclException(
      `The accessKey=${String(accessKey ?? null)} and secretKey=${String(secretKey ?? null)} cannot be null and length should longer than 6`,
    );
  }
}

export function buildOwnedAccess(config: PlainAccessConfig): OwnedAccess & { whiteStrategy: RemoteAddressStrategy } {
  checkPlainAccessConfig(config);
  const perms = new Map<string, number>();
  const parse = (resources: readonly string[] | undefined, isTopic: boolean): void => {
    for (const resource of resources ?? []) {
      const items = splitNonEmpty(resource, "=");
      if (items.length !== 2) {
        throw new AclException(`Parse resource permission failed for ${isTopic ? "topic" : "group"}:${resource}`);
      }
      const name = items[0]!.trim();
      perms.set(isTopic ? name : (getRetryTopic(name) ?? name), parsePermFromString(items[1]));
    }
  };
  parse(config.groupPerms, false);
  parse(config.topicPerms, true);
  return {
    accessKey: config.accessKey,
    secretKey: config.secretKey,
    whiteRemoteAddress: config.whiteRemoteAddress ?? null,
    admin: config.admin,
    defaultTopicPerm: parsePermFromString(config.defaultTopicPerm),
    defaultGroupPerm: parsePermFromString(config.defaultGroupPerm),
    resourcePermMap: perms.size > 0 ? perms : null,
    whiteStrategy: remoteAddressStrategy(config.whiteRemoteAddress),
  };
}
