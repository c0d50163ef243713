// F16 and BF16 weights in the AVX-512 variants (avx512, amx), on ggml's layout; the avx2 variant
// runs them on repacked weights instead (codellm_avx2_float.c).
//
// Default path, float activations (as the Java kernels, so the two agree to float rounding): a
// register-blocked GEMM in dot form (llamafile's tinyBLAS idea): a tile of RM rows × RN tokens
// keeps RM·RN vector accumulators; each k-step converts RM weight vectors once (vcvtph2ps for
// F16, a 16-bit shift for BF16) and loads RN activation vectors, then does RM·RN FMAs, so no
// weight is converted more than once per RN tokens and the weights need no repacking. Cache
// blocking: tokens go in blocks whose activations (of one K chunk) stay in L2 while the thread's
// rows go by, and rows longer than KC_MAX are split into K chunks whose partial sums add into y,
// so the weights are read from memory batch/TB times and the activations from L2, not L3.
// Generation (batch < RN) runs MV rows × 1 token: memory-bound, MV independent weight streams.
//
// BF16 with AVX512_BF16 (cl_matmul_bf16_dp, avx512 variant, chosen by NativeKernels when the CPU
// has avx512_bf16): activations are rounded to bf16 once per matmul (cl_round_bf16, round to
// nearest even, as llama.cpp does) and vdpbf16ps multiplies 32 weight/activation pairs per
// instruction (twice the FMAs of the float path); the products of two bf16 are exact in float.
#include <math.h>
#include "codellm_kernels.h"

#ifdef __AVX512F__
#define VW 16
#define RM 4
#define RN 6
#define MV 8
typedef __m512 vf;
static inline vf load_f16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p)); }
static inline vf load_bf16(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *) p)), 16));
}
// n < VW elements, the rest zero (masked loads never touch memory past the row).
static inline vf load_f16_tail(const uint16_t *p, int n) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16((__mmask16) ((1u << n) - 1), p));
}
static inline vf load_bf16_tail(const uint16_t *p, int n) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16((__mmask16) ((1u << n) - 1), p)), 16));
}
static inline vf vload_tail(const float *p, int n) { return _mm512_maskz_loadu_ps((__mmask16) ((1u << n) - 1), p); }
static inline vf vload(const float *p) { return _mm512_loadu_ps(p); }
static inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }
static inline vf vzero(void) { return _mm512_setzero_ps(); }
static inline float vsum(vf v) { return _mm512_reduce_add_ps(v); }
#else
#error "codellm_f16.c is the AVX-512 variants' F16/BF16 kernels (avx2: codellm_avx2_float.c)"
#endif

// Rows longer than this are split into K chunks; activations of one token block × one K chunk
// stay within L2_BUDGET bytes (a Zen 4 / Skylake-SP core has 1 MB of L2).
#define KC_MAX 6144
#define L2_BUDGET (640 * 1024)

static inline float f16_scalar(uint16_t h) { return _cvtsh_ss(h); }
static inline float bf16_scalar(uint16_t h) { uint32_t u = (uint32_t) h << 16; float f; memcpy(&f, &u, 4); return f; }

// y[t·ys + r] (+)= Σ_{k0 ≤ c < k1} w[r·ws + c]·x[t·xs + c], NR ≤ AR rows × NT ≤ AT tokens; add
// says whether an earlier K chunk already wrote y. Inlined with constant NR/NT into unrolled code.
#define FLOAT_TILE(NAME, LOAD, LOAD_TAIL, SCALAR, AR, AT)                                                   \
    static inline __attribute__((always_inline)) void NAME(const uint16_t *w, int64_t ws, const float *x, int64_t xs, \
                                                          int k0, int k1, const int NR, const int NT, float *y, \
                                                          int64_t ys, int add) {                             \
        vf acc[AR][AT];                                                                                     \
        for (int r = 0; r < NR; r++) for (int t = 0; t < NT; t++) acc[r][t] = vzero();                      \
        int c = k0;                                                                                         \
        for (; c + VW <= k1; c += VW) {                                                                     \
            vf wv[AR];                                                                                      \
            for (int r = 0; r < NR; r++) wv[r] = LOAD(w + r * ws + c);                                      \
            for (int t = 0; t < NT; t++) {                                                                  \
                const vf xv = vload(x + t * xs + c);                                                        \
                for (int r = 0; r < NR; r++) acc[r][t] = vfma(wv[r], xv, acc[r][t]);                        \
            }                                                                                               \
        }                                                                                                   \
        if (c < k1) {                                                                                       \
            TAIL_STEP(LOAD_TAIL, AR)                                                                        \
            c = k1;                                                                                         \
        }                                                                                                   \
        for (int r = 0; r < NR; r++)                                                                        \
            for (int t = 0; t < NT; t++) {                                                                  \
                float s = vsum(acc[r][t]);                                                                  \
                for (int k = c; k < k1; k++) s += SCALAR(w[r * ws + k]) * x[t * xs + k];                   \
                y[t * ys + r] = add ? y[t * ys + r] + s : s;                                                \
            }                                                                                               \
    }

#define TAIL_STEP(LOAD_TAIL, AR)                                                                            \
    {                                                                                                       \
        const int n = k1 - c;                                                                               \
        vf wv[AR];                                                                                          \
        for (int r = 0; r < NR; r++) wv[r] = LOAD_TAIL(w + r * ws + c, n);                                  \
        for (int t = 0; t < NT; t++) {                                                                      \
            const vf xv = vload_tail(x + t * xs + c, n);                                                    \
            for (int r = 0; r < NR; r++) acc[r][t] = vfma(wv[r], xv, acc[r][t]);                            \
        }                                                                                                   \
    }

FLOAT_TILE(tile_f16, load_f16, load_f16_tail, f16_scalar, RM, RN)
FLOAT_TILE(tile_bf16, load_bf16, load_bf16_tail, bf16_scalar, RM, RN)
FLOAT_TILE(rows_f16, load_f16, load_f16_tail, f16_scalar, MV, 1)
FLOAT_TILE(rows_bf16, load_bf16, load_bf16_tail, bf16_scalar, MV, 1)

// Splits [0, cols) into chunks of at most KC_MAX (equal, multiples of 32), and picks the token
// block whose activations of one chunk fit the L2 budget (a multiple of RN, at least RN).
static inline int k_chunk(int cols) {
    const int nk = (cols + KC_MAX - 1) / KC_MAX;
    const int kc = ((cols + nk - 1) / nk + 31) / 32 * 32;
    return kc < cols ? kc : cols;
}
static inline int token_block(int kc, int elem_bytes) {
    int tb = L2_BUDGET / (kc * elem_bytes) / RN * RN;
    return tb < RN ? RN : tb;
}

#define TAIL_CASES_4_5(TILE)                                                                                \
    case 4: TILE(wr, ws, xt, cols, k0, k1, RM, 4, yt, yStride, add); break;                                 \
    case 5: TILE(wr, ws, xt, cols, k0, k1, RM, 5, yt, yStride, add); break;

// The driver: matvec for generation, blocked tiles for prompts. TILE_CALL(NR, NT) and
// ROWS_CALL(NR) expand to the kernel calls with constant shapes; T the activation element type.
#define FLOAT_MATMUL(NAME, T, ELEM_BYTES, TILE, ROWS)                                                       \
    void NAME(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const T *x, int32_t cols, int32_t batch, \
              float *y, int32_t yStride) {                                                                  \
        const int64_t ws = rowBytes / 2;                                                                    \
        const uint16_t *w = (const uint16_t *) wb;                                                          \
        if (batch == 1) {                                                                                   \
            for (int32_t t = 0; t < batch; t++)                                                             \
                for (int32_t r = r0; r < r1; r += MV) {                                                     \
                    const int nr = r1 - r < MV ? r1 - r : MV;                                               \
                    const T *xt = x + (int64_t) t * cols;                                                   \
                    float *yt = y + (int64_t) t * yStride + r;                                              \
                    if (nr == MV) ROWS(w + r * ws, ws, xt, cols, 0, cols, MV, 1, yt, yStride, 0);           \
                    else for (int i = 0; i < nr; i++) ROWS(w + (r + i) * ws, ws, xt, cols, 0, cols, 1, 1, yt + i, yStride, 0); \
                }                                                                                           \
            return;                                                                                         \
        }                                                                                                   \
        const int kc = k_chunk(cols), tb = token_block(kc, ELEM_BYTES);                                     \
        for (int k0 = 0; k0 < cols; k0 += kc) {                                                             \
            const int k1 = k0 + kc < cols ? k0 + kc : cols, add = k0 > 0;                                   \
            for (int32_t t0 = 0; t0 < batch; t0 += tb) {                                                    \
                const int32_t t1 = t0 + tb < batch ? t0 + tb : batch;                                       \
                for (int32_t r = r0; r < r1; r += RM) {                                                     \
                    const int nr = r1 - r < RM ? r1 - r : RM;                                               \
                    const uint16_t *wr = w + r * ws;                                                        \
                    for (int32_t t = t0; t < t1; t += RN) {                                                 \
                        const int nt = t1 - t < RN ? t1 - t : RN;                                           \
                        const T *xt = x + (int64_t) t * cols;                                               \
                        float *yt = y + (int64_t) t * yStride + r;                                          \
                        if (nr == RM && nt == RN) TILE(wr, ws, xt, cols, k0, k1, RM, RN, yt, yStride, add); \
                        else if (nr == RM) {                                                                \
                            switch (nt) {                                                                   \
                                case 1: TILE(wr, ws, xt, cols, k0, k1, RM, 1, yt, yStride, add); break;     \
                                case 2: TILE(wr, ws, xt, cols, k0, k1, RM, 2, yt, yStride, add); break;     \
                                case 3: TILE(wr, ws, xt, cols, k0, k1, RM, 3, yt, yStride, add); break;     \
                                TAIL_CASES_4_5(TILE)                                                        \
                                default: for (int i = 0; i < nt; i++)                                       \
                                    TILE(wr, ws, xt + (int64_t) i * cols, cols, k0, k1, RM, 1, yt + (int64_t) i * yStride, yStride, add); \
                            }                                                                               \
                        } else {                                                                            \
                            for (int i = 0; i < nr; i++)                                                    \
                                for (int j = 0; j < nt; j++)                                                \
                                    TILE(wr + i * ws, ws, xt + (int64_t) j * cols, cols, k0, k1, 1, 1,      \
                                         yt + (int64_t) j * yStride + i, yStride, add);                     \
                        }                                                                                   \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
    }

// y[t·yStride + r] = row r · x[t·cols ..] for rows [r0, r1) and batch tokens (float activations).
FLOAT_MATMUL(cl_matmul_f16, float, 4, tile_f16, rows_f16)
FLOAT_MATMUL(cl_matmul_bf16, float, 4, tile_bf16, rows_bf16)

#if defined(__AVX512F__) && defined(__GNUC__) && (__GNUC__ >= 10 || defined(__clang__))
// ---- AVX512_BF16: bf16 activations, vdpbf16ps (only called where the CPU has avx512_bf16) ----
#define BF16_TARGET __attribute__((target("avx512bf16,avx512bw,avx512vl,avx512f")))
#define DW 32  // bf16 pairs per zmm: 32 elements per k-step

// out[i] = x[i] rounded to bf16, nearest even (vcvtne2ps2bf16; the tail in scalar with the same rule).
BF16_TARGET void cl_round_bf16(const float *x, uint16_t *out, int64_t n) {
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512bh v = _mm512_cvtne2ps_pbh(_mm512_loadu_ps(x + i + 16), _mm512_loadu_ps(x + i));
        _mm512_storeu_si512((void *) (out + i), (__m512i) v);
    }
    for (; i < n; i++) {
        uint32_t u;
        memcpy(&u, x + i, 4);
        if ((u & 0x7fffffffu) > 0x7f800000u) out[i] = (uint16_t) ((u >> 16) | 0x40);  // NaN stays NaN
        else out[i] = (uint16_t) ((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
    }
}

static inline __attribute__((always_inline)) BF16_TARGET __m512bh ld_bh(const uint16_t *p) {
    return (__m512bh) _mm512_loadu_si512((const void *) p);
}
static inline __attribute__((always_inline)) BF16_TARGET __m512bh ld_bh_tail(const uint16_t *p, int n) {
    return (__m512bh) _mm512_maskz_loadu_epi16((__mmask32) (n >= 32 ? ~0u : (1u << n) - 1), p);
}

#define DP_TILE(NAME, AR, AT)                                                                               \
    static inline __attribute__((always_inline)) BF16_TARGET void NAME(const uint16_t *w, int64_t ws, const uint16_t *x, \
                                                                      int64_t xs, int k0, int k1, const int NR, const int NT, \
                                                                      float *y, int64_t ys, int add) {      \
        __m512 acc[AR][AT];                                                                                 \
        for (int r = 0; r < NR; r++) for (int t = 0; t < NT; t++) acc[r][t] = _mm512_setzero_ps();          \
        int c = k0;                                                                                         \
        for (; c + DW <= k1; c += DW) {                                                                     \
            __m512bh wv[AR];                                                                                \
            for (int r = 0; r < NR; r++) wv[r] = ld_bh(w + r * ws + c);                                     \
            for (int t = 0; t < NT; t++) {                                                                  \
                const __m512bh xv = ld_bh(x + t * xs + c);                                                  \
                for (int r = 0; r < NR; r++) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], wv[r], xv);           \
            }                                                                                               \
        }                                                                                                   \
        if (c < k1) {                                                                                       \
            const int n = k1 - c;                                                                           \
            __m512bh wv[AR];                                                                                \
            for (int r = 0; r < NR; r++) wv[r] = ld_bh_tail(w + r * ws + c, n);                             \
            for (int t = 0; t < NT; t++) {                                                                  \
                const __m512bh xv = ld_bh_tail(x + t * xs + c, n);                                          \
                for (int r = 0; r < NR; r++) acc[r][t] = _mm512_dpbf16_ps(acc[r][t], wv[r], xv);           \
            }                                                                                               \
        }                                                                                                   \
        for (int r = 0; r < NR; r++)                                                                        \
            for (int t = 0; t < NT; t++) {                                                                  \
                const float s = _mm512_reduce_add_ps(acc[r][t]);                                            \
                y[t * ys + r] = add ? y[t * ys + r] + s : s;                                                \
            }                                                                                               \
    }

DP_TILE(tile_bf16_dp, RM, RN)
DP_TILE(rows_bf16_dp, MV, 1)

// y[t·yStride + r] = row r · xb[t·cols ..] for rows [r0, r1), xb the activations rounded by cl_round_bf16.
BF16_TARGET FLOAT_MATMUL(cl_matmul_bf16_dp, uint16_t, 2, tile_bf16_dp, rows_bf16_dp)
#endif
