/** What an account may do, and how that shows in the MLSx "perm" fact (RFC 3659 7.5.5). */
import type { FileType } from '../core/FileInfo.js';

export type Permission = 'read' | 'write' | 'delete' | 'mkdir' | 'rename';

export const ALL_PERMISSIONS: ReadonlySet<Permission> = new Set(['read', 'write', 'delete', 'mkdir', 'rename']);
export const READ_ONLY: ReadonlySet<Permission> = new Set(['read']);

/** "r" is read-only, "rw" everything: the two levels `sockftp user add --perms` offers. */
export function parsePermissionLevel(level: string): ReadonlySet<Permission> | null {
  if (level === 'r') return READ_ONLY;
  if (level === 'rw') return ALL_PERMISSIONS;
  return null;
}

/** The perm fact letters for an entry of this type, given the account's permissions. */
export function mlsxPerm(type: FileType, perms: ReadonlySet<Permission>): string {
  let out = '';
  if (type === 'dir') {
    if (perms.has('write')) out += 'c';
    if (perms.has('mkdir')) out += 'dm';
    if (perms.has('read')) out += 'el';
    if (perms.has('rename')) out += 'f';
    if (perms.has('delete')) out += 'p';
    return out;
  }
  if (perms.has('write')) out += 'a';
  if (perms.has('delete')) out += 'd';
  if (perms.has('rename')) out += 'f';
  if (perms.has('read')) out += 'r';
  if (perms.has('write')) out += 'w';
  return out;
}
