import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Logger } from "pino";
import type { DataVersion } from "@rocketmq-ts/common";
import { javaHashMapOrder } from "@rocketmq-ts/remoting";
import { AclException, JavaFrame } from "../common/AclException.js";
import { calSignature } from "../common/AclSigner.js";
import { checkPermission, needAdminPerm, Permission } from "../common/Permission.js";
import { AclFileError, parseAclFile } from "./aclYaml.js";
import { buildFileRules, type FileRules } from "./AclRules.js";
import { isRetryTopic, printStr, type OwnedAccess, type RequestAccess } from "./PlainAccessResource.js";
import type { AclConfig } from "./PlainAccessConfig.js";

/** `TopicValidator.RMQ_SYS_TRACE_TOPIC`: sends of message traces skip the permission check. */
const RMQ_SYS_TRACE_TOPIC = "RMQ_SYS_TRACE_TOPIC";

export interface PlainPermissionManagerOptions {
  /** `rocketmq.home.dir` / ROCKETMQ_HOME: the files are `<home>/conf/plain_acl.yml` and `<home>/conf/acl/**.yml`. */
  home: string;
  /** `-Drocketmq.acl.plain.file` (relative to home): default `conf/plain_acl.yml`. */
  aclFile?: string | undefined;
  logger: Logger;
}

interface Rules {
  readonly files: ReadonlyMap<string, FileRules>;
  /** access key → the file that defines it (the first file in load order, as Java). */
  readonly accessKeyTable: ReadonlyMap<string, string>;
}

/**
 * Java's PlainPermissionManager (4.9.8): the accounts and white lists of every ACL file and the check
 * of one request against them.
 *
 * Files: every `*.yml` / `*.yaml` below `<home>/conf/acl/` (sorted by path; `tools.yml` there is the
 * tools' credentials and skipped) and then the default file `<home>/conf/plain_acl.yml`, created
 * empty when missing. An access key defined in two files counts where it is met first.
 *
 * Loading: a file that cannot be read or does not hold valid rules is an {@link AclFileError}
 * naming it, the line and the key. At start that refuses (the broker does not start); on a reload
 * the file keeps its last good rules and the error is logged — Java logs and may be left with part
 * of the new file, or none (see docs/security.md).
 *
 * Checking ({@link validate}), in Java's order: a global white address lets the request through;
 * then an access key is needed and must be known; the account's own white address lets it through;
 * else the signature must match, then admin codes need an admin account, and each resource the
 * request needs must be allowed by the account's entry or its default for topics / groups.
 */
export class PlainPermissionManager {
  readonly defaultAclFile: string;
  readonly defaultAclDir: string;
  private rules: Rules = { files: new Map(), accessKeyTable: new Map() };
  private readonly logger: Logger;

  constructor(private readonly options: PlainPermissionManagerOptions) {
    this.logger = options.logger;
    this.defaultAclDir = resolve(options.home, "conf", "acl");
    // Java appends the property to the home with a separator: `/conf/x.yml` is under the home too
    this.defaultAclFile = resolve(join(options.home, options.aclFile ?? "conf/plain_acl.yml"));
  }

  get home(): string {
    return resolve(this.options.home);
  }

  /** Every ACL file in load order. */
  aclFiles(): string[] {
    const files: string[] = [];
    const walk = (dir: string): void => {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        return;
      }
      for (const name of names) {
        const path = join(dir, name);
        if (path === join(this.defaultAclDir, "tools.yml")) continue;
        if (name.endsWith(".yml") || name.endsWith(".yaml")) files.push(path);
        else if (isDirectory(path)) walk(path);
      }
    };
    walk(this.defaultAclDir);
    if (existsSync(this.defaultAclFile) && !files.includes(this.defaultAclFile)) files.push(this.defaultAclFile);
    return files;
  }

  /** First load: any bad file throws its {@link AclFileError}. */
  load(): void {
    if (!existsSync(this.defaultAclFile)) {
      mkdirSync(dirname(this.defaultAclFile), { recursive: true });
      writeFileSync(this.defaultAclFile, "");
    }
    const files = new Map<string, FileRules>();
    for (const path of this.aclFiles()) files.set(path, this.readRules(path));
    this.install(files);
  }

  /**
   * Re-read every file (the watcher calls this when one changed or their number did). A file that
   * fails keeps its previous rules; returns the errors. A file that now holds no data keeps its
   * previous rules too, as Java's reload of a changed file does ("No data in …, skip it"): editors
   * and `cat >` empty a file before writing it, and every client would be refused meanwhile.
   */
  reload(): AclFileError[] {
    const errors: AclFileError[] = [];
    const files = new Map<string, FileRules>();
    for (const path of this.aclFiles()) {
      try {
        const rules = this.readRules(path, this.rules.files.get(path));
        files.set(path, rules);
      } catch (err) {
        const e = err instanceof AclFileError ? err : new AclFileError(path, 1, "", String(err));
        errors.push(e);
        this.logger.error(
          { file: path, line: e.line, key: e.key },
          `ACL file not loaded, keeping its last good rules: ${e.message}`,
        );
        const previous = this.rules.files.get(path);
        if (previous) files.set(path, previous);
      }
    }
    this.install(files);
    return errors;
  }

  /** The rules of `path`; `previous` (on a reload) stands when the file holds no data now. */
  private readRules(path: string, previous?: FileRules): FileRules {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (err) {
      throw new AclFileError(path, 1, "", (err as Error).message);
    }
    const { data } = parseAclFile(path, text);
    if (data === null) {
      if (previous) {
        this.logger.warn({ file: path }, `No data in ${path}, skip it`);
        return previous;
      }
      this.logger.warn({ file: path }, `No data in file ${path}`);
    }
    return buildFileRules(path, data);
  }

  private install(files: Map<string, FileRules>): void {
    const accessKeyTable = new Map<string, string>();
    for (const [path, rules] of files) {
      for (const accessKey of rules.accounts.keys()) {
        if (!accessKeyTable.has(accessKey)) accessKeyTable.set(accessKey, path);
        else
          this.logger.warn({ accessKey, file: path }, `The accesssKey ${accessKey} is repeated in multiple ACL files`);
      }
    }
    this.rules = { files, accessKeyTable };
    const accounts = accessKeyTable.size;
    const white = [...files.values()].reduce((n, f) => n + f.globalWhite.length, 0);
    this.logger.info(
      { files: [...files.keys()], accounts, globalWhiteRemoteAddresses: white },
      "plain ACL rules loaded",
    );
  }

  /** The file that defines `accessKey`, if any. */
  fileOf(accessKey: string): string | undefined {
    return this.rules.accessKeyTable.get(accessKey);
  }

  validate(access: RequestAccess): void {
    const { files, accessKeyTable } = this.rules;
    for (const rules of files.values()) {
      if (rules.globalWhite.some((s) => s.match(access.whiteRemoteAddress))) return;
    }
    const { accessKey } = access;
    if (accessKey === undefined) throw new AclException("No accessKey is configured", JavaFrame.validateNoAccessKey);
    const file = accessKeyTable.get(accessKey);
    if (file === undefined) throw new AclException(`No acl config for ${accessKey}`, JavaFrame.validateNoConfig);
    const owned = files.get(file)?.accounts.get(accessKey);
    if (!owned) {
      throw new AclException(`No PlainAccessResource for accessKey=${accessKey}`, JavaFrame.validateNoResource);
    }
    if (owned.whiteStrategy.match(access.whiteRemoteAddress)) return;
    const signature = calSignature(access.content ?? { text: "", body: null }, owned.secretKey);
    if (signature !== access.signature) {
      throw new AclException(`Check signature failed for accessKey=${accessKey}`, JavaFrame.validateSignature);
    }
    if (access.resourcePermMap?.get(RMQ_SYS_TRACE_TOPIC) === Permission.PUB) return;
    checkPerm(access, owned);
  }

  /** The default file's data version (Java's deprecated single `version`). */
  aclConfigVersion(): DataVersion {
    return this.rules.files.get(this.defaultAclFile)?.dataVersion ?? { counter: 0, timestamp: 0 };
  }

  /** Every file's data version, by path. */
  allAclConfigVersion(): Map<string, DataVersion> {
    return new Map([...this.rules.files].map(([path, rules]) => [path, rules.dataVersion]));
  }

  /** Java's getAllAclConfig: white lists of every file, accounts (first definition of each key). */
  allAclConfig(): AclConfig {
    const seen = new Set<string>();
    const config: AclConfig = { globalWhiteAddrs: [], plainAccessConfigs: [] };
    for (const rules of this.rules.files.values()) {
      config.globalWhiteAddrs.push(...rules.globalWhiteAddrs);
      for (const account of rules.configs) {
        if (account.accessKey === undefined || seen.has(account.accessKey)) continue;
        seen.add(account.accessKey);
        config.plainAccessConfigs.push({ ...account });
      }
    }
    return config;
  }
}

function checkPerm(needed: RequestAccess, owned: OwnedAccess): void {
  if (needAdminPerm(needed.requestCode) && !owned.admin) {
    throw new AclException(
      `Need admin permission for request code=${needed.requestCode}, but accessKey=${owned.accessKey} is not`,
      JavaFrame.checkPermAdmin,
    );
  }
  const neededMap = needed.resourcePermMap;
  if (neededMap === null) return;
  const ownedMap = owned.resourcePermMap;
  if (ownedMap === null && owned.admin) return;
  // in the order Java's HashMap walks them: with two resources refused, the remark names the same one
  for (const resource of javaHashMapOrder([...neededMap.keys()])) {
    const perm = neededMap.get(resource) ?? Permission.DENY;
    const isGroup = isRetryTopic(resource);
    const ownedPerm = ownedMap?.get(resource);
    if (ownedPerm === undefined) {
      if (!checkPermission(perm, isGroup ? owned.defaultGroupPerm : owned.defaultTopicPerm)) {
        throw new AclException(`No default permission for ${printStr(resource, isGroup)}`, JavaFrame.checkPermDefault);
      }
      continue;
    }
    if (!checkPermission(perm, ownedPerm)) {
      throw new AclException(`No default permission for ${printStr(resource, isGroup)}`, JavaFrame.checkPermOwned);
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
