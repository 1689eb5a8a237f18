/* Freestanding stand-in: xxhash.h includes <stdlib.h> for its streaming API, which is not used. */
#ifndef WASM_STDLIB_H
#define WASM_STDLIB_H
#include <stddef.h>
static inline void *malloc(size_t n) { (void)n; return 0; }
static inline void free(void *p) { (void)p; }
#endif
