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

// One token (generation) over MV_GROUPS groups at once: MVTILE(first group, group stride, blocks,
// activations, acc[MV_GROUPS]) reads MV_GROUPS weight streams side by side and shares each
// activation broadcast between them. Why: one group is one sequential stream, and a core reading
// a single stream from memory stays below what it reads from several (llama.cpp's one-token AMX
// kernel runs 4 tiles of 16 rows the same way). Other batches, and the last groups, go to the
// per-group driver NAME##_tiles.
#define MV_GROUPS 4
#define PACKED_MATMUL_MV(NAME, TILE, MVTILE, UNIT)                                                        \
    PACKED_MATMUL(NAME##_tiles, TILE, UNIT)                                                             \
    static void NAME(const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols, \
                     int32_t batch, float *y, int32_t yStride) {                                        \
        const int nb = cols / QK;                                                                       \
        const int64_t gstride = (int64_t) nb * (UNIT);                                                  \
        int32_t g = g0;                                                                                 \
        if (batch == 1) {                                                                               \
            __m512 acc[MV_GROUPS];                                                                      \
            for (; g + MV_GROUPS <= g1; g += MV_GROUPS) {                                               \
                MVTILE(p + g * gstride, gstride, nb, xq, acc);                                          \
                for (int k = 0; k < MV_GROUPS; k++) store_rows(y + (g + k) * G, acc[k], rows - (g + k) * G); \
            }                                                                                           \
        }                                                                                               \
        if (g < g1) NAME##_tiles(p, rows, g, g1, xq, cols, batch, y, yStride);                          \
    }

#endif
