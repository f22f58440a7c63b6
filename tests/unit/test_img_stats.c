/* img_stats: per-channel mean and population std against hand-computed
 * figures, the same whatever the order of the images, and the channel
 * checks. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "common/err.h"
#include "image/img_stats.h"

static void figures_by_hand(void)
{
	/* two RGB images of 2 pixels: red is 0 and 255 (mean 1/2, std 1/2),
	 * green always 51 (0.2, std 0), blue 0, 0, 0, 255 (1/4, sqrt(3)/4) */
	static const uint8_t a[] = {0, 51, 0, 255, 51, 0}, b[] = {0, 51, 0, 255, 51, 255};
	img_view va = {2, 1, 3, a}, vb = {1, 2, 3, b};
	img_stats s, t;
	img_stats_init(&s);
	img_stats_init(&t);
	double mean, std;
	img_stats_channel(&s, 0, &mean, &std);
	CHECK(mean == 0 && std == 0);
	CHECK_EQ(img_stats_add(&s, &va), 0);
	CHECK_EQ(img_stats_add(&s, &vb), 0);
	CHECK_EQ(img_stats_add(&t, &vb), 0);
	CHECK_EQ(img_stats_add(&t, &va), 0);
	CHECK(memcmp(&s, &t, sizeof s) == 0);
	CHECK_EQ(s.n_images, 2);
	CHECK_EQ(s.chans, 3);
	const double want[3][2] = {{0.5, 0.5}, {0.2, 0}, {0.25, sqrt(3) / 4}};
	for (uint32_t c = 0; c < 3; c++) {
		img_stats_channel(&s, c, &mean, &std);
		CHECK(fabs(mean - want[c][0]) < 1e-15 && fabs(std - want[c][1]) < 1e-15);
	}
	/* a gray image after colour ones */
	static const uint8_t g[] = {7};
	img_view vg = {1, 1, 1, g};
	CHECK_EQ(img_stats_add(&s, &vg), -1);
	CHECK(strstr(err_msg(), "1 channel after images of 3") != NULL);
	CHECK_EQ(s.n_images, 2);
}

int main(void)
{
	RUN(figures_by_hand);
	return check_exit();
}
