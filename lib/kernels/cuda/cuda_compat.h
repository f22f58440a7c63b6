/* What the CUDA backend's sources (cuda_backend.cu and the *.cuh kernels it
 * includes) need from CUDA, for both of their builds: nvcc's (the real
 * device code, cuda_runtime and cuBLAS) and the emulation build (the same
 * sources compiled for the host by g++ with CUDA_EMU defined, under the
 * shim cuda_emu.h). Kernels are launched only through LAUNCH, so both
 * builds run identical kernel code. Every runtime and cuBLAS call is
 * checked: through CUDA_CHECK or CUBLAS_CHECK, or by hand where a failure
 * is an answer (no device, no room for the arena or for page-locked host
 * memory). */
#ifndef MASKPIPE_CUDA_COMPAT_H
#define MASKPIPE_CUDA_COMPAT_H

#include <stdio.h>
#include <stdlib.h>

#ifdef CUDA_EMU
#include "kernels/cuda/cuda_emu.h"
#define LAUNCH(kernel, n_blocks, n_threads, stream, ...) \
	emu_launch((stream), (n_blocks), (n_threads), [=]() { kernel(__VA_ARGS__); })
#else
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#define LAUNCH(kernel, n_blocks, n_threads, stream, ...)                             \
	do {                                                                         \
		kernel<<<(n_blocks), (n_threads), 0, (stream)>>>(__VA_ARGS__);       \
		CUDA_CHECK(cudaGetLastError());                                      \
	} while (0)
#endif

/* A failing call mid-computation leaves nothing to recover (the backend's
 * operations return nothing, as on the CPU): the message names the file,
 * line and call, and the process exits 1 (exit() runs the handler cli_init
 * registers, so no temporary output is left behind). */
#define CUDA_CHECK(call)                                                             \
	do {                                                                         \
		cudaError_t cuda_rc_ = (call);                                       \
		if (cuda_rc_ != cudaSuccess) {                                       \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call,  \
				cudaGetErrorString(cuda_rc_));                       \
			exit(1);                                                     \
		}                                                                    \
	} while (0)

#define CUBLAS_CHECK(call)                                                           \
	do {                                                                         \
		cublasStatus_t cublas_rc_ = (call);                                  \
		if (cublas_rc_ != CUBLAS_STATUS_SUCCESS) {                           \
			fprintf(stderr, "%s:%d: %s: cuBLAS status %d\n", __FILE__,     \
				__LINE__, #call, (int)cublas_rc_);                   \
			exit(1);                                                     \
		}                                                                    \
	} while (0)

/* 32 lanes per warp on every architecture built for (sm_80 to sm_90) */
#define WARP_SIZE 32

#endif
