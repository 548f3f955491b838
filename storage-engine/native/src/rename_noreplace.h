#ifndef COFFER_RENAME_NOREPLACE_H
#define COFFER_RENAME_NOREPLACE_H

/* rename(from, to) that never replaces anything: 0, or -1 with errno (EEXIST when `to` is taken;
 * ENOSYS where the system has no such call, EINVAL where the file system does not support it). */
int rename_noreplace(const char *from, const char *to);

/* The errno's name as node gives it (EEXIST, ENOENT, …). */
const char *errno_name(int err);

#endif
