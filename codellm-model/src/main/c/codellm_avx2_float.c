// F16 and BF16 weights on the avx2 variant, repacked at load into k-major groups of 16 rows:
// column c of a group is 16 consecutive 16-bit values (rows 0-15), 32 bytes, so one k-step loads
// two ymm of 8 rows' weights (vcvtph2ps, or a 16-bit shift for BF16) and broadcasts one float
// activation per token: an outer-product tile of 16 rows × 6 tokens (12 accumulators).
//
// Why: the dot-form tile on ggml's layout (codellm_f16.c, 2 rows × 4 tokens in 16 ymm) loads
// 4 activation vectors and 2 weight vectors for 8 FMAs, 160 bytes per 4 cycles of FMA work: on a
// Zen 3 core that streams the activations from L2 at about its bandwidth, and the matmul ran at
// 56-62 GFLOP/s a core (prompts at 0.41× llama.cpp's F16). Here a k-step reads 32 bytes of weights
// and 24 of activations for 12 FMAs: 88-95 GFLOP/s in the same harness, 101 being the FMA bound.
//
// Order of the sums: every (row, token) is one FMA chain over k = 0, 1, 2, ... in order, whatever
// the batch; a K chunk after the first starts from the chain's value stored in y (a float, so
// storing it rounds nothing), so a token gets the same bits alone as in a batch and for every
// chunking (prompt-lookup decoding verifies drafts in one batch and relies on it).
#include "codellm_kernels.h"
#include "codellm_avx2_float.h"

#define FG 16   // rows per group
#define FT 6    // tokens per tile
// Columns per K chunk and tokens per block (a group's chunk, 64 KB, and a tile's activations, 48
// KB, come from L2). Measured (C harness, 4096 × 4096 and 11008 × 4096, 256-512 tokens, 1 thread,
// best of 6, alternated twice): KC 512 / TB 120 81-89 GFLOP/s, 1024 / 30 80-89, 2048 / 120 95,
// 4096 / 240 94-96 (the FMA bound measured by a bare FMA loop: 101-102).
#define KC 2048
#define TB 120
#define MVG 4   // groups side by side in the one-token matvec (8 independent FMA chains)

int64_t float_packed_bytes(int32_t type, int32_t rows, int32_t cols) {
    if (type != FLOAT_T_F16 && type != FLOAT_T_BF16) return 0;
    return (int64_t) ((rows + FG - 1) / FG) * cols * FG * 2;
}

// Groups [g0, g1) of the ggml-layout matrix w (rows of rowBytes bytes) into dst; rows past the end are zero.
void float_pack_groups(const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1) {
    for (int32_t g = g0; g < g1; g++) {
        uint16_t *out = (uint16_t *) (dst + (int64_t) g * cols * FG * 2);
        for (int i = 0; i < FG; i++) {
            const int64_t r = (int64_t) g * FG + i;
            if (r >= rows) {
                for (int32_t c = 0; c < cols; c++) out[(int64_t) c * FG + i] = 0;
                continue;
            }
            const uint16_t *src = (const uint16_t *) (w + r * rowBytes);
            for (int32_t c = 0; c < cols; c++) out[(int64_t) c * FG + i] = src[c];
        }
    }
}

static inline __attribute__((always_inline)) __m256 ld8(int type, const uint16_t *p) {
    const __m128i h = _mm_loadu_si128((const __m128i *) p);
    if (type == FLOAT_T_F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// The first n (≤ 8) lanes of y (the rest 0), as store8 writes them back.
static inline __m256 get8(const float *y, int n) {
    if (n >= 8) return _mm256_loadu_ps(y);
    float t[8] = {0};
    if (n > 0) memcpy(t, y, sizeof(float) * n);
    return _mm256_loadu_ps(t);
}

// Group pg (its column k at pg + 16k) × NT tokens of the packed activations xp (column k of the
// tile's tokens at xp + FT·(k - k0)) over columns [k0, k1), into y[t·ys + i] for the group's first
// n rows; first: the chains start at 0, else from y.
static inline __attribute__((always_inline)) void tile(int type, const uint16_t *pg, const float *xp, int k0, int k1,
                                                      const int NT, float *y, int64_t ys, int first, int n) {
    __m256 a[FT][2];
    for (int t = 0; t < NT; t++) {
        a[t][0] = first ? _mm256_setzero_ps() : get8(y + t * ys, n);
        a[t][1] = first ? _mm256_setzero_ps() : get8(y + t * ys + 8, n - 8);
    }
    for (int k = k0; k < k1; k++, xp += FT) {
        const __m256 w0 = ld8(type, pg + (int64_t) k * FG), w1 = ld8(type, pg + (int64_t) k * FG + 8);
        for (int t = 0; t < NT; t++) {
            const __m256 xv = _mm256_broadcast_ss(xp + t);
            a[t][0] = _mm256_fmadd_ps(w0, xv, a[t][0]);
            a[t][1] = _mm256_fmadd_ps(w1, xv, a[t][1]);
        }
    }
    for (int t = 0; t < NT; t++) {
        store8(y + t * ys, a[t][0], n);
        store8(y + t * ys + 8, a[t][1], n - 8);
    }
}

// Tokens [t0, t1) × columns [k0, k1) of x (rows of cols floats) into xp, tile by tile of FT
// tokens, each tile column-major (FT floats per column, the last tile's missing tokens zero): the
// tile's broadcasts then read one forward stream instead of six token rows cols·4 bytes apart
// (16 KB for cols = 4096: the same L1 sets). Measured within noise of reading the rows in place
// (88.9 vs 88.1 GFLOP/s), kept since the stall samples sat on those broadcasts and it costs one
// copy of the activations per K chunk and token block.
static void pack_tokens(const float *x, int32_t cols, int32_t t0, int32_t t1, int k0, int k1, float *xp) {
    const int kc = k1 - k0;
    for (int32_t t = t0; t < t1; t += FT) {
        float *tp = xp + (int64_t) (t - t0) / FT * FT * kc;
        const int nt = t1 - t < FT ? t1 - t : FT;
        for (int j = 0; j < FT; j++) {
            if (j >= nt) {
                for (int k = 0; k < kc; k++) tp[k * FT + j] = 0;
                continue;
            }
            const float *row = x + (int64_t) (t + j) * cols + k0;
            for (int k = 0; k < kc; k++) tp[k * FT + j] = row[k];
        }
    }
}

// One token against MVG groups side by side (all of [0, cols): one chain per row, as tile's).
static inline __attribute__((always_inline)) void rows1(int type, const uint16_t *pg, int64_t gstride, const float *x, int cols,
                                                       const int NG, float *y, int32_t rows, int32_t r) {
    __m256 a[MVG][2];
    for (int g = 0; g < NG; g++) a[g][0] = a[g][1] = _mm256_setzero_ps();
    for (int k = 0; k < cols; k++) {
        const __m256 xv = _mm256_broadcast_ss(x + k);
        for (int g = 0; g < NG; g++) {
            const uint16_t *p = pg + g * gstride + (int64_t) k * FG;
            a[g][0] = _mm256_fmadd_ps(ld8(type, p), xv, a[g][0]);
            a[g][1] = _mm256_fmadd_ps(ld8(type, p + 8), xv, a[g][1]);
        }
    }
    for (int g = 0; g < NG; g++) {
        const int n = rows - (r + g * FG);
        store8(y + r + g * FG, a[g][0], n);
        store8(y + r + g * FG + 8, a[g][1], n - 8);
    }
}

static inline __attribute__((always_inline)) void float_packed(const int type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1,
                                                              const float *x, int32_t cols, int32_t batch, float *y, int32_t yStride) {
    const int64_t gstride = (int64_t) cols * FG;
    const uint16_t *w = (const uint16_t *) p;
    if (batch == 1) {
        int32_t g = g0;
        for (; g + MVG <= g1; g += MVG) rows1(type, w + g * gstride, gstride, x, cols, MVG, y, rows, g * FG);
        for (; g < g1; g++) rows1(type, w + g * gstride, gstride, x, cols, 1, y, rows, g * FG);
        return;
    }
    static __thread float xp[TB * KC];  // one token block's packed activations (960 KB a thread that runs this)
    for (int k0 = 0; k0 < cols; k0 += KC) {
        const int k1 = k0 + KC < cols ? k0 + KC : cols, first = k0 == 0, kc = k1 - k0;
        for (int32_t t0 = 0; t0 < batch; t0 += TB) {
            const int32_t t1 = t0 + TB < batch ? t0 + TB : batch;
            pack_tokens(x, cols, t0, t1, k0, k1, xp);
            for (int32_t g = g0; g < g1; g++) {
                const uint16_t *pg = w + g * gstride;
                const int n = rows - g * FG;
                int32_t t = t0;
                for (; t + FT <= t1; t += FT)
                    tile(type, pg, xp + (int64_t) (t - t0) * kc, k0, k1, FT, y + (int64_t) t * yStride + g * FG, yStride, first, n);
                float *yt = y + (int64_t) t * yStride + g * FG;
                const float *xt = xp + (int64_t) (t - t0) * kc;
                switch (t1 - t) {
                    case 1: tile(type, pg, xt, k0, k1, 1, yt, yStride, first, n); break;
                    case 2: tile(type, pg, xt, k0, k1, 2, yt, yStride, first, n); break;
                    case 3: tile(type, pg, xt, k0, k1, 3, yt, yStride, first, n); break;
                    case 4: tile(type, pg, xt, k0, k1, 4, yt, yStride, first, n); break;
                    case 5: tile(type, pg, xt, k0, k1, 5, yt, yStride, first, n); break;
                    default: break;
                }
            }
        }
    }
}

void cl_matmul_float_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const float *x, int32_t cols,
                            int32_t batch, float *y, int32_t yStride) {
    if (type == FLOAT_T_F16) float_packed(FLOAT_T_F16, p, rows, g0, g1, x, cols, batch, y, yStride);
    else if (type == FLOAT_T_BF16) float_packed(FLOAT_T_BF16, p, rows, g0, g1, x, cols, batch, y, yStride);
}
