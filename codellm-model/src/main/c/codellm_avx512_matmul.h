// The packed-matmul driver shared by the AVX-512 kernel files: groups of 16 rows × tiles of
// tokens, TILE(group, blocks of 32, activations, activation row bytes, tokens, acc) the kernel,
// UNIT the packed bytes per group per 32 columns.
#ifndef CODELLM_AVX512_MATMUL_H
#define CODELLM_AVX512_MATMUL_H

static inline void store_rows(float *y, const __m512 v, int n) {
    if (n >= G) _mm512_storeu_ps(y, v);
    else _mm512_mask_storeu_ps(y, (__mmask16) ((1u << n) - 1), v);
}

// Tokens per pass over a group's weights, and tokens whose activations stay in L2 while all the
// thread's groups go by (32 tokens × 4096 columns ≈ 160 KB).
#define TT 4
#define TOKEN_BLOCK 32

#define PACKED_MATMUL(NAME, TILE, UNIT)                                                                   \
    static void NAME(const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols, \
                     int32_t batch, float *y, int32_t yStride) {                                    \
        const int nb = cols / QK;                                                                   \
        const int64_t xs = (int64_t) nb * XB, gstride = (int64_t) nb * (UNIT);       \
        __m512 acc[TT];                                                                             \
        for (int32_t t0 = 0; t0 < batch; t0 += TOKEN_BLOCK) {                                       \
            const int32_t t1 = t0 + TOKEN_BLOCK < batch ? t0 + TOKEN_BLOCK : batch;                 \
            for (int32_t g = g0; g < g1; g++) {                                                     \
                const uint8_t *pg = p + g * gstride;                                                \
                const int n = rows - g * G;                                                         \
                int32_t t = t0;                                                                     \
                for (; t + TT <= t1; t += TT) {                                                     \
                    TILE(pg, nb, xq + t * xs, xs, TT, acc);                                         \
                    for (int k = 0; k < TT; k++) store_rows(y + (int64_t) (t + k) * yStride + g * G, acc[k], n); \
                }                                                                                   \
                for (; t < t1; t++) {                                                               \
                    TILE(pg, nb, xq + t * xs, xs, 1, acc);                                          \
                    store_rows(y + (int64_t) t * yStride + g * G, acc[0], n);                       \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

#endif
