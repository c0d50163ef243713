// AVX-512 VNNI kernels for the K-quants (Q4_K, Q5_K, Q6_K) on 16-row groups repacked at load,
// the same scheme as codellm_avx512.c (see there for why): 4 weight bytes of each of 16 rows per
// int32 lane, activation bytes broadcast, scales applied lane-wise. Sub-block scales and mins are
// unpacked from their 6-bit form once at load (one byte per row and sub-block), not per token.
//
// Packed group of 16 rows, per 256-weight super-block (offsets in bytes):
//   Q4_K (2368 B): d[16] f16 @0, dmin[16] f16 @32, sc[8][16] u8 @64, m[8][16] u8 @192,
//        qs @320: per sub-block pair p 8 parts of 64 B, lane i of part k = row i's qs[32p+4k..+3]
//        (low nibbles: sub-block 2p elements 4k.., high nibbles: sub-block 2p+1).
//   Q5_K (2880 B): Q4_K's scales, then per sub-block pair p @320+640p: the fifth bits of sub-blocks
//        2p and 2p+1 (64 B each: byte (i, m) has bit k = fifth bit of element 4k+m of row i),
//        then the pair's qs as Q4_K's.
//   Q6_K (3392 B): d[16] f16 @0, sc[16][16] i8 @32 (one per 16 weights), 32 B of padding (every
//        64 B load on a cache line: split loads cost 20 % from memory), then per quad q of
//        sub-blocks @320+1536q: top two bits (8 parts of 64 B, byte (i, m) of part k holds bits
//        2s..2s+1 = top bits of element 4k+m of sub-block 4q+s), then the low nibbles of the
//        quad's two sub-block pairs as Q4_K's qs.
#include "codellm_kernels.h"
#include "codellm_nibble_k.h"
#include "codellm_pack_k.h"

#define G 16
#include "codellm_avx512_matmul.h"  // TT, PACKED_MATMUL

static inline __m512i bc(const uint8_t *xb, int k) { return _mm512_set1_epi32(xq4(xb, k)); }

static inline __m512 i8_scales(const uint8_t *p) { return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *) p))); }

// Q4_K and Q5_K (five = 1): acc[t] += d·sc·d_x·Σq·x − dmin·m·d_x·Σx per sub-block.
// One token's block xb against an unpacked Q4_K/Q5_K sub-block: d·scale·(w·x) into acc, dmin·m·sum(x)
// into mins (subtracted once at the end).
static inline __attribute__((always_inline)) void dot_nibble_k(const __m512i *w, const uint8_t *xb, __m512 dsc, __m512 dm,
                                                               __m512 *acc, __m512 *mins) {
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    for (int k = 0; k < 8; k += 2) {
        s0 = _mm512_dpbusd_epi32(s0, w[k], bc(xb, k));
        s1 = _mm512_dpbusd_epi32(s1, w[k + 1], bc(xb, k + 1));
    }
    const float dx = xd(xb);
    *acc = _mm512_fmadd_ps(_mm512_mul_ps(dsc, _mm512_set1_ps(dx)), _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1)), *acc);
    *mins = _mm512_fmadd_ps(dm, _mm512_set1_ps(dx * (float) xsum(xb)), *mins);
}

static inline __attribute__((always_inline)) void tile_nibble_k(const uint8_t *p, int nb, const uint8_t *x, int64_t xs, int T,
                                                                __m512 *acc, int five) {
    const int64_t sbBytes = five ? 2880 : 2368;
    __m512 mins[TT];  // the dmin·m terms in their own chain, so each sub-block adds one FMA to acc
    for (int t = 0; t < T; t++) acc[t] = mins[t] = _mm512_setzero_ps();
    for (int sb = 0; sb < nb / 8; sb++, p += sbBytes) {
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 32)));
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++) {
            const __m512 dsc = _mm512_mul_ps(d, u8_scales(p + 64 + 16 * j));
            const __m512 dm = _mm512_mul_ps(dmin, u8_scales(p + 192 + 16 * j));
            __m512i w[8];
            unpack_nibble_k(p, j, five, w);
            for (int t = 0; t < T; t++) dot_nibble_k(w, x + t * xs + (int64_t) (sb * 8 + j) * XB, dsc, dm, acc + t, mins + t);
        }
    }
    for (int t = 0; t < T; t++) acc[t] = _mm512_sub_ps(acc[t], mins[t]);
}

// Q6_K: two scales per sub-block (elements 0-15, 16-31), the −32 offset through the half sums of q.
// Sub-block j unpacked to 8 registers of 64 six-bit weights.
static inline __attribute__((always_inline)) void unpack_q6_k(const uint8_t *p, int j, __m512i *w) {
    const __m512i low = _mm512_set1_epi8(0xF), top = _mm512_set1_epi8(0x30);
    const uint8_t *q = p + q6_low(j), *hq = p + q6_high(j);
    const int s = j % 4;
    for (int k = 0; k < 8; k++) {
        const __m512i v = _mm512_loadu_si512(q + 64 * k);
        const __m512i h = _mm512_loadu_si512(hq + 64 * k);  // sub-block s's two bits to bits 4-5
        const __m512i hi = _mm512_and_si512(s == 2 ? h : s == 3 ? _mm512_srli_epi16(h, 2) : _mm512_slli_epi16(h, 4 - 2 * s), top);
        w[k] = _mm512_or_si512(_mm512_and_si512(j & 1 ? _mm512_srli_epi16(v, 4) : v, low), hi);
    }
}

static inline __attribute__((always_inline)) void dot_q6_k(const __m512i *w, const uint8_t *xb, __m512 sa, __m512 sbv, __m512 *acc) {
    __m512i a = _mm512_set1_epi32(-32 * xsum_lo(xb)), b = _mm512_set1_epi32(-32 * xsum_hi(xb));
    for (int k = 0; k < 4; k++) {
        a = _mm512_dpbusd_epi32(a, w[k], bc(xb, k));
        b = _mm512_dpbusd_epi32(b, w[k + 4], bc(xb, k + 4));
    }
    const __m512 f = _mm512_fmadd_ps(_mm512_cvtepi32_ps(a), sa, _mm512_mul_ps(_mm512_cvtepi32_ps(b), sbv));
    *acc = _mm512_fmadd_ps(f, _mm512_set1_ps(xd(xb)), *acc);
}

static inline __attribute__((always_inline)) void tile_q6_k(const uint8_t *p, int nb, const uint8_t *x, int64_t xs, int T,
                                                            __m512 *acc) {
    for (int t = 0; t < T; t++) acc[t] = _mm512_setzero_ps();
    for (int sb = 0; sb < nb / 8; sb++, p += 3392) {
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p));
#pragma GCC unroll 8  // j constant: the shifts in unpack_q6_k become immediates, one per register
        for (int j = 0; j < 8; j++) {
            const __m512 sa = _mm512_mul_ps(d, i8_scales(p + 32 + 32 * j)), sbv = _mm512_mul_ps(d, i8_scales(p + 48 + 32 * j));
            __m512i w[8];
            unpack_q6_k(p, j, w);
            for (int t = 0; t < T; t++) dot_q6_k(w, x + t * xs + (int64_t) (sb * 8 + j) * XB, sa, sbv, acc + t);
        }
    }
}

// One token, one sub-block j of one group's super-block p (the same arithmetic as the tiles), for
// the MV_GROUPS-streams generation kernels below.
static inline __attribute__((always_inline)) void sub_nibble_k(const uint8_t *p, int j, const uint8_t *xb, __m512 *acc,
                                                               __m512 *mins, int five) {
    const __m512 dsc = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p)), u8_scales(p + 64 + 16 * j));
    const __m512 dm = _mm512_mul_ps(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 32))), u8_scales(p + 192 + 16 * j));
    __m512i w[8];
    unpack_nibble_k(p, j, five, w);
    dot_nibble_k(w, xb, dsc, dm, acc, mins);
}

static inline __attribute__((always_inline)) void sub_q6_k(const uint8_t *p, int j, const uint8_t *xb, __m512 *acc) {
    const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p));
    const __m512 sa = _mm512_mul_ps(d, i8_scales(p + 32 + 32 * j)), sbv = _mm512_mul_ps(d, i8_scales(p + 48 + 32 * j));
    __m512i w[8];
    unpack_q6_k(p, j, w);
    dot_q6_k(w, xb, sa, sbv, acc);
}

// One token against MV_GROUPS groups side by side (see PACKED_MATMUL_MV), sub-block by sub-block.
static inline __attribute__((always_inline)) void mv_nibble_k(const uint8_t *p, int64_t gs, int nb, const uint8_t *x, __m512 *acc,
                                                              int five) {
    const int64_t sbBytes = five ? 2880 : 2368;
    __m512 mins[MV_GROUPS];
    for (int g = 0; g < MV_GROUPS; g++) acc[g] = mins[g] = _mm512_setzero_ps();
    for (int sb = 0; sb < nb / 8; sb++, p += sbBytes) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
            for (int g = 0; g < MV_GROUPS; g++) sub_nibble_k(p + g * gs, j, x + (int64_t) (sb * 8 + j) * XB, acc + g, mins + g, five);
    }
    for (int g = 0; g < MV_GROUPS; g++) acc[g] = _mm512_sub_ps(acc[g], mins[g]);
}
static inline __attribute__((always_inline)) void mv_q4_k(const uint8_t *p, int64_t gs, int nb, const uint8_t *x, __m512 *acc) {
    mv_nibble_k(p, gs, nb, x, acc, 0);
}
static inline __attribute__((always_inline)) void mv_q5_k(const uint8_t *p, int64_t gs, int nb, const uint8_t *x, __m512 *acc) {
    mv_nibble_k(p, gs, nb, x, acc, 1);
}
static inline __attribute__((always_inline)) void mv_q6_k(const uint8_t *p, int64_t gs, int nb, const uint8_t *x, __m512 *acc) {
    for (int g = 0; g < MV_GROUPS; g++) acc[g] = _mm512_setzero_ps();
    for (int sb = 0; sb < nb / 8; sb++, p += 3392) {
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
            for (int g = 0; g < MV_GROUPS; g++) sub_q6_k(p + g * gs, j, x + (int64_t) (sb * 8 + j) * XB, acc + g);
    }
}

static inline __attribute__((always_inline)) void tile_q4_k(const uint8_t *p, int nb, const uint8_t *x, int64_t xs, int T, __m512 *acc) {
    tile_nibble_k(p, nb, x, xs, T, acc, 0);
}
static inline __attribute__((always_inline)) void tile_q5_k(const uint8_t *p, int nb, const uint8_t *x, int64_t xs, int T, __m512 *acc) {
    tile_nibble_k(p, nb, x, xs, T, acc, 1);
}

PACKED_MATMUL_MV(k_matmul_q4_k, tile_q4_k, mv_q4_k, 2368 / 8)
PACKED_MATMUL_MV(k_matmul_q5_k, tile_q5_k, mv_q5_k, 2880 / 8)
PACKED_MATMUL_MV(k_matmul_q6_k, tile_q6_k, mv_q6_k, 3392 / 8)

void k_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                     int32_t batch, float *y, int32_t yStride) {
    switch (type) {
        case 12: k_matmul_q4_k(p, rows, g0, g1, xq, cols, batch, y, yStride); break;
        case 13: k_matmul_q5_k(p, rows, g0, g1, xq, cols, batch, y, yStride); break;
        case 14: k_matmul_q6_k(p, rows, g0, g1, xq, cols, batch, y, yStride); break;
        default: break;
    }
}
