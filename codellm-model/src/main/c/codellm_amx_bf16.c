// BF16 weights × bf16 activations on AMX tiles (TDPBF16PS), for prompt batches.
//
// Same arithmetic as cl_matmul_bf16_dp (activations rounded to bf16 once by cl_round_bf16, products
// of two bf16 exact in float, float accumulation), only the summation order differs.
//
// Layout, chosen so the weights need no repacking: the A operand (16 rows × 32 bf16) is 16 weight
// rows read in place with the row stride; the B operand (16 pairs of K × 16 tokens, "VNNI" layout:
// tile row i holds token n's pair (k0+2i, k0+2i+1) as dword n) is the activations transposed, packed
// once per matmul input by cl_pack_bf16_amx and shared by every call and thread that reads it (Q,
// K and V; gate and up). Packed in every call (16 calls per matmul at 2 threads), it was 0.15 to
// 0.38 of a call's CPU time and 14 % of a 7B layer's BF16 matmuls at batch 256 (C harness, one
// thread: 143 → 124 ms, same output bits). The C tile is rows × tokens, so it is stored and added
// into y transposed.
//
// Blocking: K is split into chunks of at most KC_AMX so a block of RB_AMX weight rows of one chunk
// (RB_AMX × KC_AMX × 2 bytes) stays in L2 while every token group streams past it: each weight is
// read from memory once per call, activations from L3 once per RB_AMX rows. The micro-kernel is
// 32 rows × 32 tokens (4 accumulator tiles, 2 weight tiles, 2 activation tiles: all 8 tiles).
// Rows past a multiple of 16 and K past a multiple of 32 go to cl_matmul_bf16_dp / a scalar tail;
// tokens are padded to a multiple of 16 with zeros in the packed buffer.
//
// The caller must have been granted the AMX tile state (arch_prctl ARCH_REQ_XCOMP_PERM) and checked
// amx_bf16 in the CPU flags.
#include <stdlib.h>
#include "codellm_kernels.h"

#if defined(__AMX_TILE__) && defined(__AMX_BF16__)

#ifndef KC_AMX
#define KC_AMX 2048
#endif
#ifndef RB_AMX
#define RB_AMX 128
#endif

void cl_matmul_bf16_dp(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const uint16_t *x, int32_t cols,
                       int32_t batch, float *y, int32_t yStride);

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} tile_config;

static void config_tiles(void) {
    tile_config c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int i = 0; i < 8; i++) { c.rows[i] = 16; c.colsb[i] = 64; }
    _tile_loadconfig(&c);
}

// A thread-local buffer of at least n uint16 (grown, never shrunk), or NULL when it cannot be had.
static uint16_t *grow(uint16_t **buf, size_t *cap, size_t n) {
    if (n > *cap) {
        free(*buf);
        *buf = aligned_alloc(64, (n * 2 + 63) / 64 * 64);
        *cap = *buf ? n : 0;
    }
    return *buf;
}

// The activations in VNNI layout: for each group g of 16 tokens and each 32-wide K step s, a 1 KB
// block: row i (of 16) = dword (x[16g+n][32s+2i], x[16g+n][32s+2i+1]) for n = 0..15. Padded tokens
// are zero. Only the first kq = cols/32·32 columns are packed.
static void pack_activations(const uint16_t *x, int cols, int batch, int kq, uint16_t *out) {
    const int groups = (batch + 15) / 16, steps = kq / 32;
    for (int g = 0; g < groups; g++)
        for (int s = 0; s < steps; s++) {
            uint32_t *blk = (uint32_t *) (out + ((size_t) g * steps + s) * 512);
            for (int n = 0; n < 16; n++) {
                const int t = 16 * g + n;
                if (t < batch) {
                    // one dword = one K pair of one token (memcpy: cols may be odd, the pair unaligned)
                    const uint16_t *src = x + (int64_t) t * cols + 32 * s;
                    for (int i = 0; i < 16; i++) { uint32_t v; memcpy(&v, src + 2 * i, 4); blk[i * 16 + n] = v; }
                } else
                    for (int i = 0; i < 16; i++) blk[i * 16 + n] = 0;
            }
        }
}

static inline float bf16_f(uint16_t h) { uint32_t u = (uint32_t) h << 16; float f; memcpy(&f, &u, 4); return f; }

// y[t·ys + r] (+)= c[r][t] for the tile's valid rows/tokens.
static inline void add_tile(const float *c, float *y, int64_t ys, int nt, int add) {
    for (int t = 0; t < nt; t++)
        for (int r = 0; r < 16; r++) y[t * ys + r] = add ? y[t * ys + r] + c[r * 16 + t] : c[r * 16 + t];
}

// 32 or 16 rows (NR16 = 2 or 1) × 32 or 16 tokens (NT16) over K steps [s0, s1): weights at w (row
// r, element 32·s at w + r·ws + 32s), packed activations groups b0 (and b0 + bstride for the next).
#define AMX_MICRO(NAME, NR16, NT16)                                                                         \
    static inline __attribute__((always_inline)) void NAME(const uint16_t *w, int64_t ws, const uint16_t *b0, \
                                                          size_t bstride, int s0, int s1, float *y, int64_t ys, \
                                                          int nt, int add) {                                \
        _tile_zero(0); if (NT16 > 1) _tile_zero(1); if (NR16 > 1) _tile_zero(2);                             \
        if (NR16 > 1 && NT16 > 1) _tile_zero(3);                                                            \
        for (int s = s0; s < s1; s++) {                                                                     \
            _tile_loadd(4, w + 32 * s, ws * 2);                                                             \
            if (NR16 > 1) _tile_loadd(5, w + 16 * ws + 32 * s, ws * 2);                                     \
            _tile_loadd(6, b0 + (size_t) s * 512, 64);                                                      \
            if (NT16 > 1) _tile_loadd(7, b0 + bstride + (size_t) s * 512, 64);                              \
            _tile_dpbf16ps(0, 4, 6);                                                                        \
            if (NT16 > 1) _tile_dpbf16ps(1, 4, 7);                                                          \
            if (NR16 > 1) _tile_dpbf16ps(2, 5, 6);                                                          \
            if (NR16 > 1 && NT16 > 1) _tile_dpbf16ps(3, 5, 7);                                              \
        }                                                                                                   \
        float c[256] __attribute__((aligned(64)));                                                          \
        const int n0 = nt < 16 ? nt : 16, n1 = nt - 16;                                                     \
        _tile_stored(0, c, 64); add_tile(c, y, ys, n0, add);                                                \
        if (NT16 > 1) { _tile_stored(1, c, 64); add_tile(c, y + 16 * ys, ys, n1, add); }                    \
        if (NR16 > 1) { _tile_stored(2, c, 64); add_tile(c, y + 16, ys, n0, add); }                         \
        if (NR16 > 1 && NT16 > 1) { _tile_stored(3, c, 64); add_tile(c, y + 16 * ys + 16, ys, n1, add); }    \
    }

AMX_MICRO(micro_32x32, 2, 2)
AMX_MICRO(micro_32x16, 2, 1)
AMX_MICRO(micro_16x32, 1, 2)
AMX_MICRO(micro_16x16, 1, 1)

// x (batch × cols bf16, from cl_round_bf16) in the B-tile layout of cl_matmul_bf16_amx, into out
// (⌈batch/16⌉ · ⌊cols/32⌋ · 512 uint16): made once per matmul input and shared by its calls.
void cl_pack_bf16_amx(const uint16_t *x, int32_t cols, int32_t batch, uint16_t *out) {
    pack_activations(x, cols, batch, cols / 32 * 32, out);
}

// y[t·yStride + r] = row r · xb[t·cols ..] for rows [r0, r1), x the activations rounded by
// cl_round_bf16 and xp their cl_pack_bf16_amx form; same contract as cl_matmul_bf16_dp (which it
// calls for generation and row tails, on x).
void cl_matmul_bf16_amx(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const uint16_t *x, const uint16_t *xp,
                        int32_t cols, int32_t batch, float *y, int32_t yStride) {
    const int kq = cols / 32 * 32;
    const int32_t r16 = r0 + (r1 - r0) / 16 * 16;
    if (batch < 16 || kq == 0 || r16 == r0) {
        cl_matmul_bf16_dp(wb, rowBytes, r0, r1, x, cols, batch, y, yStride);
        return;
    }
    const uint16_t *b = xp;
    const int64_t ws = rowBytes / 2;
    const uint16_t *w = (const uint16_t *) wb;
    const int steps = kq / 32, groups = (batch + 15) / 16;
    const size_t gstride = (size_t) steps * 512;  // elements per token group in the packed buffer
    const int sc = KC_AMX / 32;
    config_tiles();
    for (int s0 = 0; s0 < steps; s0 += sc) {
        const int s1 = s0 + sc < steps ? s0 + sc : steps, add = s0 > 0;
        for (int32_t rb = r0; rb < r16; rb += RB_AMX) {
            const int32_t re = rb + RB_AMX < r16 ? rb + RB_AMX : r16;
            for (int g = 0; g < groups; g += 2) {
                const int t = 16 * g, nt = batch - t < 32 ? batch - t : 32;
                const uint16_t *bg = b + (size_t) g * gstride;
                float *yt = y + (int64_t) t * yStride;
                int32_t r = rb;
                if (g + 1 < groups) {
                    for (; r + 32 <= re; r += 32) micro_32x32(w + r * ws, ws, bg, gstride, s0, s1, yt + r, yStride, nt, add);
                    if (r < re) micro_16x32(w + r * ws, ws, bg, gstride, s0, s1, yt + r, yStride, nt, add);
                } else {
                    for (; r + 32 <= re; r += 32) micro_32x16(w + r * ws, ws, bg, gstride, s0, s1, yt + r, yStride, nt, add);
                    if (r < re) micro_16x16(w + r * ws, ws, bg, gstride, s0, s1, yt + r, yStride, nt, add);
                }
            }
        }
    }
    _tile_release();
    // K past the last multiple of 32: the same bf16 products, added in float.
    if (kq < cols)
        for (int32_t t = 0; t < batch; t++)
            for (int32_t r = r0; r < r16; r++) {
                float s = 0;
                for (int k = kq; k < cols; k++) s += bf16_f(w[r * ws + k]) * bf16_f(x[(int64_t) t * cols + k]);
                y[(int64_t) t * yStride + r] += s;
            }
    if (r16 < r1) cl_matmul_bf16_dp(wb, rowBytes, r16, r1, x, cols, batch, y, yStride);
}
// ---- F16 weights on the same tiles, exactly: each f16 weight is the sum of two bf16 ----
//
// An f16 has an 11-bit significand, a bf16 8 bits and the float exponent range, so w = wh + wl
// exactly (wh = w rounded to bf16, wl = w − wh has at most 3 significant bits). The float
// activations are split the same way, x ≈ xh + xl (|x − xh − xl| ≤ 2^-18 |x|), and three TDPBF16PS
// products wh·xh + wh·xl + wl·xh (the dropped wl·xl ≤ 2^-18 |w·x|) give each product to about
// 2^-17 relative, with fp32 accumulation: far closer to the float kernel than llama.cpp's rounding
// of the activations to f16 (2^-11), at three tile products per weight instead of one.
//
// Weights are split per block of RB_F16 rows × one K chunk into a thread-local buffer (row-major,
// hi then lo, the A tiles) once per call, so nothing is repacked at load; the activations are split
// and packed to the VNNI B layout (pack_activations, twice) once per matmul input by
// cl_split_pack_amx, so the calls of every thread share them (packing per call cost a 256-row call
// 40 %: C harness, 256 × 4096 × batch 256, 1.61× the float kernel against 2.79× at 4096 rows). Micro-kernel 16 rows ×
// 32 tokens: 2 accumulator tiles, wh and wl, xh and xl of two token groups = all 8 tiles.

#ifndef KC_F16
#define KC_F16 2048
#endif
#ifndef RB_F16
#define RB_F16 128
#endif

void cl_matmul_f16(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const float *x, int32_t cols, int32_t batch,
                   float *y, int32_t yStride);

#define SPLIT_TARGET __attribute__((target("avx512bf16,avx512bw,avx512vl,avx512f")))

static inline __attribute__((always_inline)) SPLIT_TARGET void split16(__m512 v, __m256i *hi, __m256i *lo) {
    const __m256i h = (__m256i) _mm512_cvtneps_pbh(v);
    const __m512 hf = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    *hi = h;
    *lo = (__m256i) _mm512_cvtneps_pbh(_mm512_sub_ps(v, hf));
}

// Rows [0, nr) × K [0, nk) (nk a multiple of 32) of the f16 weights at w (row stride ws) split
// into hi[r·nk + c] and lo[r·nk + c] (exact: wh + wl = w).
static SPLIT_TARGET void split_weights(const uint16_t *w, int64_t ws, int nr, int nk, uint16_t *hi, uint16_t *lo) {
    for (int r = 0; r < nr; r++)
        for (int c = 0; c < nk; c += 16) {
            __m256i h, l;
            split16(_mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (w + r * ws + c))), &h, &l);
            _mm256_storeu_si256((__m256i *) (hi + (int64_t) r * nk + c), h);
            _mm256_storeu_si256((__m256i *) (lo + (int64_t) r * nk + c), l);
        }
}

// 16 rows (split weights wh/wl, row stride wst elements) × 32 or 16 tokens (NT16) over ns K steps
// of the packed activations bh/bl (the second token group bstride elements on). Tiles: 0, 1 C;
// 2 wh, 3 wl; 4, 5 xh, xl of group 0; 6, 7 of group 1. The two accumulators' products alternate so
// each tile product's latency overlaps the other chain's.
#define F16_MICRO(NAME, NT16)                                                                               \
    static inline __attribute__((always_inline)) void NAME(const uint16_t *wh, const uint16_t *wl, int64_t wst, \
                                                          const uint16_t *bh, const uint16_t *bl, size_t bstride, \
                                                          int ns, float *y, int64_t ys, int nt, int add) {  \
        _tile_zero(0); if (NT16 > 1) _tile_zero(1);                                                         \
        for (int s = 0; s < ns; s++) {                                                                      \
            _tile_loadd(2, wh + 32 * s, wst * 2);                                                           \
            _tile_loadd(4, bh + (size_t) s * 512, 64);                                                      \
            _tile_dpbf16ps(0, 2, 4);                                                                        \
            if (NT16 > 1) { _tile_loadd(6, bh + bstride + (size_t) s * 512, 64); _tile_dpbf16ps(1, 2, 6); } \
            _tile_loadd(5, bl + (size_t) s * 512, 64);                                                      \
            _tile_dpbf16ps(0, 2, 5);                                                                        \
            if (NT16 > 1) { _tile_loadd(7, bl + bstride + (size_t) s * 512, 64); _tile_dpbf16ps(1, 2, 7); } \
            _tile_loadd(3, wl + 32 * s, wst * 2);                                                           \
            _tile_dpbf16ps(0, 3, 4);                                                                        \
            if (NT16 > 1) _tile_dpbf16ps(1, 3, 6);                                                          \
        }                                                                                                   \
        float c[256] __attribute__((aligned(64)));                                                          \
        _tile_stored(0, c, 64); add_tile(c, y, ys, nt < 16 ? nt : 16, add);                                 \
        if (NT16 > 1) { _tile_stored(1, c, 64); add_tile(c, y + 16 * ys, ys, nt - 16, add); }               \
    }

F16_MICRO(f16_micro_16x32, 2)
F16_MICRO(f16_micro_16x16, 1)

static __thread uint16_t *f16_w_buf;
static __thread size_t f16_w_cap;

static inline float f16_f(uint16_t h) { return _cvtsh_ss(h); }

// Rows become columns: r[n] dword i → r[i] dword n (16 × 16 dwords; 32-, 64-bit unpacks, then
// 128-bit lane shuffles).
static inline __attribute__((always_inline)) void transpose16(__m512i r[16]) {
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
        t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
        t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {  // u[i + j], lane L: rows i..i+3 of column 4L + j
        u[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
        u[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
        u[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
        u[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
    }
    for (int j = 0; j < 4; j++) {  // column 4L + j = lanes L of u[j], u[4 + j], u[8 + j], u[12 + j]
        const __m512i x0 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0x44), x1 = _mm512_shuffle_i32x4(u[j], u[4 + j], 0xEE);
        const __m512i x2 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0x44), x3 = _mm512_shuffle_i32x4(u[8 + j], u[12 + j], 0xEE);
        r[j] = _mm512_shuffle_i32x4(x0, x2, 0x88);
        r[4 + j] = _mm512_shuffle_i32x4(x0, x2, 0xDD);
        r[8 + j] = _mm512_shuffle_i32x4(x1, x3, 0x88);
        r[12 + j] = _mm512_shuffle_i32x4(x1, x3, 0xDD);
    }
}

// The activations of cl_matmul_f16_amx, made once per matmul input and shared by every call and
// thread that reads it: x split into xh + xl (split16), each in pack_activations' VNNI layout,
// xh's blocks in out[0, h) and xl's in out[h, 2h), h = ⌈batch/16⌉ · ⌊cols/32⌋ · 512 uint16. Each
// 16-token × 32-column block is split in registers and transposed there (a scalar transpose took
// 2.3 ms for 256 × 4096 floats, on the dispatching thread, 8 % of that matmul).
SPLIT_TARGET void cl_split_pack_amx(const float *x, int32_t cols, int32_t batch, uint16_t *out) {
    const int steps = cols / 32, groups = (batch + 15) / 16;
    uint16_t *lo = out + (size_t) groups * steps * 512;
    for (int g = 0; g < groups; g++)
        for (int s = 0; s < steps; s++) {
            __m512i h[16], l[16];
            for (int n = 0; n < 16; n++) {
                const int t = 16 * g + n;
                if (t < batch) {
                    const float *src = x + (int64_t) t * cols + 32 * s;
                    __m256i h0, l0, h1, l1;
                    split16(_mm512_loadu_ps(src), &h0, &l0);
                    split16(_mm512_loadu_ps(src + 16), &h1, &l1);
                    h[n] = _mm512_inserti64x4(_mm512_castsi256_si512(h0), h1, 1);
                    l[n] = _mm512_inserti64x4(_mm512_castsi256_si512(l0), l1, 1);
                } else
                    h[n] = l[n] = _mm512_setzero_si512();
            }
            transpose16(h);
            transpose16(l);
            const size_t o = ((size_t) g * steps + s) * 512;
            for (int i = 0; i < 16; i++) {
                _mm512_storeu_si512((void *) (out + o + 32 * i), h[i]);
                _mm512_storeu_si512((void *) (lo + o + 32 * i), l[i]);
            }
        }
}

// y[t·yStride + r] = row r · x[t·cols ..] for rows [r0, r1), F16 weights, float activations: the
// contract of cl_matmul_f16 (which runs generation, row tails, and the call when the weight
// buffer cannot be had); xp is cl_split_pack_amx's output for x.
void cl_matmul_f16_amx(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const float *x, const uint16_t *xp,
                       int32_t cols, int32_t batch, float *y, int32_t yStride) {
    const int kq = cols / 32 * 32;
    const int32_t r16 = r0 + (r1 - r0) / 16 * 16;
    uint16_t *wsplit = batch < 16 || kq == 0 || r16 == r0 ? NULL : grow(&f16_w_buf, &f16_w_cap, 2 * (size_t) RB_F16 * KC_F16);
    if (!wsplit) {
        cl_matmul_f16(wb, rowBytes, r0, r1, x, cols, batch, y, yStride);
        return;
    }
    const uint16_t *bh = xp, *bl = xp + (size_t) ((batch + 15) / 16) * (kq / 32) * 512;
    const int64_t ws = rowBytes / 2;
    const uint16_t *w = (const uint16_t *) wb;
    const int steps = kq / 32, groups = (batch + 15) / 16;
    const size_t gstride = (size_t) steps * 512;
    const int sc = KC_F16 / 32;
    uint16_t *wh = wsplit, *wl = wsplit + (size_t) RB_F16 * KC_F16;
    config_tiles();
    for (int s0 = 0; s0 < steps; s0 += sc) {
        const int s1 = s0 + sc < steps ? s0 + sc : steps, ns = s1 - s0, nk = 32 * ns, add = s0 > 0;
        for (int32_t rb = r0; rb < r16; rb += RB_F16) {
            const int32_t re = rb + RB_F16 < r16 ? rb + RB_F16 : r16;
            split_weights(w + rb * ws + 32 * s0, ws, re - rb, nk, wh, wl);
            for (int g = 0; g < groups; g += 2) {
                const int t = 16 * g, nt = batch - t < 32 ? batch - t : 32;
                const size_t off = (size_t) g * gstride + (size_t) s0 * 512;
                float *yt = y + (int64_t) t * yStride;
                for (int32_t r = rb; r < re; r += 16) {
                    const int64_t wo = (int64_t) (r - rb) * nk;
                    if (g + 1 < groups) f16_micro_16x32(wh + wo, wl + wo, nk, bh + off, bl + off, gstride, ns, yt + r, yStride, nt, add);
                    else f16_micro_16x16(wh + wo, wl + wo, nk, bh + off, bl + off, gstride, ns, yt + r, yStride, nt, add);
                }
            }
        }
    }
    _tile_release();
    // K past the last multiple of 32: the exact f16 weights times the float activations.
    if (kq < cols)
        for (int32_t t = 0; t < batch; t++)
            for (int32_t r = r0; r < r16; r++) {
                float s = 0;
                for (int k = kq; k < cols; k++) s += f16_f(w[r * ws + k]) * x[(int64_t) t * cols + k];
                y[(int64_t) t * yStride + r] += s;
            }
    if (r16 < r1) cl_matmul_f16(wb, rowBytes, r16, r1, x, cols, batch, y, yStride);
}
#endif
