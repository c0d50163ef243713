// The amx variant (libcodellm_amx): every avx512 kernel (same repacked layout, so generation is
// unchanged) plus AMX tile kernels for prompts. codellm_avx512.c is compiled with -DCL_AMX, which
// renames its cl_matmul_packed to avx512_matmul_packed; the cl_matmul_packed here decides per call
// which of the two runs.
#include "codellm_kernels.h"
#include <errno.h>
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

enum { T_Q4_0 = 2, T_Q8_0 = 8 };
#define G 16          // rows per packed group = columns of a C tile
#define TM 16         // tokens per A tile (rows of A and C)
#define AMX_MIN_BATCH 16  // below one full A tile, the avx512 kernel runs the call
#define TOKEN_CHUNK 128   // tokens whose activations stay in L2 while one group's weights are reused for all of them

// ldtilecfg's 64-byte operand (palette 1): bytes per row and rows of each tile register.
struct tile_config {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
};

// Tile 0: C, 16 tokens × 16 rows of int32; tile 1: A, 16 tokens × 32 int8 activations (one block);
// tile 2: B, one block of 16 rows in VNNI form, 8 rows of 4 weights × 16 rows = the packed parts.
// Tile configuration is per thread and cheap, so every call sets it and releases it at the end.
static void configure_tiles(void) {
    struct tile_config c __attribute__((aligned(64)));
    memset(&c, 0, sizeof c);
    c.palette = 1;
    c.rows[0] = TM, c.colsb[0] = 4 * G;
    c.rows[1] = TM, c.colsb[1] = QK;
    c.rows[2] = QK / 4, c.colsb[2] = 4 * G;
    _tile_loadconfig(&c);
}

// Q4_0 parts (lane i of part k = row i's bytes 4k..4k+3, low nibbles elements 4k.., high 16+4k..)
// unpacked to the B tile's 8 rows of unsigned 0..15 (row k: elements 4k..4k+3 of the 16 rows).
static inline void unpack_q4_0(const uint8_t *q, uint8_t *b) {
    const __m512i low = _mm512_set1_epi8(0xF);
    for (int k = 0; k < 4; k++) {
        const __m512i v = _mm512_loadu_si512(q + 64 * k);
        _mm512_store_si512(b + 64 * k, _mm512_and_si512(v, low));
        _mm512_store_si512(b + 64 * (k + 4), _mm512_and_si512(_mm512_srli_epi16(v, 4), low));
    }
}

// Tokens [t, t + TM) against one packed group: per block, TDPBSUD (signed activations × unsigned
// weights) gives the exact int32 dots of 16 tokens × 16 rows; AVX-512 then removes the weights'
// offset (8 for Q4_0, 128 for Q8_0's stored q+128) with the token's Σq and adds d_w·d_x·dot in float.
static inline void group_tokens(int32_t type, const uint8_t *pg, int nb, int64_t gb, const uint8_t *x, int64_t xs,
                                float *y, int32_t yStride, int n) {
    int32_t c[TM * G] __attribute__((aligned(64)));
    uint8_t bq[QK / 4 * 64] __attribute__((aligned(64)));
    const int32_t offset = type == T_Q4_0 ? 8 : 128;
    __m512 acc[TM];
    for (int j = 0; j < TM; j++) acc[j] = _mm512_setzero_ps();
    for (int b = 0; b < nb; b++) {
        uint8_t *sc, *q;
        block_parts((uint8_t *) pg, b, nb, gb, &sc, &q);
        const uint8_t *xb = x + (int64_t) b * XB;
        _tile_zero(0);
        _tile_loadd(1, xb + 8, xs);
        if (type == T_Q4_0) {
            unpack_q4_0(q, bq);
            _tile_loadd(2, bq, 64);
        } else {
            _tile_loadd(2, q, 64);
        }
        _tile_dpbsud(0, 1, 2);
        _tile_stored(0, c, 4 * G);
        const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) sc));
        for (int j = 0; j < TM; j++) {
            const uint8_t *xj = xb + j * xs;
            const __m512i dot = _mm512_sub_epi32(_mm512_load_si512(c + j * G), _mm512_set1_epi32(offset * xsum(xj)));
            acc[j] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(xd(xj))), _mm512_cvtepi32_ps(dot), acc[j]);
        }
    }
    const __mmask16 m = n >= G ? 0xFFFF : (__mmask16) ((1u << n) - 1);
    for (int j = 0; j < TM; j++) _mm512_mask_storeu_ps(y + (int64_t) j * yStride, m, acc[j]);
}

static void amx_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq,
                              int32_t cols, int32_t tokens, float *y, int32_t yStride) {
    const int nb = cols / QK;
    const int64_t gb = type == T_Q4_0 ? 32 + 4 * 64 : 32 + 8 * 64, xs = (int64_t) nb * XB, gstride = nb * gb;
    configure_tiles();
    for (int32_t t0 = 0; t0 < tokens; t0 += TOKEN_CHUNK) {
        const int32_t t1 = t0 + TOKEN_CHUNK < tokens ? t0 + TOKEN_CHUNK : tokens;
        for (int32_t g = g0; g < g1; g++)
            for (int32_t t = t0; t < t1; t += TM)
                group_tokens(type, p + g * gstride, nb, gb, xq + t * xs, xs, y + (int64_t) t * yStride + g * G, yStride,
                             rows - g * G);
    }
    _tile_release();
}

void avx512_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq,
                          int32_t cols, int32_t batch, float *y, int32_t yStride);

// y[t·yStride + r] for rows r of groups [g0, g1) (r < rows) and every token t of xq.
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride) {
    int32_t done = 0;
    if ((type == T_Q4_0 || type == T_Q8_0) && batch >= AMX_MIN_BATCH) {
        done = batch / TM * TM;
        amx_matmul_packed(type, p, rows, g0, g1, xq, cols, done, y, yStride);
    }
    if (done < batch)
        avx512_matmul_packed(type, p, rows, g0, g1, xq + (int64_t) done * (cols / QK) * XB, cols, batch - done,
                             y + (int64_t) done * yStride, yStride);
}
