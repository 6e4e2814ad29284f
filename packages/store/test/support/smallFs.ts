/**
 * A small real file system for the disk-full tests: an ext4 image (no blocks reserved for root, so
 * the test process, root, sees ENOSPC when statfs shows no space) mounted through a loop device in a
 * temporary directory. `fill()` writes a filler file until ENOSPC, `free()` deletes it, `unmount()`
 * unmounts (the loop device detaches itself) and removes the directory. Mounting needs root:
 * `smallFsSupported()` says whether this machine can.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SmallFs {
  /** The mount point. */
  readonly dir: string;
  /** Write `<dir>/filler` until the file system refuses (ENOSPC); returns the bytes written. */
  fill(): number;
  /** Delete the filler. */
  free(): void;
  unmount(): void;
}

/** Fill `file` until ENOSPC: 1 MiB writes, then 4 KiB, then 512 bytes; returns the bytes written. */
export function fillUntilFull(file: string): number {
  const fd = openSync(file, "a");
  let written = 0;
  try {
    for (const size of [1024 * 1024, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0x5a);
      try {
        for (;;) written += writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Mount a `sizeMiB` ext4 image on a fresh temporary directory. */
export function mountSmallFs(sizeMiB: number): SmallFs {
  const base = mkdtempSync(join(tmpdir(), "store-smallfs-"));
  const image = join(base, "fs.img");
  const dir = join(base, "mnt");
  mkdirSync(dir);
  let mounted = false;
  const unmount = (): void => {
    if (mounted) {
      try {
        execFileSync("umount", [dir], { stdio: "ignore" });
      } catch {
        execFileSync("umount", ["-l", dir], { stdio: "ignore" }); // still busy: detach it anyway
      }
      mounted = false;
    }
    rmSync(base, { recursive: true, force: true });
  };
  try {
    closeSync(openSync(image, "w"));
    truncateSync(image, sizeMiB * 1024 * 1024);
    execFileSync("mkfs.ext4", ["-q", "-F", "-m", "0", image], { stdio: "ignore" });
    execFileSync("mount", ["-o", "loop", image, dir], { stdio: "ignore" });
    mounted = true;
  } catch (err) {
    unmount();
    throw err;
  }
  const filler = join(dir, "filler");
  return {
    dir,
    fill: () => fillUntilFull(filler),
    free: () => unlinkSync(filler),
    unmount,
  };
}

let supported: boolean | undefined;

/** Root, mkfs.ext4 and loop mounts available (tried once). */
export function smallFsSupported(): boolean {
  if (supported === undefined) {
    supported = false;
    if (process.getuid?.() === 0) {
      try {
        mountSmallFs(4).unmount();
        supported = true;
      } catch {
        // no loop devices, no mkfs.ext4, or no right to mount
      }
    }
  }
  return supported;
}
