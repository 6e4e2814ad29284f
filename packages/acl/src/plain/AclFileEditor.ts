import {
  chmodSync,
  existsSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from "yaml";
import type { Logger } from "pino";
import { AclException } from "../common/AclException.js";
import { checkResourcePerms } from "../common/Permission.js";
import { buildOwnedAccess, checkPlainAccessConfig } from "./AclRules.js";
import type { PlainAccessConfig } from "./PlainAccessConfig.js";
import type { PlainPermissionManager } from "./PlainPermissionManager.js";
import { remoteAddressStrategy } from "./RemoteAddressStrategy.js";

/**
 * The writes of the ACL admin requests (UPDATE_AND_CREATE_ACL_CONFIG, DELETE_ACL_CONFIG,
 * UPDATE_GLOBAL_WHITE_ADDRS_CONFIG), as 4.9.8's PlainPermissionManager makes them: the account is
 * changed in the file that defines it (a new one is added to `conf/plain_acl.yml`), the file's
 * `dataVersion` gets the next counter and the current time, and the rules are reloaded at once.
 *
 * Differences, on purpose: the file is edited as a YAML document, so its comments and the order of
 * its keys survive (Java re-dumps the whole map); it is replaced by rename, so the watcher never
 * reads half a file (the file behind a symlink, keeping its mode); white addresses and the account
 * are checked before anything is written (Java writes what it gets, and the next load fails on it);
 * a white list goes only into one of the ACL files (Java takes any existing path under the home).
 */
export class AclFileEditor {
  constructor(
    private readonly manager: PlainPermissionManager,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Create or update one account. Throws the AclException Java answers with. */
  updateAccessConfig(config: PlainAccessConfig): boolean {
    checkPlainAccessConfig(config);
    checkResourcePerms(config.topicPerms);
    checkResourcePerms(config.groupPerms);
    buildOwnedAccess(config); // white address and Res=Perm entries valid before anything is written
    const file = this.manager.fileOf(config.accessKey) ?? this.manager.defaultAclFile;
    const doc = this.read(file);
    const accounts = this.seq(doc, "accounts");
    const existing = accounts.items.find(
      (item): item is YAMLMap => isMap(item) && String(item.get("accessKey")) === config.accessKey,
    );
    const account = existing ?? new YAMLMap();
    if (!existing) accounts.add(account);
    account.set("accessKey", config.accessKey);
    if (config.secretKey) account.set("secretKey", config.secretKey);
    if (config.whiteRemoteAddress !== undefined && config.whiteRemoteAddress !== null) {
      account.set("whiteRemoteAddress", config.whiteRemoteAddress);
    }
    account.set("admin", config.admin);
    if (config.defaultTopicPerm) account.set("defaultTopicPerm", config.defaultTopicPerm);
    if (config.defaultGroupPerm) account.set("defaultGroupPerm", config.defaultGroupPerm);
    if (config.topicPerms) account.set("topicPerms", doc.createNode([...config.topicPerms]));
    if (config.groupPerms) account.set("groupPerms", doc.createNode([...config.groupPerms]));
    this.write(file, doc);
    this.logger.info({ accessKey: config.accessKey, file }, "ACL account created or updated");
    return true;
  }

  /** Remove one account; false when no file defines it (Java's answer then). */
  deleteAccessConfig(accessKey: string): boolean {
    if (!accessKey) return false;
    const file = this.manager.fileOf(accessKey);
    if (file === undefined) return false;
    const doc = this.read(file);
    const accounts = doc.get("accounts", true);
    if (!isSeq(accounts)) return true;
    const index = accounts.items.findIndex((item) => isMap(item) && String(item.get("accessKey")) === accessKey);
    if (index < 0) return false;
    accounts.items.splice(index, 1);
    this.write(file, doc);
    this.logger.info({ accessKey, file }, "ACL account deleted");
    return true;
  }

  /**
   * Replace the global white list of `fileName` (the default file when empty). Java's conditions:
   * the file exists, is not a directory and lies under the home directory.
   */
  updateGlobalWhiteAddrsConfig(addresses: readonly string[] | null, fileName?: string | null): boolean {
    const file = fileName ? resolve(fileName) : this.manager.defaultAclFile;
    if (addresses === null) return false;
    if (!existsSync(file) || statSync(file).isDirectory()) {
      this.logger.error(`Parameter value ${file} is not exist or is a directory, please check your parameter`);
      return false;
    }
    // Java only asks that the path start with the home (`<home>/../x.yml` passes): here it must be one
    // of the ACL files this broker reads, so a signed request cannot rewrite any other file
    if (!this.manager.aclFiles().includes(file)) {
      this.logger.error(
        `Parameter value ${file} is not one of the ACL files under rocketmq.home.dir ${this.manager.home}`,
      );
      return false;
    }
    if (!file.endsWith(".yml") && !file.endsWith(".yaml")) {
      this.logger.error(`Parameter value ${file} is not a ACL configuration file`);
      return false;
    }
    for (const address of addresses) remoteAddressStrategy(address);
    const doc = this.read(file);
    doc.set("globalWhiteRemoteAddresses", doc.createNode([...addresses]));
    this.write(file, doc);
    this.logger.info({ file, addresses }, "ACL global white addresses updated");
    return true;
  }

  private read(file: string): Document {
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
      throw new AclException(`${file} is not valid YAML, fix it first: ${doc.errors[0]!.message.split("\n")[0]}`);
    }
    if (isMap(doc.contents)) return doc;
    // an empty file (or one holding no mapping): start a fresh document
    const fresh = new Document();
    fresh.contents = new YAMLMap();
    return fresh;
  }

  private seq(doc: Document, key: string): YAMLSeq {
    const node = doc.get(key, true);
    if (isSeq(node)) return node;
    const created = new YAMLSeq();
    doc.set(key, created);
    return created;
  }

  /** Bump `dataVersion`, write beside and rename over, reload the rules. */
  private write(file: string, doc: Document): void {
    const versions = doc.get("dataVersion", true);
    const first = isSeq(versions) && isMap(versions.items[0]) ? versions.items[0] : null;
    const counter = first ? Number(first.get("counter") ?? 0) : 0;
    const version = new YAMLMap();
    version.set("counter", (Number.isFinite(counter) ? counter : 0) + 1);
    version.set("timestamp", this.now());
    const list = new YAMLSeq();
    list.add(version);
    doc.set("dataVersion", list);
    // the file behind a symlink (a mounted config) is replaced, with the mode it had (it holds secrets)
    const target = existsSync(file) ? realpathSync(file) : file;
    const mode = existsSync(target) ? statSync(target).mode & 0o7777 : 0o600;
    const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
    try {
      writeFileSync(tmp, doc.toString(), { mode });
      chmodSync(tmp, mode);
      renameSync(tmp, target);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new AclException((err as Error).message);
    }
    this.manager.reload();
  }
}
