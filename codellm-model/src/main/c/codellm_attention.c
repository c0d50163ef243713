// Causal attention over the KV cache, flash-attention style (called through Java's FFM API;
// FlashAttention.java holds the same algorithm in Java and says why): a block of nq queries of
// one head at positions first … first+nq-1, keys in tiles of KT decoded once to floats (from
// F32, F16, or ggml's Q8_0 / Q4_0 blocks of 32) and shared by every query of the block, with an
// online softmax (running max and sum per query, the partial output rescaled when the max grows).
// Built into every variant: 16-float vectors where the compile flags have AVX-512, 8 otherwise.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "codellm_kernels.h"

#define KT 32
#define VB 8  // accumulators of the partial output per band (attend_one)

#ifdef __AVX512F__
#define VW 16
typedef __m512 vf;
#define vload _mm512_loadu_ps
#define vstore _mm512_storeu_ps
#define vset1 _mm512_set1_ps
#define vfma _mm512_fmadd_ps
#define vmul _mm512_mul_ps
#define vzero _mm512_setzero_ps
#define vsum _mm512_reduce_add_ps
#else
#define VW 8
typedef __m256 vf;
#define vload _mm256_loadu_ps
#define vstore _mm256_storeu_ps
#define vset1 _mm256_set1_ps
#define vfma _mm256_fmadd_ps
#define vmul _mm256_mul_ps
#define vzero _mm256_setzero_ps
static inline float vsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}
#endif

// e^x for a score minus the running max (x ≤ 0): expf's value, but 0 without calling it where
// expf underflows to 0 (e^-104 < half the smallest subnormal): glibc's underflow path sets errno
// through __kernel_standard, and at long contexts most keys' scores are that far below the max
// (2-5 % of a token's time in expf's slow path at depth 2048).
static inline float exp_score(float x) { return x < -104.0f ? 0.0f : expf(x); }

// ggml type ids of the cache encodings
enum { T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q8_0 = 8 };

static inline float dot1(const float *a, const float *b, int32_t n) {
    vf acc = vzero();
    int32_t i = 0;
    for (; i + VW <= n; i += VW) acc = vfma(vload(a + i), vload(b + i), acc);
    float s = vsum(acc);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

// s[0..4) = q · k_j for four key rows kstride floats apart: four independent chains share the q loads.
static inline void dot4(const float *q, const float *k, int64_t kstride, int32_t n, float *s) {
    vf a0 = vzero(), a1 = vzero(), a2 = vzero(), a3 = vzero();
    int32_t i = 0;
    for (; i + VW <= n; i += VW) {
        const vf qv = vload(q + i);
        a0 = vfma(vload(k + i), qv, a0);
        a1 = vfma(vload(k + kstride + i), qv, a1);
        a2 = vfma(vload(k + 2 * kstride + i), qv, a2);
        a3 = vfma(vload(k + 3 * kstride + i), qv, a3);
    }
    float r0 = vsum(a0), r1 = vsum(a1), r2 = vsum(a2), r3 = vsum(a3);
    for (; i < n; i++) {
        r0 += q[i] * k[i];
        r1 += q[i] * k[kstride + i];
        r2 += q[i] * k[2 * kstride + i];
        r3 += q[i] * k[3 * kstride + i];
    }
    s[0] = r0; s[1] = r1; s[2] = r2; s[3] = r3;
}

static inline void axpy(float a, const float *x, float *y, int32_t n) {
    const vf av = vset1(a);
    int32_t i = 0;
    for (; i + VW <= n; i += VW) vstore(y + i, vfma(av, vload(x + i), vload(y + i)));
    for (; i < n; i++) y[i] += a * x[i];
}

static inline void scale_row(float c, float *y, int32_t n) {
    const vf cv = vset1(c);
    int32_t i = 0;
    for (; i + VW <= n; i += VW) vstore(y + i, vmul(cv, vload(y + i)));
    for (; i < n; i++) y[i] *= c;
}

// One row's elements i … i+VW-1 of a cache row as floats (i a multiple of VW; Q8_0/Q4_0: the int8
// value converted, times the block's d, one rounding).
static inline __attribute__((always_inline)) vf load_kv(int32_t type, const uint8_t *row, int32_t i) {
    if (type == T_Q8_0 || type == T_Q4_0) {
        const int32_t bb = type == T_Q8_0 ? 34 : 18, o = i % QK;
        const uint8_t *blk = row + (int64_t) (i / QK) * bb;
        const vf d = vset1(half_to_float(blk));
#ifdef __AVX512F__
        __m128i b;
        if (type == T_Q8_0) b = _mm_loadu_si128((const __m128i *) (blk + 2 + o));
        else {  // o is 0 (low nibbles of bytes 0-15) or 16 (high nibbles)
            const __m128i raw = _mm_loadu_si128((const __m128i *) (blk + 2));
            b = _mm_sub_epi8(_mm_and_si128(o ? _mm_srli_epi16(raw, 4) : raw, _mm_set1_epi8(0x0F)), _mm_set1_epi8(8));
        }
        return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(b)), d);
#else
        __m128i b;
        if (type == T_Q8_0) b = _mm_loadl_epi64((const __m128i *) (blk + 2 + o));
        else {  // o is 0, 8 (low nibbles of bytes o..o+7) or 16, 24 (high nibbles of bytes o-16..)
            const __m128i raw = _mm_loadl_epi64((const __m128i *) (blk + 2 + (o & 15)));
            b = _mm_sub_epi8(_mm_and_si128(o >= 16 ? _mm_srli_epi16(raw, 4) : raw, _mm_set1_epi8(0x0F)), _mm_set1_epi8(8));
        }
        return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(b)), d);
#endif
    }
#ifdef __AVX512F__
    if (type == T_F16) return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (row + 2 * i)));
#else
    if (type == T_F16) return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (row + 2 * i)));
#endif
    return vload((const float *) row + i);
}

// Bytes of one head's row of hd elements in the cache encoding.
static inline int32_t kv_row_bytes(int32_t type, int32_t hd) {
    return type == T_F16 ? 2 * hd : type == T_Q8_0 ? hd / QK * 34 : type == T_Q4_0 ? hd / QK * 18 : 4 * hd;
}

// A row (hd elements of one head) of the cache as floats in dst, by load_kv: the blocked loop's
// decoded tiles and attend_one's in-register conversions are one piece of code, so the same values.
static void decode_row(int32_t type, const uint8_t *row, int32_t hd, float *dst) {
    if (type == T_F32) {
        memcpy(dst, row, (size_t) hd * 4);
        return;
    }
    int32_t i = 0;
    for (; i + VW <= hd; i += VW) vstore(dst + i, load_kv(type, row, i));
    for (; i < hd; i++) dst[i] = _cvtsh_ss(((const uint16_t *) row)[i]);  // F16 heads not a multiple of VW (blocks of 32 are)
}

// Cache rows read ahead of use. The Java side lays the cache out head-major (Session), so a head's
// rows are consecutive and the hardware prefetchers follow them; laid out [position][kvDim] they
// were a whole cache row apart (8 KiB for a 7B model's F16 cache), a page or more per row, and
// without this every row was a miss from memory.
#define PF_ROWS 8

static inline void prefetch_row(const uint8_t *row, int32_t bytes) {
    for (int32_t o = 0; o < bytes; o += 64) _mm_prefetch((const char *) row + o, _MM_HINT_T0);
}

// Generation's case (one query, at position keys-1, over any cache encoding): the same
// arithmetic as the blocked loop below, operation for operation (4-key dots with one FMA chain per
// key, the tile's max, the rescale, p·v added by FMA), so the result is bit-identical to it; but
// keys and values are converted in registers as they are read instead of decoded into a scratch
// tile, the partial output stays in HD/VW registers instead of memory, and rows are prefetched.
// Measured: the blocked loop read an F16 cache at 3.7 GB/s in generation at depth 512, and a
// Q8_0 cache at 2.2 GB/s at depth 16384 (avx2, Zen 3), which took 4/5 of a token's time there.
static inline __attribute__((always_inline)) void attend_one(const int32_t type, const uint8_t *k, const uint8_t *v, int64_t rowBytes,
                                                             const int32_t HD, int32_t keys, const float *q, float scale, float *out) {
    enum { MAXV = 256 / VW };
    const int32_t nv = HD / VW, bytes = kv_row_bytes(type, HD);
    vf acc[MAXV];
    for (int32_t n = 0; n < nv; n++) acc[n] = vzero();
    float mx = -INFINITY, sum = 0, sc[KT];
    for (int32_t t0 = 0; t0 < keys; t0 += KT) {
        const int32_t kt = keys - t0 < KT ? keys - t0 : KT;
        const uint8_t *kr = k + t0 * rowBytes, *vr = v + t0 * rowBytes;
        int32_t j = 0;
        for (; j + 4 <= kt; j += 4) {
            const uint8_t *r = kr + j * rowBytes;
            for (int32_t a = 0; a < 4; a++) {
                if (t0 + j + a + PF_ROWS < keys) prefetch_row(r + (a + PF_ROWS) * rowBytes, bytes);
                prefetch_row(vr + (j + a) * rowBytes, bytes);  // this tile's values, used after its scores
            }
            vf a0 = vzero(), a1 = vzero(), a2 = vzero(), a3 = vzero();
            for (int32_t n = 0; n < nv; n++) {
                const vf qv = vload(q + n * VW);
                a0 = vfma(load_kv(type, r, n * VW), qv, a0);
                a1 = vfma(load_kv(type, r + rowBytes, n * VW), qv, a1);
                a2 = vfma(load_kv(type, r + 2 * rowBytes, n * VW), qv, a2);
                a3 = vfma(load_kv(type, r + 3 * rowBytes, n * VW), qv, a3);
            }
            sc[j] = vsum(a0); sc[j + 1] = vsum(a1); sc[j + 2] = vsum(a2); sc[j + 3] = vsum(a3);
        }
        for (; j < kt; j++) {
            const uint8_t *r = kr + j * rowBytes;
            prefetch_row(vr + j * rowBytes, bytes);
            vf a0 = vzero();
            for (int32_t n = 0; n < nv; n++) a0 = vfma(vload(q + n * VW), load_kv(type, r, n * VW), a0);
            sc[j] = vsum(a0);
        }
        float m = mx;
        for (j = 0; j < kt; j++) {
            sc[j] *= scale;
            if (sc[j] > m) m = sc[j];
        }
        if (m > mx) {
            const vf c = vset1(exp_score(mx - m));  // 0 on the first tile (the max was -inf)
            sum *= exp_score(mx - m);
            for (int32_t n = 0; n < nv; n++) acc[n] = vmul(c, acc[n]);
            mx = m;
        }
        float l = 0;
        for (j = 0; j < kt; j++) {
            sc[j] = exp_score(sc[j] - m);
            l += sc[j];
        }
        // Σ p·v a band of VB accumulators at a time, so that they stay in registers (16 ymm of a
        // 128-wide head spilled to the stack on every FMA); each accumulator still takes its
        // FMAs in key order, so the sums are the same bits.
        for (int32_t n0 = 0; n0 < nv; n0 += VB) {
            for (j = 0; j < kt; j++) {
                const vf pv = vset1(sc[j]);
                const uint8_t *r = vr + j * rowBytes;
                for (int32_t n = n0; n < n0 + VB && n < nv; n++) acc[n] = vfma(pv, load_kv(type, r, n * VW), acc[n]);
            }
        }
        sum += l;
    }
    const float inv = 1.0f / sum;
    for (int32_t n = 0; n < nv; n++) vstore(out + n * VW, vmul(acc[n], vset1(inv)));
}

// Query i (0 <= i < nq) at position first+i attends keys 0 … first+i. k, v: the head's first element
// of position 0, rows rowBytes apart. q/out rows qStride/oStride floats apart. scratch: at least
// 2·KT·hd + nq·hd + 2·nq + KT floats.
void cl_flash_attend(int32_t type, const uint8_t *k, const uint8_t *v, int64_t rowBytes, int32_t hd, int32_t first, int32_t nq,
                     const float *q, int64_t qStride, float scale, float *out, int64_t oStride, float *scratch) {
    if (nq == 1 && (hd == 128 || hd == 64)) {  // generation: register-resident output, see attend_one
        // one instance per (encoding, head size): the type tests inside fold away
        switch (type) {
        case T_F16: hd == 128 ? attend_one(T_F16, k, v, rowBytes, 128, first + 1, q, scale, out)
                              : attend_one(T_F16, k, v, rowBytes, 64, first + 1, q, scale, out); return;
        case T_Q8_0: hd == 128 ? attend_one(T_Q8_0, k, v, rowBytes, 128, first + 1, q, scale, out)
                               : attend_one(T_Q8_0, k, v, rowBytes, 64, first + 1, q, scale, out); return;
        case T_Q4_0: hd == 128 ? attend_one(T_Q4_0, k, v, rowBytes, 128, first + 1, q, scale, out)
                               : attend_one(T_Q4_0, k, v, rowBytes, 64, first + 1, q, scale, out); return;
        case T_F32: hd == 128 ? attend_one(T_F32, k, v, rowBytes, 128, first + 1, q, scale, out)
                              : attend_one(T_F32, k, v, rowBytes, 64, first + 1, q, scale, out); return;
        default: break;
        }
    }
    float *kf = scratch, *vf_ = kf + KT * hd, *acc = vf_ + KT * hd, *mx = acc + (int64_t) nq * hd, *sum = mx + nq, *sc = sum + nq;
    memset(acc, 0, sizeof(float) * (size_t) nq * hd);
    for (int32_t i = 0; i < nq; i++) { mx[i] = -INFINITY; sum[i] = 0; }
    const int32_t keys = first + nq;
    for (int32_t t0 = 0; t0 < keys; t0 += KT) {
        const int32_t kt = keys - t0 < KT ? keys - t0 : KT;
        const float *kt_rows, *vt_rows;
        int64_t stride;
        if (type == T_F32) {  // already floats: read them in place
            kt_rows = (const float *) (k + t0 * rowBytes);
            vt_rows = (const float *) (v + t0 * rowBytes);
            stride = rowBytes / 4;
        } else {
            for (int32_t j = 0; j < kt; j++) {
                decode_row(type, k + (t0 + j) * rowBytes, hd, kf + (int64_t) j * hd);
                decode_row(type, v + (t0 + j) * rowBytes, hd, vf_ + (int64_t) j * hd);
            }
            kt_rows = kf;
            vt_rows = vf_;
            stride = hd;
        }
        for (int32_t i = t0 > first ? t0 - first : 0; i < nq; i++) {
            int32_t visible = first + i + 1 - t0;
            if (visible > kt) visible = kt;
            const float *qi = q + i * qStride;
            int32_t j = 0;
            for (; j + 4 <= visible; j += 4) dot4(qi, kt_rows + j * stride, stride, hd, sc + j);
            for (; j < visible; j++) sc[j] = dot1(qi, kt_rows + j * stride, hd);
            float m = mx[i];
            for (j = 0; j < visible; j++) {
                sc[j] *= scale;
                if (sc[j] > m) m = sc[j];
            }
            float *ai = acc + (int64_t) i * hd;
            if (m > mx[i]) {
                const float c = exp_score(mx[i] - m);  // 0 on the first tile (the max was -inf)
                sum[i] *= c;
                scale_row(c, ai, hd);
                mx[i] = m;
            }
            float l = 0;
            for (j = 0; j < visible; j++) {
                const float p = exp_score(sc[j] - m);
                l += p;
                axpy(p, vt_rows + j * stride, ai, hd);
            }
            sum[i] += l;
        }
    }
    for (int32_t i = 0; i < nq; i++) {
        const float inv = 1.0f / sum[i];
        float *o = out + i * oStride;
        const float *ai = acc + (int64_t) i * hd;
        for (int32_t d = 0; d < hd; d++) o[d] = ai[d] * inv;
    }
}
