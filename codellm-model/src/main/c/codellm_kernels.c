// Native integer-dot kernels for codellm (called through Java's FFM API).
//
// Why native: JDK 25's Vector API has no 8-bit multiply-add (AVX2 vpmaddubsw), so Java kernels
// must widen quantized weights to float and are compute-bound at ~2 GB/s of Q4_0 per core. These
// kernels quantize activations to 8 bits per block of 32 (as ggml's Q8_0/Q8_1) and take int8 dot
// products. Weight layouts are ggml's: block_q8_0 = {f16 d; int8 q[32]} (34 bytes), block_q4_0 =
// {f16 d; u8 q[16]} (18 bytes, element j < 16 = low nibble of q[j], j + 16 = high nibble, value =
// nibble - 8). Activation blocks (internal) = {f32 d; i16 Σq of each half; int8 q[32]} (40 bytes): keeping
// Σq lets the Q4_0 dot use the unsigned nibbles directly and subtract 8·d·Σq once per block.
// Built by the Maven build once per ISA level: gcc -O3 -mavx2 -mfma -mf16c (libcodellm_avx2, plus
// codellm_avx2_packed.c), and with AVX-512 F/BW/VL/VNNI plus codellm_avx512*.c (libcodellm_avx512).
// Java picks the variant from the CPU's flags (NativeKernels). Every variant now runs Q4_0, Q8_0
// and the K-quants on weights repacked at load; the ggml-layout matmuls below are what a matrix
// without a packed copy would run, and the reference the kernel harnesses compare against.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "codellm_kernels.h"

#define ROW_TILE 16

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

static inline __m256i xq(const uint8_t *xb) { return _mm256_loadu_si256((const __m256i *) (xb + 8)); }

// Activations to 8 bits: per block d = max|x|/127, q = round(x/d), plus Σq over each 16-element half.
// Vector code with no libm call on purpose: fmaxf and lrintf are legacy-SSE functions in glibc, and
// the JVM calls in with the upper halves of the vector registers dirty (its own AVX-512 code), so
// every SSE instruction in them paid a state-transition penalty: 125 ns a float instead of 3 (43×),
// half of a decode step's CPU time on the calling thread. Same result as the scalar formula: the
// max is exact and ignores NaN as fmaxf does, x·id is one float multiply, cvtps rounds to nearest
// even as lrintf does, and q is stored as its low byte as the (int8_t) cast did.
void cl_quantize_q8_0(const float *x, uint8_t *y, int64_t n) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i byte = _mm256_set1_epi32(0xFF), order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t b = 0; b < n / QK; b++) {
        const float *xb = x + b * QK;
        uint8_t *yb = y + b * XB;
        __m256 v[4], m = _mm256_setzero_ps();
        for (int k = 0; k < 4; k++) {
            v[k] = _mm256_loadu_ps(xb + 8 * k);
            m = _mm256_max_ps(_mm256_andnot_ps(sign, v[k]), m);  // a NaN lane keeps m (second operand)
        }
        __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        h = _mm_max_ps(h, _mm_movehl_ps(h, h));
        h = _mm_max_ss(h, _mm_movehdup_ps(h));
        const float amax = _mm_cvtss_f32(h);
        float d = amax / 127.0f;
        float id = d != 0 ? 1.0f / d : 0.0f;
        __m256i q[4];
        for (int k = 0; k < 4; k++) q[k] = _mm256_cvtps_epi32(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
        // Σq of each half as int16 (wrapping, as the int16 accumulators did)
        __m256i s0 = _mm256_add_epi32(q[0], q[1]), s1 = _mm256_add_epi32(q[2], q[3]);
        __m128i t0 = _mm_add_epi32(_mm256_castsi256_si128(s0), _mm256_extracti128_si256(s0, 1));
        __m128i t1 = _mm_add_epi32(_mm256_castsi256_si128(s1), _mm256_extracti128_si256(s1, 1));
        t0 = _mm_hadd_epi32(t0, t1);  // [s0a, s0b, s1a, s1b]
        t0 = _mm_hadd_epi32(t0, t0);  // [Σ lo, Σ hi, ...]
        int16_t sum[2] = {(int16_t) _mm_cvtsi128_si32(t0), (int16_t) _mm_extract_epi32(t0, 1)};
        // low byte of each q: masked to 0..255 the unsigned saturating packs keep it exactly
        __m256i p01 = _mm256_packus_epi32(_mm256_and_si256(q[0], byte), _mm256_and_si256(q[1], byte));
        __m256i p23 = _mm256_packus_epi32(_mm256_and_si256(q[2], byte), _mm256_and_si256(q[3], byte));
        __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(p01, p23), order);
        _mm256_storeu_si256((__m256i *) (yb + 8), bytes);
        memcpy(yb, &d, 4);
        memcpy(yb + 4, sum, 4);
    }
}

// Unsigned × signed bytes (no sign trick needed when x ≥ 0, as for Q4_0's raw nibbles).
static inline __m256 dot_u8_i8_32(__m256i u, __m256i y) {
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(_mm256_maddubs_epi16(u, y), _mm256_set1_epi16(1)));
}

static inline __m256i nibbles_q4_0(const uint8_t *wb) {
    __m128i t = _mm_loadu_si128((const __m128i *) (wb + 2));
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0xF));
}

// Σ d_w·d_x·Σ(n − 8)·q = Σ d_w·(d_x·Σ n·q) − 8·Σ d_w·(d_x·Σq). One step per block, shared by the
// one-token and the four-token kernels, one FMA chain per token in both: a token gets the same bits
// alone as in a batch (prompt-lookup decoding verifies drafts in one batch and relies on it). The
// one-token kernels had two chains (even/odd blocks) and differed from the batch in the last bit;
// one chain measured the same speed (C harness, 1024 × 4096 × 1 token, 1 thread, thread CPU time,
// old/new alternated 3 times under load: Q4_0 38.9 → 39.3 GOP/s, Q8_0 48.2 → 48.7; 32 tokens
// unchanged, 58.9 → 58.3 and 73.3 → 73.6), while two chains in the 4-token kernels instead cost
// Q4_0 prompts 9 % (58.4 → 53.0).
static inline void step_q4_0(__m256i n, float dw, const uint8_t *xb, __m256 *acc, float *corr) {
    *acc = _mm256_fmadd_ps(_mm256_set1_ps(dw * xd(xb)), dot_u8_i8_32(n, xq(xb)), *acc);
    *corr += dw * xds(xb);
}

static inline float dot_q4_0(const uint8_t *w, const uint8_t *x, int blocks) {
    __m256 acc = _mm256_setzero_ps();
    float corr = 0;
    for (int b = 0; b < blocks; b++) step_q4_0(nibbles_q4_0(w + b * 18), half_to_float(w + b * 18), x + b * XB, &acc, &corr);
    return hsum(acc) - 8.0f * corr;
}

// Q8_0: |w| once per block, its sign moved onto x (the same exact integer dot as dot_i8_32), so the
// four-token kernel takes |w| once for four tokens.
static inline void step_q8_0(__m256i aw, __m256i w, float dw, const uint8_t *xb, __m256 *acc) {
    *acc = _mm256_fmadd_ps(_mm256_set1_ps(dw * xd(xb)), dot_u8_i8_32(aw, _mm256_sign_epi8(xq(xb), w)), *acc);
}

static inline float dot_q8_0(const uint8_t *w, const uint8_t *x, int blocks) {
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * 34;
        const __m256i q = _mm256_loadu_si256((const __m256i *) (wb + 2));
        step_q8_0(_mm256_sign_epi8(q, q), q, half_to_float(wb), x + b * XB, &acc);
    }
    return hsum(acc);
}

// One weight row against four tokens: each weight block is loaded and unpacked once for four
// int8 dots (the batched prompt path; it is compute-bound, so unpacking once matters).
static inline void dot4_q4_0(const uint8_t *w, const uint8_t *x, int64_t xs, int blocks, float *out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    float c0 = 0, c1 = 0, c2 = 0, c3 = 0;
    for (int b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * 18, *xb = x + b * XB;
        const __m256i n = nibbles_q4_0(wb);
        const float dw = half_to_float(wb);
        step_q4_0(n, dw, xb, &a0, &c0);
        step_q4_0(n, dw, xb + xs, &a1, &c1);
        step_q4_0(n, dw, xb + 2 * xs, &a2, &c2);
        step_q4_0(n, dw, xb + 3 * xs, &a3, &c3);
    }
    out[0] = hsum(a0) - 8.0f * c0; out[1] = hsum(a1) - 8.0f * c1;
    out[2] = hsum(a2) - 8.0f * c2; out[3] = hsum(a3) - 8.0f * c3;
}

static inline void dot4_q8_0(const uint8_t *w, const uint8_t *x, int64_t xs, int blocks, float *out) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        const uint8_t *wb = w + b * 34, *xb = x + b * XB;
        const __m256i q = _mm256_loadu_si256((const __m256i *) (wb + 2));
        const __m256i aq = _mm256_sign_epi8(q, q);
        const float dw = half_to_float(wb);
        step_q8_0(aq, q, dw, xb, &a0);
        step_q8_0(aq, q, dw, xb + xs, &a1);
        step_q8_0(aq, q, dw, xb + 2 * xs, &a2);
        step_q8_0(aq, q, dw, xb + 3 * xs, &a3);
    }
    out[0] = hsum(a0); out[1] = hsum(a1); out[2] = hsum(a2); out[3] = hsum(a3);
}

// y[t*yStride + r] = dot(row r of w, token t of xq) for r in [r0, r1), t in [0, batch).
// Rows are taken ROW_TILE at a time so a tile's weights stay in cache while all tokens pass.
#define MATMUL(NAME, DOT, DOT4)                                                                     \
    void NAME(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const uint8_t *xq,       \
              int32_t cols, int32_t batch, float *y, int32_t yStride) {                            \
        const int blocks = cols / QK;                                                               \
        const int64_t xBytes = (int64_t) blocks * XB;                                               \
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

// ---- K-quants (super-blocks of 256 = 8 activation blocks of 32) ----

// ggml's get_scale_min_k4: 6-bit scale and min of sub-block j from the 12 packed bytes.
static inline void scale_min_k4(int j, const uint8_t *q, float *sc, float *m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Q4_K: {f16 d, f16 dmin, u8 scales[12], u8 qs[128]}; sub-block 2p = low nibbles of qs[32p..],
// 2p+1 = high nibbles; w = d·sc·q − dmin·m, so dot = Σ d·sc·d_x·Σq·x_q − dmin·m·(d_x·Σx_q).
static inline float dot_q4_k(const uint8_t *w, const uint8_t *x, int blocks32) {
    __m256 acc = _mm256_setzero_ps();
    float corr = 0;
    const __m256i low = _mm256_set1_epi8(0xF);
    for (int sb = 0; sb < blocks32 / 8; sb++) {
        const uint8_t *b = w + sb * 144, *xs = x + (int64_t) sb * 8 * XB;
        const float d = half_to_float(b), dmin = half_to_float(b + 2);
        for (int p = 0; p < 4; p++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *) (b + 16 + 32 * p));
            float sc0, m0, sc1, m1;
            scale_min_k4(2 * p, b + 4, &sc0, &m0);
            scale_min_k4(2 * p + 1, b + 4, &sc1, &m1);
            const uint8_t *x0 = xs + 2 * p * XB, *x1 = x0 + XB;
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc0 * xd(x0)), dot_u8_i8_32(_mm256_and_si256(q, low), xq(x0)), acc);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc1 * xd(x1)),
                                  dot_u8_i8_32(_mm256_and_si256(_mm256_srli_epi16(q, 4), low), xq(x1)), acc);
            corr += dmin * (m0 * xds(x0) + m1 * xds(x1));
        }
    }
    return hsum(acc) - corr;
}

// Q5_K: {f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]}: as Q4_K plus a fifth bit
// (bit 2p of qh[l] for sub-block 2p, bit 2p+1 for 2p+1) worth 16.
static inline float dot_q5_k(const uint8_t *w, const uint8_t *x, int blocks32) {
    __m256 acc = _mm256_setzero_ps();
    float corr = 0;
    const __m256i low = _mm256_set1_epi8(0xF), sixteen = _mm256_set1_epi8(16);
    for (int sb = 0; sb < blocks32 / 8; sb++) {
        const uint8_t *b = w + sb * 176, *xs = x + (int64_t) sb * 8 * XB;
        const float d = half_to_float(b), dmin = half_to_float(b + 2);
        const __m256i qh = _mm256_loadu_si256((const __m256i *) (b + 16));
        for (int p = 0; p < 4; p++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *) (b + 48 + 32 * p));
            const __m256i bit0 = _mm256_set1_epi8((char) (1 << (2 * p))), bit1 = _mm256_set1_epi8((char) (1 << (2 * p + 1)));
            const __m256i h0 = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit0), bit0), sixteen);
            const __m256i h1 = _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit1), bit1), sixteen);
            float sc0, m0, sc1, m1;
            scale_min_k4(2 * p, b + 4, &sc0, &m0);
            scale_min_k4(2 * p + 1, b + 4, &sc1, &m1);
            const uint8_t *x0 = xs + 2 * p * XB, *x1 = x0 + XB;
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc0 * xd(x0)),
                                  dot_u8_i8_32(_mm256_or_si256(_mm256_and_si256(q, low), h0), xq(x0)), acc);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d * sc1 * xd(x1)),
                                  dot_u8_i8_32(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), low), h1), xq(x1)), acc);
            corr += dmin * (m0 * xds(x0) + m1 * xds(x1));
        }
    }
    return hsum(acc) - corr;
}

// Q6_K: {u8 ql[128], u8 qh[64], i8 scales[16], f16 d}; per half h, group k of 32 takes its low 4
// bits from ql (low/high nibble of ql[64h + l (+32)]) and 2 high bits from qh[32h + l] bits 2k..2k+1;
// w = d·scale[8h + 2k + l/16]·(q − 32). Lanes 0-3 of the int8 dot cover elements 0-15, 4-7 16-31.
static inline float dot_q6_k(const uint8_t *w, const uint8_t *x, int blocks32) {
    __m256 acc = _mm256_setzero_ps();
    const __m256i low = _mm256_set1_epi8(0xF), three = _mm256_set1_epi8(3), m32 = _mm256_set1_epi8(32);
    for (int sb = 0; sb < blocks32 / 8; sb++) {
        const uint8_t *b = w + sb * 210, *xs = x + (int64_t) sb * 8 * XB;
        const float d = half_to_float(b + 208);
        const int8_t *sc = (const int8_t *) (b + 192);
        for (int h = 0; h < 2; h++) {
            const __m256i l0 = _mm256_loadu_si256((const __m256i *) (b + 64 * h));
            const __m256i l1 = _mm256_loadu_si256((const __m256i *) (b + 64 * h + 32));
            const __m256i hb = _mm256_loadu_si256((const __m256i *) (b + 128 + 32 * h));
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low), _mm256_slli_epi16(_mm256_and_si256(hb, three), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), three), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), three), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), three), 4));
            for (int k = 0; k < 4; k++) {
                const uint8_t *xk = xs + (4 * h + k) * XB;
                const float dx = d * xd(xk);
                const __m256 s = _mm256_set_m128(_mm_set1_ps(dx * sc[8 * h + 2 * k + 1]), _mm_set1_ps(dx * sc[8 * h + 2 * k]));
                acc = _mm256_fmadd_ps(s, dot_i8_32(_mm256_sub_epi8(q[k], m32), xq(xk)), acc);
            }
        }
    }
    return hsum(acc);
}

#define MATMUL_1(NAME, DOT)                                                                         \
    void NAME(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const uint8_t *xq,       \
              int32_t cols, int32_t batch, float *y, int32_t yStride) {                            \
        const int blocks = cols / QK;                                                               \
        const int64_t xBytes = (int64_t) blocks * XB;                                               \
        for (int32_t rt = r0; rt < r1; rt += ROW_TILE) {                                            \
            int32_t re = rt + ROW_TILE < r1 ? rt + ROW_TILE : r1;                                   \
            for (int32_t t = 0; t < batch; t++) {                                                   \
                const uint8_t *xt = xq + t * xBytes;                                                \
                float *yt = y + (int64_t) t * yStride;                                              \
                for (int32_t r = rt; r < re; r++) yt[r] = DOT(w + r * rowBytes, xt, blocks);        \
            }                                                                                       \
        }                                                                                           \
    }

MATMUL_1(cl_matmul_q4_k, dot_q4_k)
MATMUL_1(cl_matmul_q5_k, dot_q5_k)
MATMUL_1(cl_matmul_q6_k, dot_q6_k)
