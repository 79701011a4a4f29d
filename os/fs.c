// SPDX-License-Identifier: MPL-2.0
// File helpers for the service and tools. Writes go to a temporary file in the same directory,
// are fsynced, renamed over the target, and the directory is fsynced, so nothing acknowledged
// is lost and no reader sees half a file.
#include "fs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *weft_fs_read(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		goto fail_alloc;
	for (;;) {
		if (n == cap) {
			if (cap >= max + 1) {
				errno = EFBIG;
				goto fail_read;
			}
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb)
				goto fail_read;
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail_read;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > max) {
		errno = EFBIG;
		goto fail_read;
	}
	close(fd);
	buf[n] = 0;
	if (len)
		*len = n;
	return buf;
fail_read:
	free(buf);
fail_alloc : {
	int e = errno;
	close(fd);
	errno = e;
}
	return NULL;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static void fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	if (!copy)
		return;
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int weft_fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + 16);
	int r = 0;
	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		r = -errno;
		goto fail_open;
	}
	// open() applies the umask; the mode asked for (0600 for secrets) must hold exactly.
	if (fchmod(fd, mode) != 0 || (r = write_all(fd, data, len)) != 0 || fsync(fd) != 0) {
		r = r ? r : -errno;
		goto fail_write;
	}
	if (close(fd) != 0) {
		r = -errno;
		goto fail_close;
	}
	if (rename(tmp, path) != 0) {
		r = -errno;
		goto fail_close;
	}
	fsync_dir_of(path);
	free(tmp);
	return 0;
fail_write:
	close(fd);
fail_close:
	unlink(tmp);
fail_open:
	free(tmp);
	return r;
}
