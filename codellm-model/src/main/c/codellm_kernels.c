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

// y[t*yStride + r] = dot(row r of w, token t of xq) for r in [r0, r1), t in [0, batch).
// Rows are taken ROW_TILE at a time so a tile's weights stay in cache while all tokens pass.
#define MATMUL(NAME, DOT)                                                                           \
    void NAME(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const uint8_t *xq,       \
              int32_t cols, int32_t batch, float *y, int32_t yStride) {                            \
        const int blocks = cols / QK;                                                               \
        const int64_t xBytes = (int64_t) blocks * 34;                                               \
        for (int32_t rt = r0; rt < r1; rt += ROW_TILE) {                                            \
            int32_t re = rt + ROW_TILE < r1 ? rt + ROW_TILE : r1;                                   \
            for (int32_t t = 0; t < batch; t++) {                                                   \
                const uint8_t *xt = xq + t * xBytes;                                                \
                float *yt = y + (int64_t) t * yStride;                                              \
                for (int32_t r = rt; r < re; r++) yt[r] = DOT(w + r * rowBytes, xt, blocks);        \
            }                                                                                       \
        }                                                                                           \
    }

MATMUL(cl_matmul_q4_0, dot_q4_0)
MATMUL(cl_matmul_q8_0, dot_q8_0)
