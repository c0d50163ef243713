// AVX2 kernels on Q4_0/Q8_0 weights repacked at load (the avx2 variant; the layout of
// codellm_pack16.h, which the avx512 variant reads too).
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

#define G 16        // rows per packed group
#define TT 4        // tokens per pass over a half group's weights
#define TOKEN_BLOCK 32  // tokens whose activations stay in L2 while the thread's groups go by

int64_t cl_packed_bytes(int32_t type, int32_t rows, int32_t cols) {
    const int64_t gb = pack16_block_bytes(type);
    return gb == 0 ? 0 : (int64_t) ((rows + G - 1) / G) * (cols / QK) * gb;
}

void cl_pack(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1) {
    const int64_t gstride = (int64_t) (cols / QK) * pack16_block_bytes(type);
    for (int32_t g = g0; g < g1; g++) pack16_group(type, w, rowBytes, rows, cols, dst + g * gstride, g, 0);
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

static inline void store8(float *y, __m256 v, int n) {
    if (n >= 8) {
        _mm256_storeu_ps(y, v);
    } else if (n > 0) {
        float t[8];
        _mm256_storeu_ps(t, v);
        memcpy(y, t, sizeof(float) * n);
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

// y[t·yStride + r] for rows r of groups [g0, g1) (r < rows) and every token t of xq.
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride) {
    if (type == PACK16_Q4_0) matmul_packed_q4_0(p, rows, g0, g1, xq, cols, batch, y, yStride);
    else if (type == PACK16_Q8_0) matmul_packed_q8_0(p, rows, g0, g1, xq, cols, batch, y, yStride);
}
