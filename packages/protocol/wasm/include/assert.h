/* Freestanding stand-in for xxhash.h's debug asserts (disabled) and static asserts. */
#define assert(x) ((void)0)
#define static_assert _Static_assert
