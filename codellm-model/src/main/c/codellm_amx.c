// The amx variant (libcodellm_amx): every avx512 kernel (same repacked layout, so generation is
// unchanged) plus AMX tile kernels for prompts. codellm_avx512.c is compiled with -DCL_AMX, which
// renames its cl_matmul_packed to avx512_matmul_packed; the cl_matmul_packed here decides per call
// which of the two runs.
#include "codellm_kernels.h"
#include <errno.h>
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

void avx512_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq,
                          int32_t cols, int32_t batch, float *y, int32_t yStride);

// y[t·yStride + r] for rows r of groups [g0, g1) (r < rows) and every token t of xq.
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride) {
    avx512_matmul_packed(type, p, rows, g0, g1, xq, cols, batch, y, yStride);
}
