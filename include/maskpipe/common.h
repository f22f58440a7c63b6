/* What every part of maskpipe's public API shares: the export macro, the
 * error convention and the version.
 *
 * Errors: a function that can fail returns a negative int or NULL and
 * leaves a one-line message, for the calling thread, that mp_last_error
 * returns ("in.rec: record 17: field 'img.px': truncated"). */
#ifndef MP_COMMON_H
#define MP_COMMON_H

/* The library is built with -fvisibility=hidden: only what MP_API marks is
 * exported, so every exported symbol is mp_ and nothing internal becomes
 * part of the ABI. */
#if defined(__GNUC__)
#define MP_API __attribute__((visibility("default")))
#else
#define MP_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The message of the calling thread's last failure ("unknown error" if
 * none). The string belongs to the library and changes with the next
 * failure on this thread. */
MP_API const char *mp_last_error(void);

/* The library's version, "0.1.0". */
MP_API const char *mp_version(void);

#ifdef __cplusplus
}
#endif

#endif
