// Shared by every kernel file of a variant: the internal 8-bit activation block and f16 scales.
#ifndef CODELLM_KERNELS_H
#define CODELLM_KERNELS_H
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define QK 32
#define XB 40  // bytes per activation block: f32 d, i16 Σq[0..16), i16 Σq[16..32), int8 q[32]

static inline float half_to_float(const uint8_t *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

static inline float xd(const uint8_t *xb) { float d; memcpy(&d, xb, 4); return d; }
// Sums of the block's q over elements 0-15 and 16-31 (Q6_K's scales cover 16 elements).
static inline int32_t xsum_lo(const uint8_t *xb) { int16_t s; memcpy(&s, xb + 4, 2); return s; }
static inline int32_t xsum_hi(const uint8_t *xb) { int16_t s; memcpy(&s, xb + 6, 2); return s; }
static inline int32_t xsum(const uint8_t *xb) { return xsum_lo(xb) + xsum_hi(xb); }
static inline float xds(const uint8_t *xb) { return xd(xb) * (float) xsum(xb); }
// Four consecutive activation bytes q[4k..4k+3] as one int (the unit vpdpbusd multiplies).
static inline int32_t xq4(const uint8_t *xb, int k) { int32_t v; memcpy(&v, xb + 8 + 4 * k, 4); return v; }

// The first n (≤ 8) lanes of v into y, none where n ≤ 0: a packed group's tail past the matrix's
// rows is not written (those y entries are the next rows', possibly another thread's).
static inline void store8(float *y, __m256 v, int n) {
    if (n >= 8) {
        _mm256_storeu_ps(y, v);
    } else if (n > 0) {
        float t[8];
        _mm256_storeu_ps(t, v);
        memcpy(y, t, sizeof(float) * n);
    }
}

// Where block b (of nb) of a packed Q4_0/Q8_0 group (codellm_avx512.c's layout, gb bytes per
// block) keeps its 16 f16 scales and its weight parts: blocks go in pairs, scales first.
static inline void block_parts(uint8_t *group, int b, int nb, int64_t gb, uint8_t **scales, uint8_t **q) {
    uint8_t *pair = group + (int64_t) (b & ~1) * gb;
    if (b == nb - 1 && (nb & 1)) {
        *scales = pair;
        *q = pair + 32;
    } else {
        *scales = pair + 32 * (b & 1);
        *q = pair + 64 + (gb - 32) * (b & 1);
    }
}

#endif
