/* enospc.c - a full disk for the tests, without a mount: LD_PRELOADed,
 * it makes writes to files whose path contains $ENOSPC_MATCH fail with
 * ENOSPC while the file $ENOSPC_TRIGGER exists (growing them: write,
 * pwrite, ftruncate and fallocate past the end; shrinking works, as on a
 * full disk). Built by `make check` for tests/disk_full.sh only. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

/* 1 when writes to fd are to fail now */
static int full(int fd)
{
	const char *match = getenv("ENOSPC_MATCH");
	const char *trigger = getenv("ENOSPC_TRIGGER");
	struct stat st;
	if (!match || !*match || !trigger || stat(trigger, &st) != 0)
		return 0;
	char link[64], path[4096];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	return strstr(path, match) != NULL;
}

/* 1 when a file of fd would grow past its size to end */
static int grows(int fd, off_t end)
{
	struct stat st;
	return fstat(fd, &st) != 0 || end > st.st_size;
}

#define REAL(ret, name, ...) \
	static ret (*real)(__VA_ARGS__); \
	if (!real) \
		*(void **)&real = dlsym(RTLD_NEXT, name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(ssize_t, "write", int, const void *, size_t);
	if (n && full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
	if (n && full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(ssize_t, "pwrite64", int, const void *, size_t, off_t);
	if (n && full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(ssize_t, "writev", int, const struct iovec *, int);
	if (cnt && full(fd)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, iov, cnt);
}

int ftruncate(int fd, off_t len)
{
	REAL(int, "ftruncate", int, off_t);
	if (full(fd) && grows(fd, len)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, len);
}

int ftruncate64(int fd, off_t len)
{
	REAL(int, "ftruncate64", int, off_t);
	if (full(fd) && grows(fd, len)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, len);
}

int fallocate(int fd, int mode, off_t off, off_t len)
{
	REAL(int, "fallocate", int, int, off_t, off_t);
	if (full(fd) && grows(fd, off + len)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, mode, off, len);
}

int fallocate64(int fd, int mode, off_t off, off_t len)
{
	REAL(int, "fallocate64", int, int, off_t, off_t);
	if (full(fd) && grows(fd, off + len)) {
		errno = ENOSPC;
		return -1;
	}
	return real(fd, mode, off, len);
}

int posix_fallocate(int fd, off_t off, off_t len)
{
	REAL(int, "posix_fallocate", int, off_t, off_t);
	if (full(fd) && grows(fd, off + len))
		return ENOSPC;
	return real(fd, off, len);
}

int posix_fallocate64(int fd, off_t off, off_t len)
{
	REAL(int, "posix_fallocate64", int, off_t, off_t);
	if (full(fd) && grows(fd, off + len))
		return ENOSPC;
	return real(fd, off, len);
}
