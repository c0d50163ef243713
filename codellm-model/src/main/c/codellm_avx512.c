// AVX-512 VNNI kernels on weights repacked at load (only in the libcodellm_avx512 variant).
//
// Why repack: in ggml's layout each 32-weight block of one row ends in a horizontal sum before its
// scale can be applied, which keeps a one-row dot compute-bound. Here 16 rows are interleaved (as
// llama.cpp's repack does for 8 rows): one 512-bit register holds 4 weights of each of 16 rows, so
// vpdpbusd against 4 activation bytes broadcast to every lane gives 16 rows' partial sums at once,
// the block scales multiply lane-wise (one f16 per row), and no horizontal sum is left until the
// 16 outputs are stored. The same tile serves 1 token (generation, memory-bound) and 4 tokens at
// a time (prompt processing: each weight register is reused for 4 tokens).
//
// Packed group of 16 rows (rows past the matrix end are zero), per 32-weight block b:
//   Q4_0: f16 d[16] (32 B), then 4 × 64 B: lane i of part k = row i's q[4k..4k+3] (low nibbles are
//         elements 4k.., high nibbles 16+4k..), i.e. ggml's bytes regrouped 4 at a time; 288 B.
//   Q8_0: f16 d[16], then 8 × 64 B: lane i of part k = row i's q[4k..4k+3] + 128 (vpdpbusd wants
//         one unsigned operand; the +128 comes back out as 128·Σq_x per block); 544 B.
// Blocks go in pairs, the two d[16] first (64 B) and then the two blocks' weight parts: a single
// block is 4.5 or 8.5 cache lines, so every other block's 64 B weight loads would each straddle
// two lines (split loads cost read bandwidth from memory); a pair is 9 or 17 whole lines. A last
// unpaired block (odd cols/32) keeps the single form. Group starts are multiples of 64 B when
// cols/32 is even.
#include "codellm_kernels.h"
#include "codellm_pack16.h"

#define G 16  // rows per packed group = int32 lanes of a zmm register

enum { T_Q4_0 = 2, T_Q8_0 = 8 };

void k_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                     int32_t batch, float *y, int32_t yStride);

// Bytes of the packed form of a rows × cols matrix, or 0 when this variant has no packed kernel.
int64_t cl_packed_bytes(int32_t type, int32_t rows, int32_t cols) { return packed_matrix_bytes(type, rows, cols); }

// Packs groups [g0, g1) of the ggml-layout matrix w (rows of rowBytes) into dst; Q8_0 stored + 128 for vpdpbusd.
void cl_pack(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1) {
    pack_groups(type, w, rowBytes, rows, cols, dst, g0, g1, 0x80);
}

static inline __m512i bcast(const uint8_t *xb, int k) { return _mm512_set1_epi32(xq4(xb, k)); }

// One Q4_0 block against T tokens: acc[t] lane i += d_i·d_x·(Σ n·q − 8·Σq).
static inline __attribute__((always_inline)) void block_q4_0(const uint8_t *sc, const uint8_t *q, const uint8_t *x, int64_t xs,
                                                             int T, __m512 *acc) {
    const __m512i low = _mm512_set1_epi8(0xF);
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) sc));
    __m512i w[8];
    for (int k = 0; k < 4; k++) {
        const __m512i v = _mm512_loadu_si512(q + 64 * k);
        w[k] = _mm512_and_si512(v, low);
        w[k + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
    }
    for (int t = 0; t < T; t++) {
        const uint8_t *xb = x + t * xs;
        __m512i s0 = _mm512_set1_epi32(-8 * xsum(xb)), s1 = _mm512_setzero_si512();
        for (int k = 0; k < 4; k += 2) {
            s0 = _mm512_dpbusd_epi32(s0, w[k], bcast(xb, k));
            s1 = _mm512_dpbusd_epi32(s1, w[k + 1], bcast(xb, k + 1));
            s0 = _mm512_dpbusd_epi32(s0, w[k + 4], bcast(xb, k + 4));
            s1 = _mm512_dpbusd_epi32(s1, w[k + 5], bcast(xb, k + 5));
        }
        const __m512 f = _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1));
        acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(xd(xb))), f, acc[t]);
    }
}

// One Q8_0 block, weights stored +128: Σ(q+128)·x = Σq·x + 128·Σx.
static inline __attribute__((always_inline)) void block_q8_0(const uint8_t *sc, const uint8_t *q, const uint8_t *x, int64_t xs,
                                                             int T, __m512 *acc) {
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) sc));
    for (int t = 0; t < T; t++) {
        const uint8_t *xb = x + t * xs;
        __m512i s0 = _mm512_set1_epi32(-128 * xsum(xb)), s1 = _mm512_setzero_si512();
        for (int k = 0; k < 8; k += 2) {
            s0 = _mm512_dpbusd_epi32(s0, _mm512_loadu_si512(q + 64 * k), bcast(xb, k));
            s1 = _mm512_dpbusd_epi32(s1, _mm512_loadu_si512(q + 64 * k + 64), bcast(xb, k + 1));
        }
        const __m512 f = _mm512_cvtepi32_ps(_mm512_add_epi32(s0, s1));
        acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(xd(xb))), f, acc[t]);
    }
}

// T tokens against one packed group of nb blocks (UNIT bytes each) in pairs: the pair's two blocks
// add into separate accumulators (two FMA chains), summed at the end.
#define PAIRED_TILE(NAME, BLOCK, UNIT)                                                                      \
    static inline __attribute__((always_inline)) void NAME(const uint8_t *p, int nb, const uint8_t *x, int64_t xs, int T, \
                                                          __m512 *acc) {                                    \
        __m512 odd[TT];                                                                                     \
        for (int t = 0; t < T; t++) acc[t] = odd[t] = _mm512_setzero_ps();                                  \
        int b = 0;                                                                                          \
        for (; b + 2 <= nb; b += 2, p += 2 * (UNIT)) {                                                      \
            BLOCK(p, p + 64, x + (int64_t) b * XB, xs, T, acc);                                             \
            BLOCK(p + 32, p + 64 + (UNIT) - 32, x + (int64_t) (b + 1) * XB, xs, T, odd);                   \
        }                                                                                                   \
        if (b < nb) BLOCK(p, p + 32, x + (int64_t) b * XB, xs, T, acc);                                     \
        for (int t = 0; t < T; t++) acc[t] = _mm512_add_ps(acc[t], odd[t]);                                 \
    }

// One token against MV_GROUPS groups (stride gs) side by side, pairs as PAIRED_TILE.
#define PAIRED_MV(NAME, BLOCK, UNIT)                                                                        \
    static inline __attribute__((always_inline)) void NAME(const uint8_t *p, int64_t gs, int nb, const uint8_t *x, __m512 *acc) { \
        __m512 odd[MV_GROUPS];                                                                              \
        for (int g = 0; g < MV_GROUPS; g++) acc[g] = odd[g] = _mm512_setzero_ps();                          \
        int b = 0;                                                                                          \
        for (; b + 2 <= nb; b += 2, p += 2 * (UNIT))                                                        \
            for (int g = 0; g < MV_GROUPS; g++) {                                                           \
                const uint8_t *q = p + g * gs;                                                              \
                BLOCK(q, q + 64, x + (int64_t) b * XB, 0, 1, acc + g);                                      \
                BLOCK(q + 32, q + 64 + (UNIT) - 32, x + (int64_t) (b + 1) * XB, 0, 1, odd + g);            \
            }                                                                                               \
        if (b < nb)                                                                                         \
            for (int g = 0; g < MV_GROUPS; g++) BLOCK(p + g * gs, p + g * gs + 32, x + (int64_t) b * XB, 0, 1, acc + g); \
        for (int g = 0; g < MV_GROUPS; g++) acc[g] = _mm512_add_ps(acc[g], odd[g]);                         \
    }

#include "codellm_avx512_matmul.h"

PAIRED_TILE(tile_q4_0, block_q4_0, 288)
PAIRED_TILE(tile_q8_0, block_q8_0, 544)

PAIRED_MV(mv_q4_0, block_q4_0, 288)
PAIRED_MV(mv_q8_0, block_q8_0, 544)

PACKED_MATMUL_MV(matmul_packed_q4_0, tile_q4_0, mv_q4_0, 288)
PACKED_MATMUL_MV(matmul_packed_q8_0, tile_q8_0, mv_q8_0, 544)

#ifdef CL_AMX  // the amx variant's cl_matmul_packed (codellm_amx.c) sends prompts to tiles, the rest here
#define cl_matmul_packed avx512_matmul_packed
#endif

// y[t·yStride + r] for rows r of groups [g0, g1) (r < rows) and every token t of xq.
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride) {
    switch (type) {
        case T_Q4_0: matmul_packed_q4_0(p, rows, g0, g1, xq, cols, batch, y, yStride); break;
        case T_Q8_0: matmul_packed_q8_0(p, rows, g0, g1, xq, cols, batch, y, yStride); break;
        default: k_matmul_packed(type, p, rows, g0, g1, xq, cols, batch, y, yStride); break;
    }
}
