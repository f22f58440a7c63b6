/* What the emulated CUDA runtime (cuda_emu.h) was asked to do, counted so
 * that a test can tell the backend's asynchronous uploads took their path:
 * queued on the copy stream from page-locked memory and waited for, not
 * copied synchronously. Only the emulation build defines the counts. */
#ifndef MASKPIPE_CUDA_EMU_COUNTS_H
#define MASKPIPE_CUDA_EMU_COUNTS_H

typedef struct cuda_emu_counts {
	long queued_copies;    /* copies queued on a copy stream */
	long pageable_copies;  /* copies on a copy stream from pageable memory (synchronous) */
	long copy_waits;       /* cudaStreamWaitEvent: the compute stream waits for copies */
	long compute_waits;    /* cudaStreamWaitEvent: a copy stream waits for the compute stream */
	long host_allocs;      /* cudaHostAlloc calls */
} cuda_emu_counts;

#ifdef __cplusplus
extern "C" {
#endif

extern cuda_emu_counts cuda_emu_counted;

#ifdef __cplusplus
}
#endif

#endif
