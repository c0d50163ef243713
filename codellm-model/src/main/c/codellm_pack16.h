// The 16-row packed Q4_0/Q8_0 group (layout in codellm_avx512.c's header comment), shared by the
// avx512 and avx2 variants: their kernels read the same interleaving, 4 bytes of each of 16 rows
// per 64 bytes (one zmm, or two ymm halves of 8 rows). Only Q8_0's stored value differs: avx512's
// vpdpbusd wants one unsigned operand (q + 128), avx2's vpmaddubsw would saturate on it and takes
// |q| with the sign moved onto the activations instead, so it keeps q as it is.
#ifndef CODELLM_PACK16_H
#define CODELLM_PACK16_H
#include "codellm_kernels.h"
#include "codellm_pack_k.h"

#define PACK16_Q4_0 2
#define PACK16_Q8_0 8

// Packed bytes per group of 16 rows per 32 columns, 0 for a type without this layout.
static inline int64_t pack16_block_bytes(int32_t type) {
    return type == PACK16_Q4_0 ? 32 + 4 * 64 : type == PACK16_Q8_0 ? 32 + 8 * 64 : 0;
}

// Group g of the ggml-layout Q4_0/Q8_0 matrix w into group (nb · pack16_block_bytes bytes); rows
// past the matrix end are zero. q8_xor is XORed into every Q8_0 weight byte (0x80: q + 128).
static inline void pack16_group(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *group,
                                int32_t g, uint8_t q8_xor) {
    const int nb = cols / QK;
    const int64_t gb = pack16_block_bytes(type);
    const int parts = type == PACK16_Q4_0 ? 4 : 8, src_block = type == PACK16_Q4_0 ? 18 : 34;
    const uint8_t x = type == PACK16_Q4_0 ? 0 : q8_xor;
    memset(group, 0, nb * gb);
    for (int b = 0; b < nb; b++) {
        uint8_t *scales, *q;
        block_parts(group, b, nb, gb, &scales, &q);
        for (int i = 0; i < 16; i++) {
            const int64_t r = (int64_t) g * 16 + i;
            if (r >= rows) break;
            const uint8_t *blk = w + r * rowBytes + (int64_t) b * src_block;
            memcpy(scales + 2 * i, blk, 2);
            for (int k = 0; k < parts; k++) {
                uint8_t *lane = q + 64 * k + 4 * i;
                for (int m = 0; m < 4; m++) lane[m] = (uint8_t) (blk[2 + 4 * k + m] ^ x);
            }
        }
    }
}

// Every packed type (Q4_0/Q8_0 here, the K-quants in codellm_pack_k.c): bytes per group per 32
// columns (0: no packed form), a whole matrix's packed bytes, and groups [g0, g1) packed into dst.
static inline int64_t packed_block_bytes(int32_t type) {
    const int64_t q = pack16_block_bytes(type);
    return q != 0 ? q : k_unit_bytes(type);
}

static inline int64_t packed_matrix_bytes(int32_t type, int32_t rows, int32_t cols) {
    const int64_t gb = packed_block_bytes(type);
    return gb == 0 ? 0 : (int64_t) ((rows + 15) / 16) * (cols / QK) * gb;
}

static inline void pack_groups(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst,
                               int32_t g0, int32_t g1, uint8_t q8_xor) {
    const int64_t gstride = (int64_t) (cols / QK) * packed_block_bytes(type);
    for (int32_t g = g0; g < g1; g++) {
        if (pack16_block_bytes(type) != 0) pack16_group(type, w, rowBytes, rows, cols, dst + g * gstride, g, q8_xor);
        else k_pack_group(type, w, rowBytes, rows, cols, dst + g * gstride, g);
    }
}

#endif
