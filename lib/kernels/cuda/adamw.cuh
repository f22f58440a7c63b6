/* AdamW as torch.optim.AdamW (Loshchilov & Hutter 2019): decoupled weight
 * decay first, then the bias-corrected Adam step; the bias corrections
 * come from the host, in double, as the CPU backend computes them. */

static __global__ void adamw_kernel(float *param, const float *grad, float *m, float *v, size_t n,
			     float lr, float beta1, float beta2, float eps, float weight_decay,
			     float step_size, float bias2_sqrt)
{
	size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
	if (i >= n)
		return;
	float g = grad[i];
	float p = param[i] * (1.0f - lr * weight_decay);
	float mi = beta1 * m[i] + (1.0f - beta1) * g;
	float vi = beta2 * v[i] + (1.0f - beta2) * g * g;
	m[i] = mi;
	v[i] = vi;
	param[i] = p - step_size * mi / (sqrtf(vi) / bias2_sqrt + eps);
}
