// Injected reader over a sysfs tree (in the style of Nomad's numalib, which takes a
// path-reader function instead of touching the file system directly). Parsers in
// sysfs-numa.ts and sysfs-net.ts only see this interface, so the same code runs
// against the live host, a recorded tree under `--sysfs-root`, or an in-memory fake.
//
// Paths are absolute sysfs paths as on a live host ("/sys/class/net/eth0/mtu").
// Every reader returns `undefined` for a missing or unreadable entry and never throws.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Reads a file's text; `undefined` when it is missing or unreadable. */
export type ReadFile = (path: string) => string | undefined;

/** Lists a directory's entry names (unsorted); `undefined` when it is missing or not a directory. */
export type ListDir = (path: string) => string[] | undefined;

/** Reads a symlink's target as written in the link; `undefined` when the path is not a symlink. */
export type ReadLink = (path: string) => string | undefined;

/** The sysfs readers handed to every sysfs parser. */
export interface Sysfs {
  /** Reads a file's text, or `undefined`. */
  readFile: ReadFile;
  /** Lists a directory, or `undefined`. */
  listDir: ListDir;
  /** Reads a symlink target, or `undefined`. */
  readLink: ReadLink;
  /**
   * The directory the tree is read from, as an absolute path ("/" on a live host), when
   * the tree is a directory on disk; absent for in-memory trees. Readers use it only to
   * name a recorded machine (its basename) when the tree holds no hostname.
   */
  root?: string;
}

/**
 * Sysfs readers over the real file system. `root` is the directory that holds `sys/`
 * ("/" on a live host; a recorded tree such as an unpacked hwloc snapshot otherwise):
 * the path "/sys/x" is read from `<root>/sys/x`, and likewise "/proc/x" and "/etc/x".
 * The returned readers carry `root` (resolved to an absolute path).
 */
export function hostSysfs(root = '/'): Sysfs {
  const at = (p: string): string => join(root, p);
  return {
    root: resolve(root),
    readFile: (p) => {
      try {
        return readFileSync(at(p), 'utf8');
      } catch {
        return undefined;
      }
    },
    listDir: (p) => {
      try {
        return readdirSync(at(p));
      } catch {
        return undefined;
      }
    },
    readLink: (p) => {
      try {
        return readlinkSync(at(p));
      } catch {
        return undefined;
      }
    },
  };
}

/** Prefix that marks a `fakeSysfs` string value as a symlink target instead of file contents. */
export const FAKE_SYMLINK_PREFIX = '-> ';

/**
 * An in-memory sysfs for tests. Keys are absolute paths. A string value is a file's
 * contents, or a symlink when it starts with {@link FAKE_SYMLINK_PREFIX}
 * (`'-> ../../../0000:53:00.0'`); a string[] value is an explicit directory listing.
 * Directories are also implied by the paths of the files and links below them, so
 * `{'/sys/class/net/eth0/mtu': '1500\n'}` lists `eth0` under `/sys/class/net`.
 */
export function fakeSysfs(tree: Record<string, string | string[]>): Sysfs {
  const files = new Map<string, string>();
  const links = new Map<string, string>();
  const dirs = new Map<string, Set<string>>();
  const norm = (p: string): string => (p.length > 1 ? p.replace(/\/+$/, '') : p);
  const addToParents = (path: string): void => {
    let child = path;
    for (;;) {
      const i = child.lastIndexOf('/');
      if (i < 0) return;
      const parent = i === 0 ? '/' : child.slice(0, i);
      const name = child.slice(i + 1);
      if (name === '') return;
      let set = dirs.get(parent);
      if (!set) {
        set = new Set();
        dirs.set(parent, set);
      }
      set.add(name);
      if (parent === '/') return;
      child = parent;
    }
  };
  for (const [rawPath, value] of Object.entries(tree)) {
    const path = norm(rawPath);
    if (Array.isArray(value)) {
      let set = dirs.get(path);
      if (!set) {
        set = new Set();
        dirs.set(path, set);
      }
      for (const name of value) set.add(name);
    } else if (value.startsWith(FAKE_SYMLINK_PREFIX)) {
      links.set(path, value.slice(FAKE_SYMLINK_PREFIX.length));
    } else {
      files.set(path, value);
    }
    addToParents(path);
  }
  return {
    readFile: (p) => files.get(norm(p)),
    listDir: (p) => {
      const set = dirs.get(norm(p));
      return set ? [...set] : undefined;
    },
    readLink: (p) => links.get(norm(p)),
  };
}

/** Reads a file and trims it; `undefined` when missing or empty after trimming. */
export function readTrimmed(sysfs: Sysfs, path: string): string | undefined {
  const text = sysfs.readFile(path);
  if (text === undefined) return undefined;
  const t = text.trim();
  return t === '' ? undefined : t;
}

/** Reads a file holding one decimal integer; `undefined` when missing or not an integer. */
export function readInt(sysfs: Sysfs, path: string): number | undefined {
  const t = readTrimmed(sysfs, path);
  if (t === undefined || !/^-?\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : undefined;
}
