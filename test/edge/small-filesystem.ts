import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real, small filesystem for disk-cap tests: the disk really ends where the test says, so a cap
// that leaks shows as ENOSPC, not as a number in a table.

export interface SmallFilesystem {
  dir: string;
  /** Which kind the sandbox allowed: a loop-mounted ext4 image (preferred) or a tmpfs with size=. */
  kind: 'loop-mounted ext4 image' | 'tmpfs with size=';
  freeBytes(): number;
  cleanup(): void;
}

/** Mounts a fresh filesystem of `sizeMiB`; null when this sandbox allows neither kind (not root). */
export function mountSmallFilesystem(name: string, sizeMiB: number): SmallFilesystem | null {
  const work = mkdtempSync(join(tmpdir(), `tillgate-${name}-`));
  const dir = join(work, 'mnt');
  const image = join(work, 'fs.img');
  const run = (command: string, args: string[]) => execFileSync(command, args, { stdio: 'pipe' });
  const attempt = (kind: SmallFilesystem['kind'], mount: () => void): SmallFilesystem | null => {
    try {
      run('mkdir', ['-p', dir]);
      mount();
    } catch {
      return null;
    }
    return {
      dir,
      kind,
      freeBytes: () => {
        const stats = statfsSync(dir);
        return stats.bavail * stats.bsize;
      },
      cleanup: () => {
        run('umount', [dir]);
        rmSync(work, { recursive: true, force: true });
      },
    };
  };
  const mounted =
    attempt('loop-mounted ext4 image', () => {
      run('truncate', ['-s', `${sizeMiB}M`, image]);
      run('mkfs.ext4', ['-q', '-F', image]);
      run('mount', ['-o', 'loop', image, dir]);
    }) ?? attempt('tmpfs with size=', () => run('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]));
  if (mounted === null) rmSync(work, { recursive: true, force: true });
  return mounted;
}
