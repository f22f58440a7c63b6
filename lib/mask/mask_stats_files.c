#include "mask/mask_stats_files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/atomic.h"
#include "common/err.h"
#include "formats/png_codec.h"
#include "stream/rec_path.h"

/* the frequencies' text into path; it is made in memory, so that the file
 * appears whole */
static int write_freq_text(const mask_stats *s, const char *path)
{
	char *text = NULL;
	size_t text_len = 0;
	FILE *f = open_memstream(&text, &text_len);
	if (!f)
		return err_set("%s: out of memory", path);
	mask_stats_print_freq(f, s);
	int rc;
	if (fclose(f) != 0)
		rc = err_set("%s: out of memory", path);
	else
		rc = atomic_write_file(path, text, text_len);
	free(text);
	return rc;
}

int mask_stats_write_files(const mask_stats *s, const char *label, char *const *earlier_labels,
			   int n_earlier, const char *dir, uint32_t cell_px)
{
	char name[REC_PATH_PART_MAX + 1];
	path_safe_name(name, label);
	int n_same = 1;
	for (int i = 0; i < n_earlier; i++)
		n_same += strcmp(earlier_labels[i], label) == 0;
	char suffix[16] = "";
	if (n_same > 1)
		snprintf(suffix, sizeof suffix, "_%d", n_same);
	char *png_path = NULL, *txt_path = NULL;
	if (asprintf(&png_path, "%s/%s%s.png", dir, name, suffix) < 0 ||
	    asprintf(&txt_path, "%s/%s%s.txt", dir, name, suffix) < 0) {
		free(png_path);
		return err_set("out of memory");
	}
	img heat = {0};
	int rc = mask_stats_heatmap(s, cell_px, &heat);
	if (rc < 0)
		err_prefix("heat map of %u pixels per patch: ", cell_px);
	if (rc == 0)
		rc = image_png_write_file(png_path, &heat);
	img_free(&heat);
	if (rc == 0)
		rc = write_freq_text(s, txt_path);
	free(png_path);
	free(txt_path);
	return rc;
}
