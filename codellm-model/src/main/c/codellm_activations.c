// Activations to 8-bit blocks for every native variant's int8 kernels (called through Java's FFM API).
//
// Why native int8 at all: JDK 25's Vector API has no 8-bit multiply-add (AVX2 vpmaddubsw), so Java
// kernels must widen quantized weights to float and are compute-bound at ~2 GB/s of Q4_0 per core.
// The kernels (codellm_avx2_packed.c, codellm_avx512*.c, codellm_amx.c) take int8 dot products of
// weights repacked at load against activations quantized here once per token and matmul, per block
// of 32 as ggml's Q8_0/Q8_1: {f32 d; i16 Σq of each half; int8 q[32]} (40 bytes, XB). Keeping Σq
// lets the Q4_0 and K-quant dots use unsigned nibbles and subtract the offset once per block.
// (The ggml-layout matmuls that lived here ran when the avx2 variant had no packed kernels; since
// every variant packs every int8 type they were reached by nothing and are gone.)
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "codellm_kernels.h"

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
