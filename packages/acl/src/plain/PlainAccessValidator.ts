import type { RemotingCommand } from "@rocketmq-ts/remoting";
import { AclFileEditor } from "./AclFileEditor.js";
import { AclFileWatchService } from "./AclFileWatchService.js";
import { parseRequestAccess } from "./parseRequestAccess.js";
import type { PlainAccessConfig } from "./PlainAccessConfig.js";
import type { RequestAccess } from "./PlainAccessResource.js";
import { PlainPermissionManager, type PlainPermissionManagerOptions } from "./PlainPermissionManager.js";

export interface PlainAccessValidatorOptions extends PlainPermissionManagerOptions {
  /** The files are polled this often for changes (Java: 5000 ms); 0 = not watched. */
  watchIntervalMs?: number;
  now?: () => number;
}

/**
 * Java's PlainAccessValidator, the broker's view of plain ACL: `parse` what a request needs,
 * `validate` it (throws the AclException the broker answers SYSTEM_ERROR with), and the admin
 * operations behind request codes 50–53. Construction loads the files (a bad one throws its
 * AclFileError: the broker refuses to start) and starts watching them.
 */
export class PlainAccessValidator {
  readonly manager: PlainPermissionManager;
  private readonly editor: AclFileEditor;
  private readonly watcher: AclFileWatchService | null;

  constructor(options: PlainAccessValidatorOptions) {
    this.manager = new PlainPermissionManager(options);
    this.manager.load();
    this.editor = new AclFileEditor(this.manager, options.logger, options.now);
    const interval = options.watchIntervalMs ?? AclFileWatchService.WATCH_INTERVAL_MS;
    this.watcher =
      interval > 0
        ? new AclFileWatchService(
            () => this.manager.aclFiles(),
            () => this.manager.reload(),
            options.logger,
            interval,
          )
        : null;
    this.watcher?.start();
  }

  parse(request: RemotingCommand, remoteAddr: string): RequestAccess {
    return parseRequestAccess(request, remoteAddr);
  }

  validate(access: RequestAccess): void {
    this.manager.validate(access);
  }

  updateAccessConfig(config: PlainAccessConfig): boolean {
    return this.editor.updateAccessConfig(config);
  }

  deleteAccessConfig(accessKey: string): boolean {
    return this.editor.deleteAccessConfig(accessKey);
  }

  updateGlobalWhiteAddrsConfig(addresses: readonly string[] | null, aclFileFullPath?: string | null): boolean {
    return this.editor.updateGlobalWhiteAddrsConfig(addresses, aclFileFullPath);
  }

  shutdown(): void {
    this.watcher?.shutdown();
  }
}
