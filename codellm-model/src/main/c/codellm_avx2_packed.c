// AVX2 kernels on weights repacked at load (the avx2 variant): Q4_0/Q8_0 in the 16-row groups of
// codellm_pack16.h, Q4_K/Q5_K/Q6_K in those of codellm_pack_k.h; the avx512 variant reads the
// same layouts. (F16/BF16: codellm_avx2_float.c, a layout of this variant's own.)
//
// Why: on ggml's layout each row's 32-weight block ends in a horizontal sum and scalar scale work
// (the f16 scale, d_w·d_x, the Q4_0 correction) per row, so a one-row dot ran at 15 tokens/s on a
// 4-layer CodeLlama-7B Q4_0 file where llama.cpp (which repacks Q4_0 to 8-row blocks for AVX2)
// ran 17.6, and prompts at half its speed. Here one ymm holds 4 weights of each of 8 rows: 4
// activation bytes broadcast to every lane, vpmaddubsw + vpmaddwd give 8 rows' partial dots at
// once, the block scales multiply lane-wise (8 f16 per load) and nothing horizontal is left.
// A 16-row group is two halves of 8 rows (bytes 0-31 and 32-63 of every 64-byte part).
//
// Exactness: every block's dot is an exact int32 (Q4_0: nibbles 0..15 × |x| ≤ 127 summed over the
// block's 8 parts stays below 2^15 in the int16 lanes of vpmaddubsw, 8·2·15·127 = 30480; Q8_0:
// |q| × x with q's sign moved onto x, one part per vpmaddwd: 2·128·127 = 32512), then
// acc += (d_w·d_x)·dot in float, block after block, one chain per token: a token gets the same
// bits alone as in a batch (prompt-lookup decoding relies on it), and the same as the avx512
// variant's integer dot.
#include "codellm_kernels.h"
#include "codellm_pack16.h"
#include "codellm_avx2_float.h"

#define G 16        // rows per packed group
#define TT 4        // tokens per pass over a half group's weights
#define TOKEN_BLOCK 32  // tokens whose activations stay in L2 while the thread's groups go by

enum { T_Q4_K = 12, T_Q5_K = 13, T_Q6_K = 14 };

// Every packed type of this variant: the int8 ones here, F16/BF16 in codellm_avx2_float.c.
int64_t cl_packed_bytes(int32_t type, int32_t rows, int32_t cols) {
    const int64_t f = float_packed_bytes(type, rows, cols);
    return f != 0 ? f : packed_matrix_bytes(type, rows, cols);
}

// Q8_0 kept signed: vpmaddubsw takes |q| and moves q's sign onto the activations.
void cl_pack(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1) {
    if (float_packed_bytes(type, rows, cols) != 0) float_pack_groups(w, rowBytes, rows, cols, dst, g0, g1);
    else pack_groups(type, w, rowBytes, rows, cols, dst, g0, g1, 0);
}

static inline __m256i bcast4(const uint8_t *xb, int k) { return _mm256_set1_epi32(xq4(xb, k)); }

// Half h (8 rows) of one Q4_0 block against T tokens: acc[t] lane i += d_i·d_x·(Σ n·q − 8·Σq).
static inline __attribute__((always_inline)) void half_q4_0(const uint8_t *sc, const uint8_t *q, int h, const uint8_t *x,
                                                            int64_t xs, int T, __m256 *acc) {
    const __m256i low = _mm256_set1_epi8(0xF), ones = _mm256_set1_epi16(1);
    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (sc + 16 * h)));
    __m256i w[8];
    for (int k = 0; k < 4; k++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *) (q + 64 * k + 32 * h));
        w[k] = _mm256_and_si256(v, low);
        w[k + 4] = _mm256_and_si256(_mm256_srli_epi16(v, 4), low);
    }
    for (int t = 0; t < T; t++) {
        const uint8_t *xb = x + t * xs;
        __m256i p = _mm256_maddubs_epi16(w[0], bcast4(xb, 0));
        for (int k = 1; k < 8; k++) p = _mm256_add_epi16(p, _mm256_maddubs_epi16(w[k], bcast4(xb, k)));
        const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(p, ones), _mm256_set1_epi32(-8 * xsum(xb)));
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(xd(xb))), _mm256_cvtepi32_ps(s), acc[t]);
    }
}

// Half h of one Q8_0 block (q stored as is) against T tokens: |q|·(x with q's sign).
static inline __attribute__((always_inline)) void half_q8_0(const uint8_t *sc, const uint8_t *q, int h, const uint8_t *x,
                                                            int64_t xs, int T, __m256 *acc) {
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (sc + 16 * h)));
    __m256i s[TT];
    for (int t = 0; t < T; t++) s[t] = _mm256_setzero_si256();
    for (int k = 0; k < 8; k++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *) (q + 64 * k + 32 * h));
        const __m256i a = _mm256_sign_epi8(v, v);
        for (int t = 0; t < T; t++)
            s[t] = _mm256_add_epi32(s[t], _mm256_madd_epi16(_mm256_maddubs_epi16(a, _mm256_sign_epi8(bcast4(x + t * xs, k), v)), ones));
    }
    for (int t = 0; t < T; t++) {
        const uint8_t *xb = x + t * xs;
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(xd(xb))), _mm256_cvtepi32_ps(s[t]), acc[t]);
    }
}

// T tokens against one packed group (nb blocks of UNIT bytes, in pairs as block_parts says), half
// by half: a half's 8 weight registers stay loaded while the T tokens pass; the second half's
// bytes share the first's cache lines, so they come from L1/L2, not memory.
#define GROUP_TILE(NAME, HALF, UNIT)                                                                        \
    static inline __attribute__((always_inline)) void NAME(uint8_t *pg, int nb, const uint8_t *x, int64_t xs, int T, \
                                                          float *y, int32_t yStride, int n) {               \
        for (int h = 0; h < 2; h++) {                                                                       \
            __m256 acc[TT];                                                                                 \
            for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();                                       \
            for (int b = 0; b < nb; b++) {                                                                  \
                uint8_t *sc, *q;                                                                            \
                block_parts(pg, b, nb, (UNIT), &sc, &q);                                                    \
                HALF(sc, q, h, x + (int64_t) b * XB, xs, T, acc);                                           \
            }                                                                                               \
            for (int t = 0; t < T; t++) store8(y + (int64_t) t * yStride + 8 * h, acc[t], n - 8 * h);       \
        }                                                                                                   \
    }

GROUP_TILE(group_q4_0, half_q4_0, 288)
GROUP_TILE(group_q8_0, half_q8_0, 544)

// Groups [g0, g1) × every token: tokens in blocks of TOKEN_BLOCK, tiles of TT, then one by one.
#define PACKED_MATMUL(NAME, TILE, UNIT)                                                                     \
    static void NAME(const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols, \
                     int32_t batch, float *y, int32_t yStride) {                                            \
        const int nb = cols / QK;                                                                           \
        const int64_t xs = (int64_t) nb * XB, gstride = (int64_t) nb * (UNIT);                              \
        for (int32_t t0 = 0; t0 < batch; t0 += TOKEN_BLOCK) {                                               \
            const int32_t t1 = t0 + TOKEN_BLOCK < batch ? t0 + TOKEN_BLOCK : batch;                         \
            for (int32_t g = g0; g < g1; g++) {                                                             \
                uint8_t *pg = (uint8_t *) p + g * gstride;                                                  \
                float *yg = y + g * G;                                                                      \
                const int n = rows - g * G;                                                                 \
                int32_t t = t0;                                                                             \
                for (; t + TT <= t1; t += TT) TILE(pg, nb, xq + t * xs, xs, TT, yg + (int64_t) t * yStride, yStride, n); \
                for (; t < t1; t++) TILE(pg, nb, xq + t * xs, xs, 1, yg + (int64_t) t * yStride, yStride, n); \
            }                                                                                               \
        }                                                                                                   \
    }

PACKED_MATMUL(matmul_packed_q4_0_tiles, group_q4_0, 288)
PACKED_MATMUL(matmul_packed_q8_0_tiles, group_q8_0, 544)

// One token (generation) over MV_GROUPS groups side by side, both halves of each in one pass: one
// group at a time read each weight line twice (the second half from L2) as a single stream, and one
// core reads a single stream from memory slower than several (as in codellm_avx512_matmul.h). The
// arithmetic per half and block is the tile's, so the bits are the same as for a token in a batch.
#define MV_GROUPS 4
#define PACKED_MATMUL_MV(NAME, HALF, UNIT)                                                                  \
    static void NAME(const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols, \
                     int32_t batch, float *y, int32_t yStride) {                                            \
        const int nb = cols / QK;                                                                           \
        const int64_t gstride = (int64_t) nb * (UNIT);                                                      \
        int32_t g = g0;                                                                                     \
        if (batch == 1) {                                                                                   \
            for (; g + MV_GROUPS <= g1; g += MV_GROUPS) {                                                   \
                __m256 acc[2 * MV_GROUPS];                                                                  \
                for (int i = 0; i < 2 * MV_GROUPS; i++) acc[i] = _mm256_setzero_ps();                       \
                for (int b = 0; b < nb; b++)                                                                \
                    for (int k = 0; k < MV_GROUPS; k++) {                                                   \
                        uint8_t *sc, *q;                                                                    \
                        block_parts((uint8_t *) p + (g + k) * gstride, b, nb, (UNIT), &sc, &q);             \
                        HALF(sc, q, 0, xq + (int64_t) b * XB, 0, 1, acc + 2 * k);                           \
                        HALF(sc, q, 1, xq + (int64_t) b * XB, 0, 1, acc + 2 * k + 1);                       \
                    }                                                                                       \
                for (int k = 0; k < MV_GROUPS; k++)                                                         \
                    for (int h = 0; h < 2; h++) store8(y + (g + k) * G + 8 * h, acc[2 * k + h], rows - (g + k) * G - 8 * h); \
            }                                                                                               \
        }                                                                                                   \
        if (g < g1) NAME##_tiles(p, rows, g, g1, xq, cols, batch, y, yStride);                              \
    }

PACKED_MATMUL_MV(matmul_packed_q4_0, half_q4_0, 288)
PACKED_MATMUL_MV(matmul_packed_q8_0, half_q8_0, 544)

// ---- K-quants: per super-block of 256 columns, 8 sub-blocks j of 32; half h = rows 8h..8h+7 ----

static inline __m256 u8_scales8(const uint8_t *p) { return _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *) p))); }
static inline __m256 i8_scales8(const uint8_t *p) { return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *) p))); }
static inline __m256 f16x8(const uint8_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p)); }

// Q4_K/Q5_K sub-block j of super-block p, half h, against T tokens (xb: token 0's block j):
// acc += d·sc·d_x·Σq·x, mins += dmin·m·d_x·Σx (subtracted once at the end), as the avx512 kernel.
// Q4_K nibbles sum over the 8 parts in int16 (8·2·15·127 < 2^15); Q5_K's 0..31 over 4 parts at a time.
static inline __attribute__((always_inline)) void half_nibble_k(const uint8_t *p, int j, int h, int five, const uint8_t *xb,
                                                                int64_t xs, int T, __m256 *acc, __m256 *mins) {
    const __m256i low = _mm256_set1_epi8(0xF), sixteen = _mm256_set1_epi8(16), ones = _mm256_set1_epi16(1);
    const __m256 dsc = _mm256_mul_ps(f16x8(p + 16 * h), u8_scales8(p + 64 + 16 * j + 8 * h));
    const __m256 dm = _mm256_mul_ps(f16x8(p + 32 + 16 * h), u8_scales8(p + 192 + 16 * j + 8 * h));
    const uint8_t *q = p + nibble_k_qs(j / 2, five) + 32 * h;
    __m256i w[8];
    for (int k = 0; k < 8; k++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *) (q + 64 * k));
        w[k] = _mm256_and_si256(j & 1 ? _mm256_srli_epi16(v, 4) : v, low);
    }
    if (five) {
        const __m256i hb = _mm256_loadu_si256((const __m256i *) (p + q5_fifth(j) + 32 * h));
        for (int k = 0; k < 8; k++) {
            const __m256i bit = _mm256_set1_epi8((char) (1 << k));
            w[k] = _mm256_add_epi8(w[k], _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hb, bit), bit), sixteen));
        }
    }
    for (int t = 0; t < T; t++) {
        const uint8_t *x = xb + t * xs;
        __m256i s;
        if (five) {
            __m256i a = _mm256_maddubs_epi16(w[0], bcast4(x, 0)), b = _mm256_maddubs_epi16(w[4], bcast4(x, 4));
            for (int k = 1; k < 4; k++) {
                a = _mm256_add_epi16(a, _mm256_maddubs_epi16(w[k], bcast4(x, k)));
                b = _mm256_add_epi16(b, _mm256_maddubs_epi16(w[k + 4], bcast4(x, k + 4)));
            }
            s = _mm256_add_epi32(_mm256_madd_epi16(a, ones), _mm256_madd_epi16(b, ones));
        } else {
            __m256i a = _mm256_maddubs_epi16(w[0], bcast4(x, 0));
            for (int k = 1; k < 8; k++) a = _mm256_add_epi16(a, _mm256_maddubs_epi16(w[k], bcast4(x, k)));
            s = _mm256_madd_epi16(a, ones);
        }
        const float dx = xd(x);
        acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dsc, _mm256_set1_ps(dx)), _mm256_cvtepi32_ps(s), acc[t]);
        mins[t] = _mm256_fmadd_ps(dm, _mm256_set1_ps(dx * (float) xsum(x)), mins[t]);
    }
}

// Q6_K sub-block j, half h: 6-bit values (low nibble plane + top-two-bit plane), two scales per
// sub-block (elements 0-15: parts 0-3, 16-31: parts 4-7), the −32 through the half sums of q; two
// parts per int16 sum (2·2·63·127 < 2^15).
static inline __attribute__((always_inline)) void half_q6_k(const uint8_t *p, int j, int h, const uint8_t *xb, int64_t xs, int T,
                                                            __m256 *acc) {
    const __m256i low = _mm256_set1_epi8(0xF), top = _mm256_set1_epi8(0x30), ones = _mm256_set1_epi16(1);
    const __m256 d = f16x8(p + 16 * h);
    const __m256 sa = _mm256_mul_ps(d, i8_scales8(p + 32 + 32 * j + 8 * h)), sbv = _mm256_mul_ps(d, i8_scales8(p + 48 + 32 * j + 8 * h));
    const uint8_t *ql = p + q6_low(j) + 32 * h, *qh = p + q6_high(j) + 32 * h;
    const int s4 = j % 4;
    __m256i w[8];
    for (int k = 0; k < 8; k++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *) (ql + 64 * k));
        const __m256i hb = _mm256_loadu_si256((const __m256i *) (qh + 64 * k));
        const __m256i hi = _mm256_and_si256(s4 == 2 ? hb : s4 == 3 ? _mm256_srli_epi16(hb, 2) : _mm256_slli_epi16(hb, 4 - 2 * s4), top);
        w[k] = _mm256_or_si256(_mm256_and_si256(j & 1 ? _mm256_srli_epi16(v, 4) : v, low), hi);
    }
    for (int t = 0; t < T; t++) {
        const uint8_t *x = xb + t * xs;
        __m256i a = _mm256_set1_epi32(-32 * xsum_lo(x)), b = _mm256_set1_epi32(-32 * xsum_hi(x));
        for (int k = 0; k < 4; k += 2) {
            a = _mm256_add_epi32(a, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(w[k], bcast4(x, k)),
                                                                       _mm256_maddubs_epi16(w[k + 1], bcast4(x, k + 1))), ones));
            b = _mm256_add_epi32(b, _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(w[k + 4], bcast4(x, k + 4)),
                                                                       _mm256_maddubs_epi16(w[k + 5], bcast4(x, k + 5))), ones));
        }
        const __m256 f = _mm256_fmadd_ps(_mm256_cvtepi32_ps(a), sa, _mm256_mul_ps(_mm256_cvtepi32_ps(b), sbv));
        acc[t] = _mm256_fmadd_ps(f, _mm256_set1_ps(xd(x)), acc[t]);
    }
}

// One K-quant group against T tokens, half by half (as GROUP_TILE): TYPE 12/13/14.
static inline __attribute__((always_inline)) void group_k(int type, const uint8_t *pg, int nb, const uint8_t *x, int64_t xs, int T,
                                                          float *y, int32_t yStride, int n) {
    const int64_t sbBytes = k_unit_bytes(type) * 8;
    for (int h = 0; h < 2; h++) {
        __m256 acc[TT], mins[TT];
        for (int t = 0; t < T; t++) acc[t] = mins[t] = _mm256_setzero_ps();
        for (int sb = 0; sb < nb / 8; sb++) {
            const uint8_t *p = pg + sb * sbBytes;
#pragma GCC unroll 8
            for (int j = 0; j < 8; j++) {
                const uint8_t *xb = x + (int64_t) (sb * 8 + j) * XB;
                if (type == T_Q6_K) half_q6_k(p, j, h, xb, xs, T, acc);
                else half_nibble_k(p, j, h, type == T_Q5_K, xb, xs, T, acc, mins);
            }
        }
        for (int t = 0; t < T; t++) {
            const __m256 r = type == T_Q6_K ? acc[t] : _mm256_sub_ps(acc[t], mins[t]);
            store8(y + (int64_t) t * yStride + 8 * h, r, n - 8 * h);
        }
    }
}

// One token over K_MV_GROUPS groups side by side, both halves in one pass (as PACKED_MATMUL_MV).
#define K_MV_GROUPS 2
static inline __attribute__((always_inline)) void mv_k(int type, const uint8_t *p, int64_t gstride, int nb, const uint8_t *x,
                                                       float *y, int rows, int32_t g) {
    const int64_t sbBytes = k_unit_bytes(type) * 8;
    __m256 acc[2 * K_MV_GROUPS], mins[2 * K_MV_GROUPS];
    for (int i = 0; i < 2 * K_MV_GROUPS; i++) acc[i] = mins[i] = _mm256_setzero_ps();
    for (int sb = 0; sb < nb / 8; sb++)
        for (int j = 0; j < 8; j++) {
            const uint8_t *xb = x + (int64_t) (sb * 8 + j) * XB;
            for (int k = 0; k < K_MV_GROUPS; k++) {
                const uint8_t *ps = p + (g + k) * gstride + sb * sbBytes;
                for (int h = 0; h < 2; h++) {
                    if (type == T_Q6_K) half_q6_k(ps, j, h, xb, 0, 1, acc + 2 * k + h);
                    else half_nibble_k(ps, j, h, type == T_Q5_K, xb, 0, 1, acc + 2 * k + h, mins + 2 * k + h);
                }
            }
        }
    for (int k = 0; k < K_MV_GROUPS; k++)
        for (int h = 0; h < 2; h++) {
            const __m256 r = type == T_Q6_K ? acc[2 * k + h] : _mm256_sub_ps(acc[2 * k + h], mins[2 * k + h]);
            store8(y + (g + k) * G + 8 * h, r, rows - (g + k) * G - 8 * h);
        }
}

#define K_MATMUL(NAME, TYPE)                                                                                \
    static void NAME(const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols, \
                     int32_t batch, float *y, int32_t yStride) {                                            \
        const int nb = cols / QK;                                                                           \
        const int64_t xs = (int64_t) nb * XB, gstride = (int64_t) nb * k_unit_bytes(TYPE);                  \
        int32_t gm = g0;                                                                                    \
        if (batch == 1)                                                                                     \
            for (; gm + K_MV_GROUPS <= g1; gm += K_MV_GROUPS) mv_k(TYPE, p, gstride, nb, xq, y, rows, gm);  \
        for (int32_t t0 = 0; t0 < batch; t0 += TOKEN_BLOCK) {                                               \
            const int32_t t1 = t0 + TOKEN_BLOCK < batch ? t0 + TOKEN_BLOCK : batch;                         \
            for (int32_t g = gm; g < g1; g++) {                                                             \
                const uint8_t *pg = p + g * gstride;                                                        \
                float *yg = y + g * G;                                                                      \
                const int n = rows - g * G;                                                                 \
                int32_t t = t0;                                                                             \
                for (; t + TT <= t1; t += TT) group_k(TYPE, pg, nb, xq + t * xs, xs, TT, yg + (int64_t) t * yStride, yStride, n); \
                for (; t < t1; t++) group_k(TYPE, pg, nb, xq + t * xs, xs, 1, yg + (int64_t) t * yStride, yStride, n); \
            }                                                                                               \
        }                                                                                                   \
    }

K_MATMUL(matmul_packed_q4_k, T_Q4_K)
K_MATMUL(matmul_packed_q5_k, T_Q5_K)
K_MATMUL(matmul_packed_q6_k, T_Q6_K)

// y[t·yStride + r] for rows r of groups [g0, g1) (r < rows) and every token t of xq.
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride) {
    if (type == PACK16_Q4_0) matmul_packed_q4_0(p, rows, g0, g1, xq, cols, batch, y, yStride);
    else if (type == PACK16_Q8_0) matmul_packed_q8_0(p, rows, g0, g1, xq, cols, batch, y, yStride);
    else if (type == T_Q4_K) matmul_packed_q4_k(p, rows, g0, g1, xq, cols, batch, y, yStride);
    else if (type == T_Q5_K) matmul_packed_q5_k(p, rows, g0, g1, xq, cols, batch, y, yStride);
    else if (type == T_Q6_K) matmul_packed_q6_k(p, rows, g0, g1, xq, cols, batch, y, yStride);
}
