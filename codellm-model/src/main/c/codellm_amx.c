// The amx variant (libcodellm_amx): every avx512 kernel (same repacked layout, so generation is
// unchanged) plus AMX tile kernels for prompts. codellm_avx512.c is compiled with -DCL_AMX, which
// renames its cl_matmul_packed to avx512_matmul_packed; the cl_matmul_packed here decides per call
// which of the two runs.
#include "codellm_kernels.h"
#include "codellm_nibble_k.h"
#include <errno.h>
#include <stdlib.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18

// Linux keeps the AMX tile registers out of a process's state until it asks for them
// (arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA)); the permission is process-wide, for every thread,
// and a tile instruction without it is killed with SIGILL. The loader calls this once before any
// kernel: 0, or the errno that refused it (the variant is then refused with that reason).
int32_t cl_amx_init(void) {
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) != 0) return errno;
    return 0;
}

enum { T_Q4_0 = 2, T_Q8_0 = 8, T_Q4_K = 12, T_Q5_K = 13 };
#define G 16          // rows per packed group = columns of a C tile
#define TM 16         // tokens per A tile (rows of A and C)
#define AMX_MIN_BATCH 16  // below one full A tile, the avx512 kernel runs the call
#define TOKEN_CHUNK 128   // tokens whose activations stay in L2 while one group's weights are reused for all of them
#define BT (QK / 4 * 64)  // bytes of one block's B tile: 8 rows of 4 weights × 16 rows

// ldtilecfg's 64-byte operand (palette 1): bytes per row and rows of each tile register.
struct tile_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

// Tiles 0, 1: C, 16 tokens × 16 rows of int32 (two token tiles share each B); tiles 2, 3: A, 16
// tokens × 32 int8 activations (one block); tile 4: B, one block of 16 rows in VNNI form.
// Tile configuration is per thread and cheap, so every call sets it and releases it at the end.
static void configure_tiles(void) {
    struct tile_config c __attribute__((aligned(64)));
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int t = 0; t < 2; t++) {
        c.rows[t] = TM, c.colsb[t] = 4 * G;
        c.rows[2 + t] = TM, c.colsb[2 + t] = QK;
    }
    c.rows[4] = QK / 4, c.colsb[4] = 4 * G;
    _tile_loadconfig(&c);
}

// A packed group (codellm_avx512.c's layout) as signed B tiles, one per block, and f32 scales:
// Q4_0 nibbles − 8 (lane i of part k = row i's bytes 4k..4k+3: low nibbles are elements 4k..,
// high ones 16+4k.., so part k gives B rows k and 4 + k), Q8_0 back from its stored q+128. Done
// once per group and token chunk, so every token tile after it is a plain TDPBSSD and a scale.
static void unpack_group(int32_t type, const uint8_t *pg, int nb, int64_t gb, uint8_t *bt, float *dw) {
    const __m512i low = _mm512_set1_epi8(0xF), eight = _mm512_set1_epi8(8), bias = _mm512_set1_epi8((char) 0x80);
    for (int b = 0; b < nb; b++) {
        uint8_t *sc, *q, *out = bt + (int64_t) b * BT;
        block_parts((uint8_t *) pg, b, nb, gb, &sc, &q);
        _mm512_store_ps(dw + 16 * b, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) sc)));
        if (type == T_Q4_0) {
            for (int k = 0; k < 4; k++) {
                const __m512i v = _mm512_loadu_si512(q + 64 * k);
                _mm512_store_si512(out + 64 * k, _mm512_sub_epi8(_mm512_and_si512(v, low), eight));
                _mm512_store_si512(out + 64 * (k + 4), _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(v, 4), low), eight));
            }
        } else {
            for (int k = 0; k < 8; k++) _mm512_store_si512(out + 64 * k, _mm512_xor_si512(_mm512_loadu_si512(q + 64 * k), bias));
        }
    }
}

// A packed Q4_K/Q5_K group (codellm_avx512_k.c's layout) as B tiles of unsigned 0..15 (0..31)
// weights, one per 32-weight sub-block, with the per-row float scales d·sc and mins dmin·m of each.
static void unpack_group_k(int32_t type, const uint8_t *pg, int nb, uint8_t *bt, float *dw, float *dm) {
    const int five = type == T_Q5_K;
    const int64_t sbBytes = five ? 2880 : 2368;
    for (int sb = 0; sb < nb / 8; sb++) {
        const uint8_t *p = pg + sb * sbBytes;
        const __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p));
        const __m512 dmin = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) (p + 32)));
        for (int j = 0; j < 8; j++) {
            const int b = sb * 8 + j;
            __m512i w[8];
            unpack_nibble_k(p, j, five, w);
            for (int k = 0; k < 8; k++) _mm512_store_si512(bt + (int64_t) b * BT + 64 * k, w[k]);
            _mm512_store_ps(dw + 16 * b, _mm512_mul_ps(d, u8_scales(p + 64 + 16 * j)));
            _mm512_store_ps(dm + 16 * b, _mm512_mul_ps(dmin, u8_scales(p + 192 + 16 * j)));
        }
    }
}

// acc[j] (row lanes of token j) += d_w · d_x · (exact int32 dot of the block), for the 16 tokens
// of a C tile; with K-quant mins also − dmin·m · d_x·Σx.
static inline void scale_add(const int32_t *c, __m512 dw, const float *dm, const uint8_t *xb, int64_t xs, __m512 *acc) {
    for (int j = 0; j < TM; j++)
        acc[j] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(xd(xb + j * xs))),
                                 _mm512_cvtepi32_ps(_mm512_load_si512(c + j * G)), acc[j]);
    if (dm) {
        const __m512 m = _mm512_load_ps(dm);
        for (int j = 0; j < TM; j++) acc[j] = _mm512_fnmadd_ps(m, _mm512_set1_ps(xds(xb + j * xs)), acc[j]);
    }
}

static inline void store_tile(float *y, int32_t yStride, int n, const __m512 *acc) {
    const __mmask16 m = n >= G ? 0xFFFF : (__mmask16) ((1u << n) - 1);
    for (int j = 0; j < TM; j++) _mm512_mask_storeu_ps(y + (int64_t) j * yStride, m, acc[j]);
}

// Tokens [0, TM·pair) of x against one unpacked group: per block one B load, TDPBSSD into one C
// tile per token tile, then the float scale in AVX-512 (ggml's per-block design).
static inline void group_tokens(const uint8_t *bt, const float *dw, const float *dm, int nb, const uint8_t *x, int64_t xs, int pair,
                                float *y, int32_t yStride, int n) {
    int32_t c[2][TM * G] __attribute__((aligned(64)));
    __m512 acc0[TM], acc1[TM];
    for (int j = 0; j < TM; j++) acc0[j] = acc1[j] = _mm512_setzero_ps();
    const int64_t x1 = TM * xs;
    for (int b = 0; b < nb; b++) {
        const uint8_t *xb = x + (int64_t) b * XB;
        _tile_loadd(4, bt + (int64_t) b * BT, 64);
        _tile_zero(0);
        _tile_loadd(2, xb + 8, xs);
        _tile_dpbssd(0, 2, 4);
        if (pair) {
            _tile_zero(1);
            _tile_loadd(3, xb + x1 + 8, xs);
            _tile_dpbssd(1, 3, 4);
        }
        _tile_stored(0, c[0], 4 * G);
        if (pair) _tile_stored(1, c[1], 4 * G);
        const __m512 d = _mm512_load_ps(dw + 16 * b);
        const float *m = dm ? dm + 16 * b : 0;
        scale_add(c[0], d, m, xb, xs, acc0);
        if (pair) scale_add(c[1], d, m, xb + x1, xs, acc1);
    }
    store_tile(y, yStride, n, acc0);
    if (pair) store_tile(y + (int64_t) TM * yStride, yStride, n, acc1);
}

// Per-thread buffer of one unpacked group (nb · 512 B of tiles + nb · 128 B of scales and mins), kept between calls.
static __thread uint8_t *group_buf;
static __thread int64_t group_cap;

// Returns 0 when it ran, -1 when the group buffer could not be allocated (the caller runs avx512 instead).
static int amx_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq,
                              int32_t cols, int32_t tokens, float *y, int32_t yStride) {
    const int nb = cols / QK;
    const int kq = type == T_Q4_K || type == T_Q5_K;
    const int64_t gb = type == T_Q4_0 ? 32 + 4 * 64 : type == T_Q8_0 ? 32 + 8 * 64 : type == T_Q4_K ? 2368 / 8 : 2880 / 8;
    const int64_t xs = (int64_t) nb * XB, gstride = nb * gb;
    const int64_t need = (int64_t) nb * (BT + 128);
    if (group_cap < need) {
        free(group_buf);
        group_buf = aligned_alloc(64, need);
        group_cap = group_buf ? need : 0;
        if (!group_buf) return -1;
    }
    uint8_t *bt = group_buf;
    float *dw = (float *) (group_buf + (int64_t) nb * BT), *dm = kq ? dw + 16 * nb : 0;
    configure_tiles();
    for (int32_t t0 = 0; t0 < tokens; t0 += TOKEN_CHUNK) {
        const int32_t t1 = t0 + TOKEN_CHUNK < tokens ? t0 + TOKEN_CHUNK : tokens;
        for (int32_t g = g0; g < g1; g++) {
            if (kq) unpack_group_k(type, p + g * gstride, nb, bt, dw, dm);
            else unpack_group(type, p + g * gstride, nb, gb, bt, dw);
            for (int32_t t = t0; t < t1; t += 2 * TM)
                group_tokens(bt, dw, dm, nb, xq + t * xs, xs, t + 2 * TM <= t1, y + (int64_t) t * yStride + g * G, yStride,
                             rows - g * G);
        }
    }
    _tile_release();
    return 0;
}

void avx512_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq,
                          int32_t cols, int32_t batch, float *y, int32_t yStride);

// y[t·yStride + r] for rows r of groups [g0, g1) (r < rows) and every token t of xq.
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride) {
    int32_t done = 0;
    if ((type == T_Q4_0 || type == T_Q8_0 || type == T_Q4_K || type == T_Q5_K) && batch >= AMX_MIN_BATCH) {
        done = batch / TM * TM;
        if (amx_matmul_packed(type, p, rows, g0, g1, xq, cols, done, y, yStride) != 0) done = 0;
    }
    if (done < batch)
        avx512_matmul_packed(type, p, rows, g0, g1, xq + (int64_t) done * (cols / QK) * XB, cols, batch - done,
                             y + (int64_t) done * yStride, yStride);
}
