/**
 * Storage held in memory: for tests, and as the smallest example of a
 * backend. It passes the same contract suite as LocalStorage.
 */
import { Readable, Writable } from 'node:stream';
import { alreadyExists, isADirectory, notADirectory, notEmpty, notFound, permissionDenied } from '../core/errors.js';
import type { FileInfo } from '../core/FileInfo.js';
import type { FileStream, Storage, Upload, WriteMode } from '../core/Storage.js';
import { baseName, parentOf, splitPath } from '../core/virtualPath.js';

interface FileNode {
  kind: 'file';
  data: Buffer;
  mtime: Date;
  mode: number;
  id: number;
}
interface DirNode {
  kind: 'dir';
  entries: Map<string, Node>;
  mtime: Date;
  mode: number;
  id: number;
}
type Node = FileNode | DirNode;

export class MemoryStorage implements Storage {
  readonly kind = 'memory';
  private nextId = 1;
  private readonly root: DirNode = this.newDir();

  async stat(vpath: string): Promise<FileInfo> {
    return info(baseName(vpath), this.find(vpath));
  }

  async *list(vpath: string): AsyncIterable<FileInfo[]> {
    const dir = this.findDir(vpath);
    yield [...dir.entries].map(([name, node]) => info(name, node));
  }

  async openRead(vpath: string, start = 0): Promise<FileStream> {
    const node = this.find(vpath);
    if (node.kind !== 'file') throw isADirectory(vpath);
    return Object.assign(Readable.from([node.data.subarray(Math.min(start, node.data.length))], { objectMode: false }), { size: node.data.length });
  }

  async openWrite(vpath: string, mode: WriteMode): Promise<Upload> {
    return this.upload(vpath, mode);
  }

  async openWriteAt(vpath: string, offset: number | 'end'): Promise<Upload> {
    return this.upload(vpath, offset);
  }

  /** Every kind of upload: the data is kept aside and applied at commit, so an aborted one leaves nothing. */
  private upload(vpath: string, mode: WriteMode | number | 'end'): Upload {
    const parent = this.findDir(parentOf(vpath));
    const name = baseName(vpath);
    const existing = parent.entries.get(name);
    if (existing?.kind === 'dir') throw isADirectory(vpath);
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, callback) {
        // A copy: the server's receive path hands in pooled buffers that it reuses once this returns.
        chunks.push(Buffer.from(chunk));
        callback();
      },
    });
    const finished = new Promise<void>((resolve, reject) => {
      stream.once('finish', resolve);
      stream.once('error', reject);
    });
    return {
      stream,
      commit: async () => {
        await finished;
        if (mode === 'create' && parent.entries.has(name)) throw alreadyExists(vpath);
        const old = existing?.kind === 'file' ? existing.data : Buffer.alloc(0);
        const head = mode === 'end' ? old : typeof mode === 'number' ? old.subarray(0, mode) : Buffer.alloc(0);
        parent.entries.set(name, { kind: 'file', data: Buffer.concat([head, ...chunks]), mtime: new Date(), mode: 0o644, id: this.nextId++ });
      },
      // Nothing is applied before commit, so there is never partial data to keep or remove.
      abort: async () => {
        stream.destroy();
      },
    };
  }

  async mkdir(vpath: string): Promise<void> {
    const parent = this.findDir(parentOf(vpath));
    const name = baseName(vpath);
    if (vpath === '/' || parent.entries.has(name)) throw alreadyExists(vpath);
    parent.entries.set(name, this.newDir());
  }

  async rmdir(vpath: string): Promise<void> {
    if (vpath === '/') throw permissionDenied(vpath);
    const node = this.find(vpath);
    if (node.kind !== 'dir') throw notADirectory(vpath);
    if (node.entries.size > 0) throw notEmpty(vpath);
    this.findDir(parentOf(vpath)).entries.delete(baseName(vpath));
  }

  async delete(vpath: string): Promise<void> {
    const node = this.find(vpath);
    if (node.kind === 'dir') throw isADirectory(vpath);
    this.findDir(parentOf(vpath)).entries.delete(baseName(vpath));
  }

  async rename(from: string, to: string): Promise<void> {
    const node = this.find(from);
    const target = this.findDir(parentOf(to));
    if (from === '/' || (to + '/').startsWith(from + '/')) throw permissionDenied(to);
    const existing = target.entries.get(baseName(to));
    if (existing?.kind === 'dir' && (node.kind !== 'dir' || existing.entries.size > 0)) throw isADirectory(to);
    this.findDir(parentOf(from)).entries.delete(baseName(from));
    target.entries.set(baseName(to), node);
  }

  async setModifiedTime(vpath: string, time: Date): Promise<void> {
    this.find(vpath).mtime = time;
  }

  async chmod(vpath: string, mode: number): Promise<void> {
    this.find(vpath).mode = mode & 0o7777;
  }

  private newDir(): DirNode {
    return { kind: 'dir', entries: new Map(), mtime: new Date(), mode: 0o755, id: this.nextId++ };
  }

  private find(vpath: string): Node {
    let node: Node = this.root;
    for (const part of splitPath(vpath)) {
      if (node.kind !== 'dir') throw notADirectory(vpath);
      const next = node.entries.get(part);
      if (!next) throw notFound(vpath);
      node = next;
    }
    return node;
  }

  private findDir(vpath: string): DirNode {
    const node = this.find(vpath);
    if (node.kind !== 'dir') throw notADirectory(vpath);
    return node;
  }
}

function info(name: string, node: Node): FileInfo {
  return {
    name,
    type: node.kind,
    size: node.kind === 'file' ? node.data.length : 0,
    mtime: node.mtime,
    mode: node.mode,
    id: String(node.id),
  };
}
