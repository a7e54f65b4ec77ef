import { open, type FileHandle } from "node:fs/promises";

/**
 * Makes committed WAL frames durable with an fdatasync on the libuv thread pool, so the event loop
 * (and the radio work on it) keeps running while the disk flushes. Requests committed while a flush
 * is in flight share the next one (group commit). SQLite itself syncs the WAL header on reuse and
 * the database at checkpoints under synchronous=NORMAL; the frames of a commit are all this adds.
 */
export class WalSync {
  private file: Promise<Pick<FileHandle, "datasync" | "close">> | null = null;
  private inFlight: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly walPath: string,
    private readonly openFile: (path: string, flags: string) => Promise<Pick<FileHandle, "datasync" | "close">> = open,
  ) {}

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (!this.inFlight) return this.start();
    // The flush in flight may have started before this commit's frames were written: take the next one.
    this.next ??= this.inFlight.then(
      () => ((this.next = null), this.start()),
      () => ((this.next = null), this.start()),
    );
    return this.next;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.inFlight, this.next]);
    const file = this.file;
    this.file = null;
    if (file) await (await file).close();
  }

  private start(): Promise<void> {
    const run = async () => {
      this.file ??= this.openFile(this.walPath, "r");
      await (await this.file).datasync();
    };
    const p = run().finally(() => {
      if (this.inFlight === p) this.inFlight = null;
    });
    this.inFlight = p;
    return p;
  }
}
