/* maskpipe's public API (man 3 libmaskpipe): record streams, images and
 * the embeddings of a trained MAE. Every symbol is mp_ or MP_. Build with
 * `pkg-config --cflags --libs maskpipe`. */
#ifndef MP_MASKPIPE_H
#define MP_MASKPIPE_H

#include "maskpipe/common.h"
#include "maskpipe/image.h"
#include "maskpipe/model.h"
#include "maskpipe/stream.h"

#endif
