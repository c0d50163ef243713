// Packing of Q4_K/Q5_K/Q6_K matrices into the 16-row groups the avx512 (codellm_avx512_k.c) and
// avx2 (codellm_avx2_packed.c) kernels read: the layout is in codellm_avx512_k.c's header
// comment, the plane offsets in codellm_pack_k.h. Plain C, compiled into every variant.
#include "codellm_kernels.h"
#include "codellm_pack_k.h"

#define G 16

int64_t k_unit_bytes(int32_t type) {  // packed bytes per group per 32 columns
    switch (type) {
        case 12: return 2368 / 8;
        case 13: return 2880 / 8;
        case 14: return 3392 / 8;
        default: return 0;
    }
}

static void scale_min(int j, const uint8_t *q, uint8_t *sc, uint8_t *m) {  // ggml's get_scale_min_k4
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Element e (0..255) of a Q6_K block as its unsigned 6-bit value (weight = d·sc[e/16]·(v − 32)).
static int q6_value(const uint8_t *b, int e) {
    const int n = e / 128, c = (e % 128) / 32, l = e % 32;
    const uint8_t ql = b[64 * n + l + (c & 1) * 32], qh = b[128 + 32 * n + l];
    return ((c < 2 ? ql & 0xF : ql >> 4) | (((qh >> (2 * c)) & 3) << 4));
}

void k_pack_group(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *out, int32_t g) {
    const int nsb = cols / 256;
    const int64_t sbBytes = k_unit_bytes(type) * 8;
    const int srcBlock = type == 12 ? 144 : type == 13 ? 176 : 210;
    for (int sb = 0; sb < nsb; sb++, out += sbBytes) {
        memset(out, 0, sbBytes);
        for (int i = 0; i < G; i++) {
            const int64_t r = (int64_t) g * G + i;
            if (r >= rows) break;
            const uint8_t *b = w + r * rowBytes + (int64_t) sb * srcBlock;
            if (type == 14) {
                memcpy(out + 2 * i, b + 208, 2);
                for (int s = 0; s < 16; s++) out[32 + 16 * s + i] = b[192 + s];
                for (int e = 0; e < 256; e++) {
                    const int v = q6_value(b, e), j = e / 32, k = (e % 32) / 4, m = e % 4;
                    out[q6_low(j) + 64 * k + 4 * i + m] |= (uint8_t) ((v & 0xF) << (4 * (j & 1)));
                    out[q6_high(j) + 64 * k + 4 * i + m] |= (uint8_t) ((v >> 4) << (2 * (j % 4)));
                }
                continue;
            }
            memcpy(out + 2 * i, b, 2);
            memcpy(out + 32 + 2 * i, b + 2, 2);
            for (int j = 0; j < 8; j++) scale_min(j, b + 4, out + 64 + 16 * j + i, out + 192 + 16 * j + i);
            const uint8_t *qs = b + (type == 12 ? 16 : 48);
            for (int p = 0; p < 4; p++)
                for (int k = 0; k < 8; k++) memcpy(out + nibble_k_qs(p, type == 13) + 64 * k + 4 * i, qs + 32 * p + 4 * k, 4);
            if (type == 13) {
                const uint8_t *qh = b + 16;
                for (int j = 0; j < 8; j++)
                    for (int l = 0; l < 32; l++)
                        out[q5_fifth(j) + 4 * i + l % 4] |= (uint8_t) (((qh[l] >> j) & 1) << (l / 4));
            }
        }
    }
}

