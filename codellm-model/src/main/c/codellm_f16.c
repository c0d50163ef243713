// F16 and BF16 weights × float activations (compiled into every variant: 512-bit registers where
// the variant has AVX-512, else AVX2+F16C). Activations stay float, as in the Java kernels, so the
// two paths agree to float rounding. Each weight vector is converted once (vcvtph2ps for F16, a
// 16-bit shift for BF16) and multiplied into TT tokens, RT rows at a time, so a prompt reuses every
// converted weight for 4 tokens and generation streams RT rows with independent accumulators.
#include <math.h>
#include "codellm_kernels.h"

#ifdef __AVX512F__
#define VW 16
#define RT 4
typedef __m512 vf;
static inline vf load_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p)); }
static inline vf load_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *) p)), 16));
}
static inline vf vload(const float *p) { return _mm512_loadu_ps(p); }
static inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vzero(void) { return _mm512_setzero_ps(); }
static inline float vsum(vf v) { return _mm512_reduce_add_ps(v); }
#else
#define VW 8
#define RT 2
typedef __m256 vf;
static inline vf load_f16(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p)); }
static inline vf load_bf16(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *) p)), 16));
}
static inline vf vload(const float *p) { return _mm256_loadu_ps(p); }
static inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vzero(void) { return _mm256_setzero_ps(); }
static inline float vsum(vf v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#endif
#define TT 4

static inline float f16_scalar(uint16_t h) { return _cvtsh_ss(h); }
static inline float bf16_scalar(uint16_t h) { uint32_t u = (uint32_t) h << 16; float f; memcpy(&f, &u, 4); return f; }

// NR rows (≤ RT) × NT tokens (≤ TT) of y = W·x; the cols % VW tail in scalar.
#define F16_TILE(NAME, LOAD, SCALAR)                                                                  \
    static inline __attribute__((always_inline)) void NAME(const uint16_t *w, int64_t ws, const float *x, int64_t xs, \
                                                          int cols, int NR, int NT, float *y, int64_t ys) { \
        vf acc[RT][TT];                                                                               \
        for (int r = 0; r < NR; r++) for (int t = 0; t < NT; t++) acc[r][t] = vzero();                \
        int c = 0;                                                                                    \
        for (; c + VW <= cols; c += VW) {                                                             \
            vf wv[RT];                                                                                \
            for (int r = 0; r < NR; r++) wv[r] = LOAD(w + r * ws + c);                                \
            for (int t = 0; t < NT; t++) {                                                            \
                const vf xv = vload(x + t * xs + c);                                                  \
                for (int r = 0; r < NR; r++) acc[r][t] = vfma(wv[r], xv, acc[r][t]);                  \
            }                                                                                         \
        }                                                                                             \
        for (int r = 0; r < NR; r++)                                                                  \
            for (int t = 0; t < NT; t++) {                                                            \
                float s = vsum(acc[r][t]);                                                            \
                for (int k = c; k < cols; k++) s += SCALAR(w[r * ws + k]) * x[t * xs + k];           \
                y[t * ys + r] = s;                                                                    \
            }                                                                                         \
    }

F16_TILE(tile_f16, load_f16, f16_scalar)
F16_TILE(tile_bf16, load_bf16, bf16_scalar)

// y[t·yStride + r] = row r · x[t·cols ..] for rows [r0, r1) and batch tokens (float activations).
#define F16_MATMUL(NAME, TILE)                                                                        \
    void NAME(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const float *x, int32_t cols, int32_t batch, \
              float *y, int32_t yStride) {                                                            \
        const int64_t ws = rowBytes / 2;                                                              \
        const uint16_t *w = (const uint16_t *) wb;                                                    \
        for (int32_t r = r0; r < r1; r += RT) {                                                       \
            const int nr = r1 - r < RT ? r1 - r : RT;                                                 \
            int32_t t = 0;                                                                            \
            for (; t + TT <= batch; t += TT) {                                                        \
                if (nr == RT) TILE(w + r * ws, ws, x + (int64_t) t * cols, cols, cols, RT, TT, y + (int64_t) t * yStride + r, yStride); \
                else TILE(w + r * ws, ws, x + (int64_t) t * cols, cols, cols, nr, TT, y + (int64_t) t * yStride + r, yStride); \
            }                                                                                         \
            for (; t < batch; t++) {                                                                  \
                if (nr == RT) TILE(w + r * ws, ws, x + (int64_t) t * cols, cols, cols, RT, 1, y + (int64_t) t * yStride + r, yStride); \
                else TILE(w + r * ws, ws, x + (int64_t) t * cols, cols, cols, nr, 1, y + (int64_t) t * yStride + r, yStride); \
            }                                                                                         \
        }                                                                                             \
    }

F16_MATMUL(cl_matmul_f16, tile_f16)
F16_MATMUL(cl_matmul_bf16, tile_bf16)
