/*
 * log_message(), the variadic logging entry point of the C API.
 *
 * Stable Rust cannot define a C variadic function, so these few lines of C
 * (compiled by build.rs with the cc crate, for any target) format the
 * message with vsnprintf and hand the text to zk_rs_log_formatted() in
 * src/log.rs, which adds the reference's line prefix and writes the line.
 *
 * The function is named zk_log_message_c here; build.rs makes the shared
 * library's exported `log_message` an alias of it (see src/log.rs), and the
 * static library is fixed up the same way by scripts/stage-lib.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*log_callback_fn)(const char *message);

/* Hidden: the library calls it, programs cannot see it. */
__attribute__((visibility("hidden")))
void zk_rs_log_formatted(log_callback_fn cb, int level, int line, const char *func,
                         const char *msg, size_t len);

void zk_log_message_c(log_callback_fn cb, int level, int line, const char *func,
                      const char *format, ...)
{
    char small[1024];
    va_list ap, again;
    int n;

    if (format == NULL)
        return;
    va_start(ap, format);
    va_copy(again, ap);
    n = vsnprintf(small, sizeof small, format, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof small) {
        zk_rs_log_formatted(cb, level, line, func, small, (size_t)n);
    } else if (n >= 0) {
        char *big = malloc((size_t)n + 1);
        if (big != NULL) {
            vsnprintf(big, (size_t)n + 1, format, again);
            zk_rs_log_formatted(cb, level, line, func, big, (size_t)n);
            free(big);
        }
    }
    va_end(again);
}
