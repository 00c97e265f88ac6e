/* Every element-wise kernel once: X(name, parameter list, argument list). dispatch.c expands it
 * into the per-path declarations, the function table and the public entry points; the body files
 * define each kernel once, instantiated per path by kernels_<path>.c. Shapes are in CKernels.h. */
#define VK_KERNELS(X) \
    X(relu_forward, (float *x, long n), (x, n)) \
    X(relu_backward, (const float *y, float *d, long n), (y, d, n)) \
    X(elu_forward, (float *x, long n), (x, n)) \
    X(elu_backward, (const float *y, float *d, long n), (y, d, n)) \
    X(tanh_forward, (float *x, long n), (x, n)) \
    X(tanh_backward, (const float *y, float *d, long n), (y, d, n)) \
    X(broadcast_rows, (const float *bias, float *c, long rows, long cols, long ldc), (bias, c, rows, cols, ldc)) \
    X(add_column_sums, (const float *x, long rows, long cols, long ldx, float *out), (x, rows, cols, ldx, out)) \
    X(gru_forward, (const float *gi, const float *gh, const float *hprev, float *gates, float *hn, float *hout, long rows, long h), \
      (gi, gh, hprev, gates, hn, hout, rows, h)) \
    X(gru_backward, (const float *gates, const float *hn, const float *hprev, float *dh, float *dgi, float *dgh, long rows, long h), \
      (gates, hn, hprev, dh, dgi, dgh, rows, h)) \
    X(lstm_forward, (const float *gi, const float *gh, const float *cprev, float *gates, float *cout, float *hout, long rows, long h), \
      (gi, gh, cprev, gates, cout, hout, rows, h)) \
    X(lstm_backward, (const float *gates, const float *cprev, const float *cout, float *dh, float *dc, float *dgi, long rows, long h), \
      (gates, cprev, cout, dh, dc, dgi, rows, h)) \
    X(sample_latent, (const float *q, const float *eps, float *z, float *sigma, float *slope, long rows, long zw, float floor), \
      (q, eps, z, sigma, slope, rows, zw, floor)) \
    X(sample_latent_residual, (const float *q, const float *p, const float *eps, float *z, float *sigma, float *slope, long rows, \
                               long zw, float floor), (q, p, eps, z, sigma, slope, rows, zw, floor)) \
    X(residual_kl, (const float *q, const float *sigma_q, long rows, long zw, float floor, float free_nats, float scale, float *dq, \
                    float *kl, float *penalty, float *ranges), (q, sigma_q, rows, zw, floor, free_nats, scale, dq, kl, penalty, ranges)) \
    X(residual_backward, (const float *q, const float *p, const float *eps, const float *slope, const float *dz, float *dq, float *dp, \
                          long rows, long zw, float floor), (q, p, eps, slope, dz, dq, dp, rows, zw, floor)) \
    X(reparameterisation_backward, (const float *slope, const float *dz, const float *eps, float *dq, long rows, long zw), \
      (slope, dz, eps, dq, rows, zw)) \
    X(gaussian_kl, (const float *q, const float *sigma_q, const float *p, long rows, long zw, float floor, float free_nats, float scale, \
                    float *dq, float *dp, float *kl, float *penalty, float *ranges), \
      (q, sigma_q, p, rows, zw, floor, free_nats, scale, dq, dp, kl, penalty, ranges)) \
    X(philox_normal_rows, (uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, float *out, long count, long rows, \
                           long stride), (k0, k1, c0, c1, c2, out, count, rows, stride)) \
    X(gaussian_nll, (const float *params, const float *x, long rows, long d, float floor, float scale, float *grad, float *nll), \
      (params, x, rows, d, floor, scale, grad, nll)) \
    X(bernoulli_nll, (const float *logits, const float *x, long rows, long d, float scale, float *grad, float *nll), \
      (logits, x, rows, d, scale, grad, nll)) \
    X(gmm_nll, (const float *params, const float *x, long rows, long d, long k, float floor, float scale, float *grad, float *nll), \
      (params, x, rows, d, k, floor, scale, grad, nll)) \
    X(pen_nll, (const float *params, const float *x, long rows, long k, float floor, float rho_limit, float scale, float *grad, float *nll), \
      (params, x, rows, k, floor, rho_limit, scale, grad, nll)) \
    X(categorical_nll, (const float *logits, const int *tokens, long rows, long v, float scale, float *grad, float *nll), \
      (logits, tokens, rows, v, scale, grad, nll))
