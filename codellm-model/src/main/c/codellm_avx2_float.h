// The avx2 variant's packed F16/BF16 layout (codellm_avx2_float.c), for its cl_packed_bytes/cl_pack.
#ifndef CODELLM_AVX2_FLOAT_H
#define CODELLM_AVX2_FLOAT_H
#include <stdint.h>

enum { FLOAT_T_F16 = 1, FLOAT_T_BF16 = 30 };

int64_t float_packed_bytes(int32_t type, int32_t rows, int32_t cols);  // 0 for a type that is not F16/BF16
void float_pack_groups(const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1);

#endif
