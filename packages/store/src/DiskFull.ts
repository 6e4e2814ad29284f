/**
 * Writes refused because the file system is full (ENOSPC) or the user's quota is used up (EDQUOT).
 *
 * Java's store only ever sees a full disk through its periodic check (DISK_FULL above
 * diskSpaceWarningLevelRatio, store-ha-config.md §7.4): it writes through mappings, and a store into
 * a sparse page that cannot get a block is SIGBUS, which the JVM turns into an InternalError in the
 * writing thread. Here every first store into a page is preceded by a write(2) that allocates it
 * (MappedFile.prepareWrite / ensureAllocated), so a full file system shows up as an ENOSPC error
 * before anything is stored, and the store treats it as the disk being full: DISK_FULL is set at once
 * (puts answer SERVICE_NOT_AVAILABLE, as Java's for a full disk) and the periodic check clears it
 * once usage is back under the warning level.
 */
export function isDiskFullError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null | undefined)?.code;
  return code === "ENOSPC" || code === "EDQUOT";
}
