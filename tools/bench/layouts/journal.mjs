// The alternative layout that was measured and not chosen: a JSON snapshot plus an append-only
// journal, compacted past a size, behind one sidecar lock. Built from the package's own lock and
// atomic-file modules so that both layouts pay for the same durability (fsync before an ack).
//
//   deliveries.snapshot.json   {"key": ["delivery id", "recorded at"], ...}
//   deliveries.journal         one JSON line per claim since the snapshot
//   claim: lock -> read lines other processes appended since we last looked -> check ->
//          append -> fdatasync -> unlock; past max(4096, snapshot/2) lines, compact.
import { Buffer } from 'node:buffer';
import { constants, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { requireDist } from './common.mjs';

const { acquireLock } = requireDist('file/lock');
const { writeFileAtomic, fsyncDir } = requireDist('file/staged-file');
const { nodeFs } = requireDist('file/fs-seam');

export const name = 'journal (measured, not chosen)';
export const description = 'JSON snapshot + append-only journal behind one sidecar lock';

const LOCK = { staleMs: 10_000, waitMs: 60_000, pollMs: 10 };

function paths(stateDir) {
  return {
    snapshot: path.join(stateDir, 'deliveries.snapshot.json'),
    journal: path.join(stateDir, 'deliveries.journal'),
    lock: path.join(stateDir, 'deliveries.journal.lock'),
  };
}

export async function populate(stateDir, n) {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const recordedAt = new Date().toISOString();
  const entries = {};
  for (let i = 0; i < n; i++) entries[`bench/seed:${i.toString(16).padStart(40, '0')}`] = [`seed-${i}`, recordedAt];
  fs.writeFileSync(paths(stateDir).snapshot, JSON.stringify(entries));
}

class JournalLedger {
  constructor(stateDir) {
    this.stateDir = stateDir;
    this.paths = paths(stateDir);
    this.index = new Map();
    this.snapshotSize = 0;
    this.journalLines = 0;
  }

  async load() {
    this.index = new Map();
    await this.handle?.close();
    this.handle = undefined;
    try {
      const entries = JSON.parse(await fsp.readFile(this.paths.snapshot, 'utf8'));
      for (const [key, value] of Object.entries(entries)) this.index.set(key, value);
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    this.snapshotSize = this.index.size;
    this.handle = await fsp.open(this.paths.journal, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
    const stats = await this.handle.stat();
    this.ino = stats.ino;
    this.offset = 0;
    this.journalLines = 0;
    await this.readTail(stats.size);
  }

  async readTail(size) {
    if (size <= this.offset) return;
    const buffer = Buffer.alloc(size - this.offset);
    await this.handle.read(buffer, 0, buffer.length, this.offset);
    const text = buffer.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return;
    for (const line of text.slice(0, end).split('\n')) {
      const record = JSON.parse(line);
      if (!this.index.has(record.k)) this.index.set(record.k, [record.d, record.t]);
      this.journalLines++;
    }
    this.offset += Buffer.byteLength(text.slice(0, end + 1));
  }

  /** Under the lock: pick up what others appended, or everything after a compaction. */
  async catchUp() {
    const stats = await fsp.stat(this.paths.journal);
    if (stats.ino !== this.ino) await this.load();
    else await this.readTail(stats.size);
  }

  async claim(key, deliveryId) {
    const lock = await acquireLock(this.paths.lock, LOCK, { path: this.paths.journal, label: 'journal' });
    try {
      await this.catchUp();
      const existing = this.index.get(key);
      if (existing) return { claimed: false, deliveryId: existing[0] };
      const recordedAt = new Date().toISOString();
      const line = `${JSON.stringify({ k: key, d: deliveryId, t: recordedAt })}\n`;
      await this.handle.write(line);
      await this.handle.datasync();
      this.offset += Buffer.byteLength(line);
      this.journalLines++;
      this.index.set(key, [deliveryId, recordedAt]);
      if (this.journalLines > Math.max(4096, this.snapshotSize / 2)) await this.compact(lock);
      return { claimed: true, deliveryId };
    } finally {
      await lock.release();
    }
  }

  async compact(lock) {
    const entries = {};
    for (const [key, value] of this.index) entries[key] = value;
    await writeFileAtomic(nodeFs, this.paths.snapshot, Buffer.from(JSON.stringify(entries)), { lock });
    await writeFileAtomic(nodeFs, this.paths.journal, Buffer.alloc(0), { lock });
    await fsyncDir(nodeFs, this.stateDir);
    await this.load();
  }
}

export async function open(stateDir) {
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const ledger = new JournalLedger(stateDir);
  await ledger.load();
  await fsyncDir(nodeFs, stateDir);
  return {
    claim: (repo, headSha, deliveryId) => ledger.claim(`${repo}:${headSha}`, deliveryId),
    count: async () => {
      await ledger.catchUp();
      return ledger.index.size;
    },
    close: () => ledger.handle?.close(),
  };
}
