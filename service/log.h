// SPDX-License-Identifier: MPL-2.0
// Levelled logging to stderr for weftd. WEFT_LOG=debug|info|warn|error picks the threshold.
#ifndef WEFT_SERVICE_LOG_H
#define WEFT_SERVICE_LOG_H

enum weft_log_level { WEFT_LOG_DEBUG, WEFT_LOG_INFO, WEFT_LOG_WARN, WEFT_LOG_ERROR };

void weft_log_init(void);
void weft_log(enum weft_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
