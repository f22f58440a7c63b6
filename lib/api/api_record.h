/* What the public handles hold, for the files of api/ that share them. */
#ifndef MASKPIPE_API_RECORD_H
#define MASKPIPE_API_RECORD_H

#include "maskpipe/stream.h"
#include "stream/rec.h"

/* An mp_record is a rec: the public type only hides its layout. */
struct mp_record {
	rec rec;
};

#endif
