// The packed Q4_K/Q5_K group layout's plane offsets and sub-block unpack (layout in
// codellm_avx512_k.c's header comment), shared by the avx512 kernels and the amx prompt tiles.
#ifndef CODELLM_NIBBLE_K_H
#define CODELLM_NIBBLE_K_H
#include "codellm_pack_k.h"

static inline __m512 u8_scales(const uint8_t *p) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) p))); }

// Q4_K/Q5_K sub-block j of super-block p unpacked to 8 registers of 64 weights (0-15, or 0-31 with
// Q5_K's fifth bit), shared by the prompt tiles and the MV_GROUPS generation kernels.
static inline __attribute__((always_inline)) void unpack_nibble_k(const uint8_t *p, int j, int five, __m512i *w) {
    const __m512i low = _mm512_set1_epi8(0xF), sixteen = _mm512_set1_epi8(16);
    const uint8_t *q = p + nibble_k_qs(j / 2, five);
    for (int k = 0; k < 8; k++) {
        const __m512i v = _mm512_loadu_si512(q + 64 * k);
        w[k] = _mm512_and_si512(j & 1 ? _mm512_srli_epi16(v, 4) : v, low);
    }
    if (five) {
        const __m512i h = _mm512_loadu_si512(p + q5_fifth(j));
        for (int k = 0; k < 8; k++)
            w[k] = _mm512_mask_add_epi8(w[k], _mm512_test_epi8_mask(h, _mm512_set1_epi8((char) (1 << k))), w[k], sixteen);
    }
}

#endif
