#include "common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { ERR_CAP = 1024 };
static _Thread_local char err_buf[ERR_CAP];

int err_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err_buf, ERR_CAP, fmt, ap);
	va_end(ap);
	return -1;
}

int err_errno(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(err_buf, ERR_CAP, fmt, ap);
	va_end(ap);
	if (len >= 0 && len < ERR_CAP)
		snprintf(err_buf + len, ERR_CAP - len, ": %s", strerror(saved));
	return -1;
}

int err_prefix(const char *fmt, ...)
{
	char tail[ERR_CAP];
	memcpy(tail, err_buf, ERR_CAP);
	va_list ap;
	va_start(ap, fmt);
	int head_len = vsnprintf(err_buf, ERR_CAP, fmt, ap);
	va_end(ap);
	if (head_len >= 0 && head_len < ERR_CAP - 1) {
		size_t room = ERR_CAP - 1 - (size_t)head_len;
		size_t tail_len = strnlen(tail, room);
		memcpy(err_buf + head_len, tail, tail_len);
		err_buf[head_len + tail_len] = '\0';
	}
	return -1;
}

const char *err_msg(void)
{
	return err_buf[0] ? err_buf : "unknown error";
}
