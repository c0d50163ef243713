// BF16 weights × bf16 activations on AMX tiles (TDPBF16PS), for prompt batches.
//
// Same arithmetic as cl_matmul_bf16_dp (activations rounded to bf16 once by cl_round_bf16, products
// of two bf16 exact in float, float accumulation), only the summation order differs.
//
// Layout, chosen so the weights need no repacking: the A operand (16 rows × 32 bf16) is 16 weight
// rows read in place with the row stride; the B operand (16 pairs of K × 16 tokens, "VNNI" layout:
// tile row i holds token n's pair (k0+2i, k0+2i+1) as dword n) is the activations transposed, packed
// once per call into a thread-local buffer (batch × cols bf16, far less work than the matmul). The
// C tile is rows × tokens, so it is stored and added into y transposed.
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

static __thread uint16_t *pack_buf;
static __thread size_t pack_cap;

// The activations in VNNI layout: for each group g of 16 tokens and each 32-wide K step s, a 1 KB
// block: row i (of 16) = dword (x[16g+n][32s+2i], x[16g+n][32s+2i+1]) for n = 0..15. Padded tokens
// are zero. Only the first kq = cols/32·32 columns are packed.
static uint16_t *pack_activations(const uint16_t *x, int cols, int batch, int kq) {
    const int groups = (batch + 15) / 16, steps = kq / 32;
    const size_t need = (size_t) groups * steps * 512;
    if (need > pack_cap) {
        free(pack_buf);
        pack_buf = aligned_alloc(64, need * 2);
        pack_cap = pack_buf ? need : 0;
        if (!pack_buf) return NULL;
    }
    for (int g = 0; g < groups; g++)
        for (int s = 0; s < steps; s++) {
            uint32_t *blk = (uint32_t *) (pack_buf + ((size_t) g * steps + s) * 512);
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
    return pack_buf;
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

// y[t·yStride + r] = row r · xb[t·cols ..] for rows [r0, r1), xb the activations rounded by
// cl_round_bf16; same contract as cl_matmul_bf16_dp (which it calls for generation and row tails).
void cl_matmul_bf16_amx(const uint8_t *wb, int64_t rowBytes, int32_t r0, int32_t r1, const uint16_t *x, int32_t cols,
                        int32_t batch, float *y, int32_t yStride) {
    const int kq = cols / 32 * 32;
    const int32_t r16 = r0 + (r1 - r0) / 16 * 16;
    if (batch < 16 || kq == 0 || r16 == r0) {
        cl_matmul_bf16_dp(wb, rowBytes, r0, r1, x, cols, batch, y, yStride);
        return;
    }
    const uint16_t *b = pack_activations(x, cols, batch, kq);
    if (!b) { cl_matmul_bf16_dp(wb, rowBytes, r0, r1, x, cols, batch, y, yStride); return; }
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
#endif
