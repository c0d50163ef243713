// Generation kernels alone, codellm's against ggml's, in one process (scripts/kernels-vs-ggml.sh):
// one thread, CPU time of that thread (so a shared machine changes both sides alike), NM matrices
// of ROWS x 4096 random weights (default 6 x 11008: past L3, so weights come from memory as in
// generation). codellm: activations quantized once, then the avx512 variant's packed matmul
// (packing not timed); ggml: quantize_row_q8_0/_K, then vec_dot per row (what llama.cpp runs for
// one token on these types; Q4_0 it repacks to 8x8 blocks instead, so Q4_0 here is vs vec_dot).
// Prints GB/s of ggml-layout weight bytes for both and the ratio; y[5] of both as a sanity check.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

int64_t cl_packed_bytes(int32_t type, int32_t rows, int32_t cols);
void cl_pack(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1);
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride);
void cl_quantize_q8_0(const float *x, uint8_t *y, int64_t n);
void ggml_cpu_init(void);
void quantize_row_q8_K(const float *x, void *y, int64_t k);
void quantize_row_q8_0(const float *x, void *y, int64_t k);
typedef void (*vec_dot)(int n, float *s, size_t bs, const void *vx, size_t bx, const void *vy, size_t by, int nrc);
void ggml_vec_dot_q4_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q8_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q5_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q6_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: kernels-vs-ggml TYPE_ID [REPEATS]  (2 Q4_0, 8 Q8_0, 12 Q4_K, 13 Q5_K, 14 Q6_K)\n"); return 2; }
    const int type = atoi(argv[1]), reps = argc > 2 ? atoi(argv[2]) : 4, cols = 4096;
    const int rows = getenv("ROWS") ? atoi(getenv("ROWS")) : 11008, nm = getenv("NM") ? atoi(getenv("NM")) : 6;
    int bs, bk, d0, d1, k_act;  // block bytes, block weights, offsets of the f16 scales to make sane, q8_K activations
    vec_dot vd;
    const char *name;
    switch (type) {
        case 2: name = "Q4_0"; bs = 18; bk = 32; vd = ggml_vec_dot_q4_0_q8_0; k_act = 0; d0 = 0; d1 = -1; break;
        case 8: name = "Q8_0"; bs = 34; bk = 32; vd = ggml_vec_dot_q8_0_q8_0; k_act = 0; d0 = 0; d1 = -1; break;
        case 12: name = "Q4_K"; bs = 144; bk = 256; vd = ggml_vec_dot_q4_K_q8_K; k_act = 1; d0 = 0; d1 = 2; break;
        case 13: name = "Q5_K"; bs = 176; bk = 256; vd = ggml_vec_dot_q5_K_q8_K; k_act = 1; d0 = 0; d1 = 2; break;
        case 14: name = "Q6_K"; bs = 210; bk = 256; vd = ggml_vec_dot_q6_K_q8_K; k_act = 1; d0 = 208; d1 = -1; break;
        default: fprintf(stderr, "kernels-vs-ggml: unknown type id %d\n", type); return 2;
    }
    ggml_cpu_init();
    const size_t rb = (size_t) cols / bk * bs, mb = rb * rows;
    const int64_t pb = cl_packed_bytes(type, rows, cols);
    uint8_t **w = malloc(nm * sizeof *w), **p = malloc(nm * sizeof *p);
    srand(1);
    for (int m = 0; m < nm; m++) {
        w[m] = aligned_alloc(64, (mb + 63) / 64 * 64);
        for (size_t i = 0; i < mb; i++) w[m][i] = (uint8_t) rand();
        const uint16_t h = 0x2000;  // small normal f16 scales: no inf/NaN/denormal arithmetic on either side
        for (size_t b = 0; b < mb / bs; b++) {
            memcpy(w[m] + b * bs + d0, &h, 2);
            if (d1 >= 0) memcpy(w[m] + b * bs + d1, &h, 2);
        }
        p[m] = aligned_alloc(64, (pb + 63) / 64 * 64);
        cl_pack(type, w[m], rb, rows, cols, p[m], 0, (rows + 15) / 16);
    }
    float *x = malloc(cols * 4), *y = malloc(rows * 4), *y2 = malloc(rows * 4);
    for (int i = 0; i < cols; i++) x[i] = (rand() % 2000 - 1000) / 1000.0f;
    uint8_t *xq = malloc(cols / 32 * 40), *xk = malloc(cols / 256 * 292 + 64);
    double tc = 0, tg = 0;
    for (int r = 0; r < reps + 1; r++) {  // the first pass warms up and is not counted
        for (int m = 0; m < nm; m++) {
            const double t0 = cpu();
            cl_quantize_q8_0(x, xq, cols);
            cl_matmul_packed(type, p[m], rows, 0, (rows + 15) / 16, xq, cols, 1, y, rows);
            const double t1 = cpu();
            if (k_act) quantize_row_q8_K(x, xk, cols); else quantize_row_q8_0(x, xk, cols);
            for (int i = 0; i < rows; i++) vd(cols, y2 + i, 0, w[m] + (size_t) i * rb, 0, xk, 0, 1);
            const double t2 = cpu();
            if (r) { tc += t1 - t0; tg += t2 - t1; }
        }
    }
    const double gb = (double) mb * nm * reps / 1e9;
    printf("| %s | %.2f | %.2f | **%.2f** | %g / %g |\n", name, gb / tc, gb / tg, tg / tc, y[5], y2[5]);
    return 0;
}
