#!/bin/sh
# The hostile sweep (issue 12): a corpus of truncated, flipped and crafted
# inputs of every kind, generated here, run against every tool that reads
# them; each must exit 1 with one line naming the file (and the record), or
# succeed with a well-formed output, never crash, hang, allocate for a
# header's claim or leave a partial output. See hostile.py for the table.
. "$ROOT/tests/pipeline/lib.sh"
python3 -B "$ROOT/tests/pipeline/hostile.py" "$BIN" "$TESTBIN" "$T" "${MASKPIPE_SAN:-0}"
