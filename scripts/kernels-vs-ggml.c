// Generation kernels alone, codellm's against ggml's, in one process (scripts/kernels-vs-ggml.sh):
// one thread, CPU time of that thread (so a shared machine changes both sides alike), NM matrices
// of ROWS x 4096 random weights (default 6 x 11008: past L3, so weights come from memory as in
// generation). codellm: activations quantized once, then the avx512 variant's packed matmul
// (packing not timed); ggml: quantize_row_q8_0/_K, then vec_dot per row (what llama.cpp runs for
// one token on these types; Q4_0 it repacks to 8x8 blocks instead, so Q4_0 here is vs vec_dot).
// F16/BF16: codellm's cl_matmul_f16 (float activations) and, where the CPU has avx512_bf16, BF16 by
// cl_round_bf16 + cl_matmul_bf16_dp (what NativeKernels runs by default); ggml: the type's from_float
// and vec_dot from ggml_get_type_traits_cpu (llama.cpp's tg path: llamafile_sgemm declines n < 2).
// Also ggml's mul_mat through its CPU backend, one thread, with the weights in the buffer type
// llama.cpp would load them into (the first of the CPU's extra buffer types that takes the op:
// AMX-repacked on a CPU with AMX, 8x8-interleaved Q4_0 on AVX2; else the plain CPU buffer): what
// llama.cpp runs for one token. Each side reads a different matrix at each step (a large L3
// would otherwise hand the second reader the first one's lines).
// Prints GB/s of ggml-layout weight bytes for each and the ratios; y[5] of each as a sanity check.
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include "ggml.h"
#include "ggml-alloc.h"
#include "ggml-backend.h"
#include "ggml-cpu.h"

int64_t cl_packed_bytes(int32_t type, int32_t rows, int32_t cols);
void cl_pack(int32_t type, const uint8_t *w, int64_t rowBytes, int32_t rows, int32_t cols, uint8_t *dst, int32_t g0, int32_t g1);
void cl_matmul_packed(int32_t type, const uint8_t *p, int32_t rows, int32_t g0, int32_t g1, const uint8_t *xq, int32_t cols,
                      int32_t batch, float *y, int32_t yStride);
void cl_quantize_q8_0(const float *x, uint8_t *y, int64_t n);
void quantize_row_q8_K(const float *x, void *y, int64_t k);
void quantize_row_q8_0(const float *x, void *y, int64_t k);
typedef void (*vec_dot)(int n, float *s, size_t bs, const void *vx, size_t bx, const void *vy, size_t by, int nrc);
void ggml_vec_dot_q4_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q8_0_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q4_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q5_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_q6_K_q8_K(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void cl_matmul_f16(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const float *x, int32_t cols, int32_t batch,
                   float *y, int32_t yStride);
void cl_matmul_bf16(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const float *x, int32_t cols, int32_t batch,
                    float *y, int32_t yStride);
void cl_matmul_bf16_dp(const uint8_t *w, int64_t rowBytes, int32_t r0, int32_t r1, const uint16_t *x, int32_t cols,
                       int32_t batch, float *y, int32_t yStride);
void cl_round_bf16(const float *x, uint16_t *out, int64_t n);

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static double process_cpu(void) {  // ggml's backend may run the graph on a pool thread
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// ggml's mul_mat of one token against each of nm matrices, as llama.cpp sets it up.
struct ggml_mm {
    ggml_backend_t be;
    struct ggml_cgraph **g;
    struct ggml_tensor *x, **out;
    const char *buft;
};

static void ggml_mm_init(struct ggml_mm *s, int type, int rows, int cols, int nm, uint8_t **w, size_t mb, const float *x) {
    s->be = ggml_backend_cpu_init();
    ggml_backend_cpu_set_n_threads(s->be, 1);
    ggml_backend_reg_t reg = ggml_backend_cpu_reg();
    ggml_backend_dev_t dev = ggml_backend_reg_dev_get(reg, 0);
    ggml_backend_dev_get_extra_bufts_t extra =
        (ggml_backend_dev_get_extra_bufts_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_dev_get_extra_bufts");
    ggml_backend_buffer_type_t cand[16];
    int nc = 0;
    for (ggml_backend_buffer_type_t *b = extra ? extra(dev) : NULL; b && *b && nc < 15; b++) cand[nc++] = *b;
    cand[nc++] = ggml_backend_cpu_buffer_type();
    struct ggml_init_params wp = {ggml_tensor_overhead() * (nm + 4), NULL, true};
    struct ggml_context *cw = NULL;
    struct ggml_tensor **W = malloc(nm * sizeof *W);
    s->buft = "none";
    for (int c = 0; c < nc; c++) {
        cw = ggml_init(wp);
        for (int m = 0; m < nm; m++) W[m] = ggml_new_tensor_2d(cw, (enum ggml_type) type, cols, rows);
        ggml_backend_buffer_t bw = ggml_backend_alloc_ctx_tensors_from_buft(cw, cand[c]);
        int ok = bw != NULL;
        if (ok && c < nc - 1) {  // does this buffer type take the mul_mat? (asked as llama.cpp asks: 512 tokens)
            struct ggml_init_params tp = {ggml_tensor_overhead() * 4, NULL, true};
            struct ggml_context *ct = ggml_init(tp);
            ok = ggml_backend_dev_supports_op(dev, ggml_mul_mat(ct, W[0], ggml_new_tensor_2d(ct, GGML_TYPE_F32, cols, 512)));
            ggml_free(ct);
        }
        if (ok) { s->buft = ggml_backend_buft_name(cand[c]); break; }
        if (bw) ggml_backend_buffer_free(bw);
        ggml_free(cw);
    }
    for (int m = 0; m < nm; m++) ggml_backend_tensor_set(W[m], w[m], 0, mb);
    struct ggml_init_params xp = {ggml_tensor_overhead() * (2 * nm + 4) + ggml_graph_overhead() * nm, NULL, true};
    struct ggml_context *cx = ggml_init(xp);
    s->x = ggml_new_tensor_2d(cx, GGML_TYPE_F32, cols, 1);
    s->out = malloc(nm * sizeof *s->out);
    s->g = malloc(nm * sizeof *s->g);
    for (int m = 0; m < nm; m++) {
        s->out[m] = ggml_mul_mat(cx, W[m], s->x);
        s->g[m] = ggml_new_graph(cx);
        ggml_build_forward_expand(s->g[m], s->out[m]);
    }
    ggml_backend_alloc_ctx_tensors(cx, s->be);
    ggml_backend_tensor_set(s->x, x, 0, (size_t) cols * 4);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: kernels-vs-ggml TYPE_ID [REPEATS]  (1 F16, 2 Q4_0, 8 Q8_0, 12 Q4_K, 13 Q5_K, 14 Q6_K, 30 BF16)\n"); return 2; }
    const int type = atoi(argv[1]), reps = argc > 2 ? atoi(argv[2]) : 4, cols = 4096;
    const int rows = getenv("ROWS") ? atoi(getenv("ROWS")) : 11008;
    int bs, bk, d0, d1, k_act;  // block bytes, block weights, offsets of the f16 scales to make sane, q8_K activations
    int flt = 0;  // F16/BF16: float kernels, every element its own 16-bit value
    vec_dot vd;
    const char *name;
    switch (type) {
        case 2: name = "Q4_0"; bs = 18; bk = 32; vd = ggml_vec_dot_q4_0_q8_0; k_act = 0; d0 = 0; d1 = -1; break;
        case 8: name = "Q8_0"; bs = 34; bk = 32; vd = ggml_vec_dot_q8_0_q8_0; k_act = 0; d0 = 0; d1 = -1; break;
        case 12: name = "Q4_K"; bs = 144; bk = 256; vd = ggml_vec_dot_q4_K_q8_K; k_act = 1; d0 = 0; d1 = 2; break;
        case 13: name = "Q5_K"; bs = 176; bk = 256; vd = ggml_vec_dot_q5_K_q8_K; k_act = 1; d0 = 0; d1 = 2; break;
        case 14: name = "Q6_K"; bs = 210; bk = 256; vd = ggml_vec_dot_q6_K_q8_K; k_act = 1; d0 = 208; d1 = -1; break;
        case 1: name = "F16"; flt = 1; bs = 2; bk = 1; vd = NULL; k_act = 0; d0 = -1; d1 = -1; break;
        case 30: name = "BF16"; flt = 1; bs = 2; bk = 1; vd = NULL; k_act = 0; d0 = -1; d1 = -1; break;
        default: fprintf(stderr, "kernels-vs-ggml: unknown type id %d\n", type); return 2;
    }
    ggml_cpu_init();
    const struct ggml_type_traits_cpu *tr = ggml_get_type_traits_cpu((enum ggml_type) type);
    if (flt) vd = (vec_dot) tr->vec_dot;
    const int bf16dp = type == 30 && !getenv("NO_BF16_DOT") && __builtin_cpu_supports("avx512bf16");
    const size_t rb = (size_t) cols / bk * bs, mb = rb * rows;
    // Enough matrices that the weights come from memory: WS_MB of them (default 1536: past this
    // machine's L3, which can be hundreds of MB), or NM matrices.
    const double ws = getenv("WS_MB") ? atof(getenv("WS_MB")) : 1536;
    int nm = getenv("NM") ? atoi(getenv("NM")) : (int) (ws * 1048576 / mb + 1);
    if (nm < 3) nm = 3;  // each side on a different matrix
    const int64_t pb = flt ? 0 : cl_packed_bytes(type, rows, cols);
    uint8_t **w = malloc(nm * sizeof *w), **p = malloc(nm * sizeof *p);
    srand(1);
    for (int m = 0; m < nm; m++) {
        // W_OFFSET=32: weights at 32 mod 64, as GGUF (32-byte alignment) may place a tensor.
        w[m] = (uint8_t *) aligned_alloc(64, (mb + 127) / 64 * 64) + (getenv("W_OFFSET") ? atoi(getenv("W_OFFSET")) : 0);
        for (size_t i = 0; i < mb; i++) w[m][i] = (uint8_t) rand();
        const uint16_t h = 0x2000;  // small normal f16 scales: no inf/NaN/denormal arithmetic on either side
        for (size_t b = 0; !flt && b < mb / bs; b++) {
            memcpy(w[m] + b * bs + d0, &h, 2);
            if (d1 >= 0) memcpy(w[m] + b * bs + d1, &h, 2);
        }
        for (size_t i = 0; flt && i < mb / 2; i++) {  // weights in [-1, 1): sign, small exponent, random mantissa
            const uint16_t v = (uint16_t) rand();
            const uint16_t e = type == 1 ? (uint16_t) ((v & 0x83ff) | (0x0c00 + ((v >> 10) & 7) * 0x400))
                                         : (uint16_t) ((v & 0x807f) | ((0x78 + ((v >> 7) & 3)) << 7));
            memcpy(w[m] + 2 * i, &e, 2);
        }
        if (flt) { p[m] = NULL; continue; }
        p[m] = aligned_alloc(64, (pb + 63) / 64 * 64);
        cl_pack(type, w[m], rb, rows, cols, p[m], 0, (rows + 15) / 16);
    }
    float *x = malloc(cols * 4), *y = malloc(rows * 4), *y2 = malloc(rows * 4);
    for (int i = 0; i < cols; i++) x[i] = (rand() % 2000 - 1000) / 1000.0f;
    uint8_t *xq = malloc(cols / 32 * 40), *xk = malloc(cols / 256 * 292 + 64 + 2 * cols);
    uint16_t *xb = malloc(2 * cols);
    struct ggml_mm mm;
    ggml_mm_init(&mm, type, rows, cols, nm, w, mb, x);
    float *y3 = malloc(rows * 4);
    double tc = 0, tg = 0, tm = 0;
    for (int r = 0; r < reps + 1; r++) {  // the first pass warms up and is not counted
        for (int m = 0; m < nm; m++) {
            const int mv = (m + nm / 3) % nm, mg = (m + 2 * nm / 3) % nm;
            const double t0 = cpu();
            if (type == 1) cl_matmul_f16(w[m], rb, 0, rows, x, cols, 1, y, rows);
            else if (type == 30 && bf16dp) { cl_round_bf16(x, xb, cols); cl_matmul_bf16_dp(w[m], rb, 0, rows, xb, cols, 1, y, rows); }
            else if (type == 30) cl_matmul_bf16(w[m], rb, 0, rows, x, cols, 1, y, rows);
            else {
                cl_quantize_q8_0(x, xq, cols);
                cl_matmul_packed(type, p[m], rows, 0, (rows + 15) / 16, xq, cols, 1, y, rows);
            }
            const double t1 = cpu();
            if (flt) tr->from_float(x, xk, cols);
            else if (k_act) quantize_row_q8_K(x, xk, cols); else quantize_row_q8_0(x, xk, cols);
            for (int i = 0; i < rows; i++) vd(cols, y2 + i, 0, w[mv] + (size_t) i * rb, 0, xk, 0, 1);
            const double t2 = cpu(), p0 = process_cpu();
            ggml_backend_graph_compute(mm.be, mm.g[mg]);
            const double p1 = process_cpu();
            if (r) { tc += t1 - t0; tg += t2 - t1; tm += p1 - p0; }
        }
    }
    // the sanity values, all three on matrix 0
    for (int i = 0; i < rows; i++) vd(cols, y2 + i, 0, w[0] + (size_t) i * rb, 0, xk, 0, 1);
    if (type == 1) cl_matmul_f16(w[0], rb, 0, rows, x, cols, 1, y, rows);
    else if (type == 30 && bf16dp) cl_matmul_bf16_dp(w[0], rb, 0, rows, xb, cols, 1, y, rows);
    else if (type == 30) cl_matmul_bf16(w[0], rb, 0, rows, x, cols, 1, y, rows);
    else cl_matmul_packed(type, p[0], rows, 0, (rows + 15) / 16, xq, cols, 1, y, rows);
    ggml_backend_graph_compute(mm.be, mm.g[0]);
    ggml_backend_tensor_get(mm.out[0], y3, 0, (size_t) rows * 4);
    const double gb = (double) mb * nm * reps / 1e9;
    printf("| %s%s | %.2f | %.2f | **%.2f** | %.2f (%s) | **%.2f** | %g / %g / %g |\n", name,
           type == 30 ? (bf16dp ? " (vdpbf16ps)" : " (float)") : "", gb / tc, gb / tg, tg / tc, gb / tm, mm.buft, tm / tc,
           y[5], y2[5], y3[5]);
    return 0;
}
