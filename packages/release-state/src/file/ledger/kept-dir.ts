// fsync of `deliveries/` through a descriptor kept open across claims: opening and closing the
// directory for every claim cost two thread-pool round trips, a fifth of a claim.
import * as fsSync from 'node:fs';
import { constants } from 'node:fs';
import type { FsSeam } from '../fs-seam';

/** A directory dropped without close() still gives its descriptor back. */
const dirHandles = new FinalizationRegistry<{ fd: number }>((held) => {
  fsSync.close(held.fd, () => undefined);
});

/** A directory's descriptor, opened on the first flush and kept until `close()`. */
export class KeptDirectory {
  private held: { fd: number; ino: bigint; dev: bigint } | null = null;

  constructor(
    private readonly fs: FsSeam,
    private readonly dir: string,
  ) {}

  /**
   * Flushes the directory. Before each use a synchronous lstat checks that the path still names
   * the directory the descriptor holds (it may have been moved or recreated); if not, it is
   * reopened. A bound function: a claim hands it to its staged entry as the flush after the link.
   */
  readonly flush = async (): Promise<void> => {
    const current = this.fs.lstatBigSync(this.dir);
    let held = this.held;
    if (held !== null && (current === undefined || current.ino !== held.ino || current.dev !== held.dev)) {
      this.close();
      held = null;
    }
    if (held === null) {
      const fd = this.fs.openSync(this.dir, constants.O_RDONLY | constants.O_DIRECTORY);
      const stats = this.fs.fstatBigSync(fd);
      held = { fd, ino: stats.ino, dev: stats.dev };
      this.held = held;
      dirHandles.register(this, held, this);
    }
    await this.fs.fsyncFd(held.fd);
  };

  /** Closes the kept descriptor (store.close(); else it goes with the store, see `dirHandles`). */
  close(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    dirHandles.unregister(this);
    try {
      this.fs.closeSync(held.fd);
    } catch {
      // Closing a read-only directory descriptor cannot lose data.
    }
  }
}
