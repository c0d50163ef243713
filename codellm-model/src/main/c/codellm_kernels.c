// Native integer-dot kernels for codellm (called through Java's FFM API).
//
// Why native: JDK 25's Vector API has no 8-bit multiply-add (AVX2 vpmaddubsw), so Java kernels
// must widen quantized weights to float and are compute-bound at ~2 GB/s of Q4_0 per core. These
// kernels quantize activations to Q8_0 blocks (as ggml does) and take int8 dot products.
// Layouts are ggml's: block_q8_0 = {f16 d; int8 q[32]} (34 bytes), block_q4_0 = {f16 d; u8 q[16]}
// (18 bytes, element j < 16 = low nibble of q[j], j + 16 = high nibble, value = nibble - 8).
// Built by the Maven build with gcc -O3 -mavx2 -mfma -mf16c; Java checks the CPU before loading.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define QK 32
#define ROW_TILE 16

static inline float half_to_float(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// Sum of x·y over 32 signed bytes, as 8 float lanes of partial sums (exact integers).
static inline __m256 dot_i8_32(__m256i x, __m256i y) {
    const __m256i ax = _mm256_sign_epi8(x, x);
    const __m256i sy = _mm256_sign_epi8(y, x);
    const __m256i dot16 = _mm256_maddubs_epi16(ax, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(dot16, _mm256_set1_epi16(1)));
}

static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// Activations to Q8_0: per block d = max|x|/127, q = round(x/d).
void cl_quantize_q8_0(const float *x, uint8_t *y, int64_t n) {
    for (int64_t b = 0; b < n / QK; b++) {
        const float *xb = x + b * QK;
        uint8_t *yb = y + b * 34;
        float amax = 0;
        for (int j = 0; j < QK; j++) amax = fmaxf(amax, fabsf(xb[j]));
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        uint16_t hd = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        memcpy(yb, &hd, 2);
        for (int j = 0; j < QK; j++) yb[2 + j] = (uint8_t) (int8_t) lrintf(xb[j] * id);
    }
}

static inline float dot_q4_0(const uint8_t *w, const uint8_t *xq, int blocks) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0xF), eight = _mm256_set1_epi8(8);
    int b = 0;
    for (; b + 1 < blocks; b += 2) {
        const uint8_t *w0 = w + b * 18, *x0 = xq + b * 34;
        __m128i t0 = _mm_loadu_si128((const __m128i *) (w0 + 2));
        __m256i q0 = _mm256_sub_epi8(_mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t0, 4), t0), low), eight);
        __m128i t1 = _mm_loadu_si128((const __m128i *) (w0 + 18 + 2));
        __m256i q1 = _mm256_sub_epi8(_mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t1, 4), t1), low), eight);
        __m256 d0 = _mm256_set1_ps(half_to_float(w0) * half_to_float(x0));
        __m256 d1 = _mm256_set1_ps(half_to_float(w0 + 18) * half_to_float(x0 + 34));
        acc0 = _mm256_fmadd_ps(d0, dot_i8_32(q0, _mm256_loadu_si256((const __m256i *) (x0 + 2))), acc0);
        acc1 = _mm256_fmadd_ps(d1, dot_i8_32(q1, _mm256_loadu_si256((const __m256i *) (x0 + 34 + 2))), acc1);
    }
    for (; b < blocks; b++) {
        const uint8_t *w0 = w + b * 18, *x0 = xq + b * 34;
        __m128i t0 = _mm_loadu_si128((const __m128i *) (w0 + 2));
        __m256i q0 = _mm256_sub_epi8(_mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t0, 4), t0), low), eight);
        __m256 d0 = _mm256_set1_ps(half_to_float(w0) * half_to_float(x0));
        acc0 = _mm256_fmadd_ps(d0, dot_i8_32(q0, _mm256_loadu_si256((const __m256i *) (x0 + 2))), acc0);
    }
    return hsum(_mm256_add_ps(acc0, acc1));
}

static inline float dot_q8_0(const uint8_t *w, const uint8_t *xq, int blocks) {
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int b = 0;
    for (; b + 1 < blocks; b += 2) {
        const uint8_t *w0 = w + b * 34, *x0 = xq + b * 34;
        __m256 d0 = _mm256_set1_ps(half_to_float(w0) * half_to_float(x0));
        __m256 d1 = _mm256_set1_ps(half_to_float(w0 + 34) * half_to_float(x0 + 34));
        acc0 = _mm256_fmadd_ps(d0, dot_i8_32(_mm256_loadu_si256((const __m256i *) (w0 + 2)),
                                             _mm256_loadu_si256((const __m256i *) (x0 + 2))), acc0);
        acc1 = _mm256_fmadd_ps(d1, dot_i8_32(_mm256_loadu_si256((const __m256i *) (w0 + 36)),
                                             _mm256_loadu_si256((const __m256i *) (x0 + 36))), acc1);
    }
    for (; b < blocks; b++) {
        const uint8_t *w0 = w + b * 34, *x0 = xq + b * 34;
        __m256 d0 = _mm256_set1_ps(half_to_float(w0) * half_to_float(x0));
        acc0 = _mm256_fmadd_ps(d0, dot_i8_32(_mm256_loadu_si256((const __m256i *) (w0 + 2)),
                                             _mm256_loadu_si256((const __m256i *) (x0 + 2))), acc0);
    }
    return hsum(_mm256_add_ps(acc0, acc1));
}

// One weight row against four tokens: each weight block is loaded and unpacked once for four
// int8 dots (the batched prompt path; it is compute-bound, so unpacking once matters).
static inline __m256i unpack_q4_0(const uint8_t *wb) {
    __m128i t = _mm_loadu_si128((const __m128i *) (wb + 2));
    return _mm256_sub_epi8(_mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0xF)),
                           _mm256_set1_epi8(8));
}

static inline __m256i unpack_q8_0(const uint8_t *wb) { return _mm256_loadu_si256((const __m256i *) (wb + 2)); }

#define DOT4(NAME, UNPACK, WBYTES)                                                                  \
    static inline void NAME(const uint8_t *w, const uint8_t *x, int64_t xStride, int blocks, float *out) { \
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(); \
        for (int b = 0; b < blocks; b++) {                                                          \
            const uint8_t *wb = w + b * WBYTES, *xb = x + b * 34;                                   \
            const __m256i q = UNPACK(wb);                                                           \
            const float dw = half_to_float(wb);                                                     \
            a0 = _mm256_fmadd_ps(_mm256_set1_ps(dw * half_to_float(xb)),                            \
                    dot_i8_32(q, _mm256_loadu_si256((const __m256i *) (xb + 2))), a0);              \
            a1 = _mm256_fmadd_ps(_mm256_set1_ps(dw * half_to_float(xb + xStride)),                  \
                    dot_i8_32(q, _mm256_loadu_si256((const __m256i *) (xb + xStride + 2))), a1);    \
            a2 = _mm256_fmadd_ps(_mm256_set1_ps(dw * half_to_float(xb + 2 * xStride)),              \
                    dot_i8_32(q, _mm256_loadu_si256((const __m256i *) (xb + 2 * xStride + 2))), a2); \
            a3 = _mm256_fmadd_ps(_mm256_set1_ps(dw * half_to_float(xb + 3 * xStride)),              \
                    dot_i8_32(q, _mm256_loadu_si256((const __m256i *) (xb + 3 * xStride + 2))), a3); \
        }                                                                                           \
        out[0] = hsum(a0); out[1] = hsum(a1); out[2] = hsum(a2); out[3] = hsum(a3);                \
    }

DOT4(dot4_q4_0, unpack_q4_0, 18)
DOT4(dot4_q8_0, unpack_q8_0, 34)

// y[t*yStride + r] = dot(row r of w, token t of xq) for r in [r0, r1), t in [0, batch).
// Rows are taken ROW_TILE at a time so a tile's weights stay in cache while all tokens pass.
#define MATMUL(NAME, DOT, DOT4)                                                                     \
    void NAME(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const uint8_t *xq,       \
              int32_t cols, int32_t batch, float *y, int32_t yStride) {                            \
        const int blocks = cols / QK;                                                               \
        const int64_t xBytes = (int64_t) blocks * 34;                                               \
        float o4[4];                                                                                \
        for (int32_t rt = r0; rt < r1; rt += ROW_TILE) {                                            \
            int32_t re = rt + ROW_TILE < r1 ? rt + ROW_TILE : r1;                                   \
            int32_t t = 0;                                                                          \
            for (; t + 4 <= batch; t += 4) {                                                        \
                const uint8_t *xt = xq + t * xBytes;                                                \
                float *yt = y + (int64_t) t * yStride;                                              \
                for (int32_t r = rt; r < re; r++) {                                                 \
                    DOT4(w + r * rowBytes, xt, xBytes, blocks, o4);                                 \
                    yt[r] = o4[0]; yt[yStride + r] = o4[1];                                         \
                    yt[2 * (int64_t) yStride + r] = o4[2]; yt[3 * (int64_t) yStride + r] = o4[3];   \
                }                                                                                   \
            }                                                                                       \
            for (; t < batch; t++) {                                                                \
                const uint8_t *xt = xq + t * xBytes;                                                \
                float *yt = y + (int64_t) t * yStride;                                              \
                for (int32_t r = rt; r < re; r++) yt[r] = DOT(w + r * rowBytes, xt, blocks);        \
            }                                                                                       \
        }                                                                                           \
    }

MATMUL(cl_matmul_q4_0, dot_q4_0, dot4_q4_0)
MATMUL(cl_matmul_q8_0, dot_q8_0, dot4_q8_0)
