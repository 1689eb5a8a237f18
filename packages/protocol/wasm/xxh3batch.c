/*
 * Batch XXH3-64 over Iggy 0.8 message frames, compiled to WebAssembly by scripts/build-wasm.sh.
 *
 * Hashing 1,000 messages with one call per message costs about 0.5-1 ms in JS/WASM libraries on the
 * target machine, mostly call overhead (../shared/PERFORMANCE.md). Here the whole batch is walked and
 * hashed in one call: the caller copies the batch into linear memory once and reads back 8 bytes per
 * message. xxhash.h comes from the system (Debian libxxhash-dev); XXH3 is seed 0, default secret,
 * exactly as reference 5.5 specifies.
 *
 * Message frame: [checksum u64][id u128][offset u64][timestamp u64][origin u64]
 *                [user_headers_length u32 @48][payload_length u32 @52][reserved u64][payload][headers]
 */
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *d, const void *s, size_t n) { unsigned char *a = d; const unsigned char *b = s; while (n--) *a++ = *b++; return d; }
void *memset(void *d, int c, size_t n) { unsigned char *a = d; while (n--) *a++ = (unsigned char)c; return d; }
void *memmove(void *d, const void *s, size_t n) { unsigned char *a = d; const unsigned char *b = s; if (a < b) while (n--) *a++ = *b++; else { a += n; b += n; while (n--) *--a = *--b; } return d; }
int memcmp(const void *a, const void *b, size_t n) { const unsigned char *x = a, *y = b; for (; n; n--, x++, y++) if (*x != *y) return *x - *y; return 0; }

#define XXH_INLINE_ALL
#include <xxhash.h>

#define MESSAGE_HEADER_SIZE 64u
#define CHECKSUM_START 8u
#define WALK_FAILED 0xffffffffu

static inline uint32_t read_u32(const uint8_t *p) { uint32_t v; __builtin_memcpy(&v, p, 4); return v; }

/*
 * For each of `count` messages laid back to back at `base` (`length` bytes), writes XXH3-64 of the
 * message's bytes 8..end as a u64 (little-endian, wasm is LE) at out + 8 * i.
 * Returns the bytes walked, or WALK_FAILED when a message does not fit in `length`.
 */
__attribute__((export_name("checksum_batch")))
uint32_t checksum_batch(uint32_t base, uint32_t length, uint32_t count, uint32_t out) {
  const uint8_t *p = (const uint8_t *)(uintptr_t)base;
  uint64_t *o = (uint64_t *)(uintptr_t)out;
  uint32_t pos = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (pos > length || length - pos < MESSAGE_HEADER_SIZE) return WALK_FAILED;
    uint64_t size = (uint64_t)MESSAGE_HEADER_SIZE + read_u32(p + pos + 52) + read_u32(p + pos + 48);
    if (size > (uint64_t)(length - pos)) return WALK_FAILED;
    o[i] = XXH3_64bits(p + pos + CHECKSUM_START, (size_t)size - CHECKSUM_START);
    pos += (uint32_t)size;
  }
  return pos;
}

/* XXH3-64 of [ptr, ptr + len). */
__attribute__((export_name("xxh3")))
uint64_t xxh3(uint32_t ptr, uint32_t len) { return XXH3_64bits((const void *)(uintptr_t)ptr, len); }

/* First free byte of linear memory: callers place their buffers from here on. */
extern unsigned char __heap_base;
__attribute__((export_name("heap_base")))
uint32_t heap_base(void) { return (uint32_t)(uintptr_t)&__heap_base; }

/* XXH3-64 of [ptr, ptr + len) written as a u64 at `out` (avoids a BigInt return value in JS). */
__attribute__((export_name("xxh3_into")))
void xxh3_into(uint32_t ptr, uint32_t len, uint32_t out) {
  uint64_t h = XXH3_64bits((const void *)(uintptr_t)ptr, len);
  __builtin_memcpy((void *)(uintptr_t)out, &h, 8);
}

/*
 * Checks the stored checksums of `count` messages at `base`: returns the index of the first message
 * whose stored checksum differs, `count` when all match, or WALK_FAILED when a message does not fit.
 */
__attribute__((export_name("verify_batch")))
uint32_t verify_batch(uint32_t base, uint32_t length, uint32_t count) {
  const uint8_t *p = (const uint8_t *)(uintptr_t)base;
  uint32_t pos = 0;
  for (uint32_t i = 0; i < count; i++) {
    if (pos > length || length - pos < MESSAGE_HEADER_SIZE) return WALK_FAILED;
    uint64_t size = (uint64_t)MESSAGE_HEADER_SIZE + read_u32(p + pos + 52) + read_u32(p + pos + 48);
    if (size > (uint64_t)(length - pos)) return WALK_FAILED;
    uint64_t stored;
    __builtin_memcpy(&stored, p + pos, 8);
    if (stored != XXH3_64bits(p + pos + CHECKSUM_START, (size_t)size - CHECKSUM_START)) return i;
    pos += (uint32_t)size;
  }
  return count;
}
