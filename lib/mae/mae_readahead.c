#include "mae/mae_readahead.h"

#include <stdio.h>

#include "common/err.h"

int mae_readahead_loop(mae_readahead_read_fn read, mae_readahead_run_fn run, void *ctx)
{
	int cur = 0, n = read(ctx, cur);
	if (n < 0)
		return -1;
	while (n > 0) {
		int next = read(ctx, !cur);
		/* held while batch cur runs, whose messages would replace it */
		char next_failure[1024] = "";
		if (next < 0)
			snprintf(next_failure, sizeof next_failure, "%s", err_msg());
		if (run(ctx, cur, n) < 0)
			return -1;
		if (next < 0)
			return err_set("%s", next_failure);
		n = next;
		cur = !cur;
	}
	return 0;
}
