/* The time loop's GEMMs at their real shapes, by three routes, one core: OpenBLAS with the
 * weights as stored ([out, in], transposed-B), OpenBLAS with a transposed copy (plain NN), and
 * LIBXSMM's JIT kernels on the transposed copy. Prints GFLOP/s, best of 7 timings.
 * Build and run: launch/bench --gemm (or see bench/README.md). Row-major throughout:
 * C[M, N] += A[M, K] · B[K, N], M = the batch rows of one time step. */
#include <cblas.h>
#include <libxsmm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }

static float *filled(long n) {
    float *p = aligned_alloc(64, (size_t)((n * 4 + 63) / 64 * 64));
    for (long i = 0; i < n; i++) p[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
    return p;
}

typedef struct { const char *model, *what; int m, n, k; } shape;

int main(void) {
    const shape shapes[] = {
        {"seed-char", "encoder h-part, phi_z", 64, 64, 64},      {"seed-char", "encoder layer 2", 64, 128, 64},
        {"seed-char", "rnn z-part, W_hh", 64, 192, 64},          {"seed-char", "backward dh += dg W_hh", 64, 64, 192},
        {"large", "phi_z", 64, 256, 128},                        {"large", "encoder h-part", 64, 256, 512},
        {"large", "encoder layer 2", 64, 256, 256},              {"large", "rnn z-part", 64, 1536, 256},
        {"large", "W_hh", 64, 1536, 512},                        {"large", "backward dh += dg W_hh", 64, 512, 1536},
        {"large", "backward z-part gradient", 64, 256, 1536},
    };
    libxsmm_init();
    printf("| model | product | M x N x K | OpenBLAS NT | OpenBLAS NN | LIBXSMM |\n|---|---|---|---|---|---|\n");
    for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
        const int m = shapes[s].m, n = shapes[s].n, k = shapes[s].k;
        float *a = filled((long)m * k), *b = filled((long)k * n), *c = filled((long)m * n);
        const double flops = 2.0 * m * n * k;
        const int repeats = (int)(2e8 / flops) + 1;
        double best[3] = {1e9, 1e9, 1e9};
        /* LIBXSMM is column-major: C^T[N, M] = B^T[N, K] A^T[K, M], i.e. (m, n, k) = (N, M, K) over the same memory. */
        const float alpha = 1, beta = 1;
        const libxsmm_blasint lda = n, ldb = k, ldc = n;
        libxsmm_smmfunction kernel = libxsmm_smmdispatch(n, m, k, &lda, &ldb, &ldc, &alpha, &beta, NULL, NULL);
        for (int trial = 0; trial < 7; trial++) {
            double t = now();
            for (int r = 0; r < repeats; r++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, a, k, b, k, 1, c, n);
            best[0] = (now() - t) / repeats < best[0] ? (now() - t) / repeats : best[0];
            t = now();
            for (int r = 0; r < repeats; r++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 1, c, n);
            best[1] = (now() - t) / repeats < best[1] ? (now() - t) / repeats : best[1];
            if (kernel) {
                t = now();
                for (int r = 0; r < repeats; r++) kernel(b, a, c);
                best[2] = (now() - t) / repeats < best[2] ? (now() - t) / repeats : best[2];
            }
        }
        printf("| %s | %s | %d x %d x %d | %.1f | %.1f | ", shapes[s].model, shapes[s].what, m, n, k, flops / best[0] / 1e9, flops / best[1] / 1e9);
        if (kernel) printf("%.1f |\n", flops / best[2] / 1e9); else printf("no kernel |\n");
        free(a); free(b); free(c);
    }
    /* The products that read h_{t-1} in one time step: separately, or as one GEMM over the
     * concatenated weights (forward: N concatenated; backward: K concatenated). OpenBLAS NN. */
    const struct { const char *model, *what; int m, n1, n2, k; } pairs[] = {
        {"seed-char", "forward: encoder h-part + W_hh", 64, 64, 192, 64},
        {"large", "forward: encoder h-part + W_hh", 64, 256, 1536, 512},
    };
    printf("\n| model | products | separate | fused | fused / separate |\n|---|---|---|---|---|\n");
    for (size_t s = 0; s < sizeof pairs / sizeof *pairs; s++) {
        const int m = pairs[s].m, n1 = pairs[s].n1, n2 = pairs[s].n2, k = pairs[s].k, n = n1 + n2;
        float *a = filled((long)m * k), *b = filled((long)k * n), *c = filled((long)m * n);
        const int repeats = (int)(2e8 / (2.0 * m * n * k)) + 1;
        double separate = 1e9, fused = 1e9;
        for (int trial = 0; trial < 7; trial++) {
            double t = now();
            for (int r = 0; r < repeats; r++) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n1, k, 1, a, k, b, n1, 1, c, n1);
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n2, k, 1, a, k, b + (long)k * n1, n2, 1, c + (long)m * n1, n2);
            }
            separate = (now() - t) / repeats < separate ? (now() - t) / repeats : separate;
            t = now();
            for (int r = 0; r < repeats; r++) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1, a, k, b, n, 1, c, n);
            fused = (now() - t) / repeats < fused ? (now() - t) / repeats : fused;
        }
        const double flops = 2.0 * m * n * k;
        printf("| %s | %s (%d x (%d + %d) x %d) | %.1f | %.1f | %.2f |\n", pairs[s].model, pairs[s].what, m, n1, n2, k,
               flops / separate / 1e9, flops / fused / 1e9, separate / fused);
        free(a); free(b); free(c);
    }
    libxsmm_finalize();
    return 0;
}
