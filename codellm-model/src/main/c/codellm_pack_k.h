// The packed K-quant group's plane offsets (layout in codellm_avx512_k.c's header comment) and its
// packer (codellm_pack_k.c), shared by every variant that reads the layout.
#ifndef CODELLM_PACK_K_H
#define CODELLM_PACK_K_H
#include <stdint.h>

int64_t k_unit_bytes(int32_t type);  // packed bytes per group per 32 columns, 0 for a type without the layout
void k_pack_group(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *out, int32_t g);

static inline int nibble_k_qs(int pair, int five) { return five ? 320 + 640 * pair + 128 : 320 + 512 * pair; }
static inline int q5_fifth(int j) { return 320 + 640 * (j / 2) + 64 * (j % 2); }
// Offsets of the planes inside a packed super-block, in the order the tiles read them, so that
// memory is read strictly forward (the planes a sub-block needs before the next sub-block's).
// Why: with the high-bit planes in a second region 2 KB on, Q5_K and Q6_K generation ran at
// 7-8 GB/s from memory while the same kernels ran 16-18 GB/s from cache.
static inline int q6_high(int j) { return 320 + 1536 * (j / 4); }
static inline int q6_low(int j) { return 320 + 1536 * (j / 4) + 512 + 512 * ((j / 2) % 2); }

#endif
