#ifndef COMMUNIS_CCOMPRESSION_SHIM_H
#define COMMUNIS_CCOMPRESSION_SHIM_H
#include <zlib.h>
#include <brotli/encode.h>

/* deflateInit2 is a macro (it passes the zlib version and the stream's size), which Swift
   cannot call. windowBits 15 + 16 asks zlib for a gzip header and trailer (RFC 1952). */
static inline int communis_deflate_init_gzip(z_stream *stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
}
#endif
