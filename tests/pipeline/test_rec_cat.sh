#!/bin/sh
# rec-cat: every line valid JSON, summaries and --full values exact for
# small known records, odd strings and values escaped, --header, -n, a quiet
# end on a closed pipe, one clear error line for bad input, exit 2 for bad
# usage. Input streams are made by mkrec (tests/bin/mkrec.c).
. "$ROOT/tests/pipeline/lib.sh"

# prints NAME EXPECTED CMD...: passes when CMD exits 0 and prints EXPECTED

# rec-cat's output for the arguments given: all valid JSON / its line count
valid_json() {
	rec-cat "$@" | python3 -c 'import json, sys
for line in sys.stdin:
    json.loads(line)'
}
count_lines() {
	rec-cat "$@" | wc -l
}
last_line() {
	rec-cat "$@" | tail -n 1
}

mkrec -n 2 --field id=str:t:{i} --field label=int:7 --img 2x2x1 >"$T/small.rec"
prints "summary of a small record" \
'{"id":"t:0","label":7,"img":{"w":2,"h":2,"c":1,"px":{"bin":4,"min":0,"max":3,"mean":1.5}}}
{"id":"t:1","label":7,"img":{"w":2,"h":2,"c":1,"px":{"bin":4,"min":1,"max":4,"mean":2.5}}}' \
	rec-cat "$T/small.rec"
prints "--full pixels" \
	'{"id":"t:1","label":7,"img":{"w":2,"h":2,"c":1,"px":[1,2,3,4]}}' \
	last_line --full "$T/small.rec"

mkrec --field boxcount=u16le:0,3,65535 --field emb=f32le:1.5,-0.25,nan \
	--field mask=bin:0581 --field blob=bin:666f6f --field odd=bin: >"$T/registry.rec"
prints "registry bins summarised" \
	'{"boxcount":{"bin":6,"u16":3,"min":0,"max":65535,"mean":2.185e+04},"emb":{"bin":12,"f32":3,"min":-0.25,"max":1.5,"mean":0.625,"nan":1},"mask":{"bin":2,"ones":4},"blob":{"bin":3},"odd":{"bin":0}}' \
	rec-cat "$T/registry.rec"
# mask bit i is bit i % 8 of byte i / 8, least significant first
prints "registry bins in full" \
	'{"boxcount":[0,3,65535],"emb":[1.5,-0.25,null],"mask":[1,0,1,0,0,0,0,0,1,0,0,0,0,0,0,1],"blob":"Zm9v","odd":""}' \
	rec-cat --full "$T/registry.rec"

odd=$(printf 'q"b\\s\tt\001\377\303\251\nz')
mkrec --field "s=str:$odd" --field nul=mpk:a3610062 --field "k$odd=int:1" >"$T/strings.rec"
prints "odd strings escaped" \
	'{"s":"q\"b\\s\tt\u0001\ufffdé\nz","nul":"a\u0000b","kq\"b\\s\tt\u0001\ufffdé\nz":1}' \
	rec-cat "$T/strings.rec"
ok "odd strings are valid JSON" valid_json "$T/strings.rec"

# nil, bools, NaN, infinity, float32, uint64 max, non-string keys, ext
mkrec --field n=nil: --field yes=bool:true --field nan=float:nan --field inf=float32:-inf \
	--field f=float32:0.1 --field big=mpk:cfffffffffffffffff \
	--field keys=mpk:8301a1619201c2c0cb3ff8000000000000c3 --field ext=mpk:d60501020304 >"$T/values.rec"
prints "odd values" \
	'{"n":null,"yes":true,"nan":null,"inf":null,"f":0.1,"big":18446744073709551615,"keys":{"1":"a","[1,false]":null,"1.5":true},"ext":{"ext":5,"bin":4}}' \
	rec-cat "$T/values.rec"
mkrec --field ext=mpk:d60501020304 >"$T/ext.rec"
prints "ext in full" '{"ext":{"ext":5,"base64":"AQIDBA=="}}' rec-cat --full "$T/ext.rec"

# "True 3": the first of the three lines is the header
header_first() {
	rec-cat --header "$1" | python3 -c 'import json, sys
lines = [json.loads(l) for l in sys.stdin]
print(lines[0]["maskpipe"] == 1 and "provenance" in lines[0], len(lines))'
}
prints "--header prints the header first" "True 3" header_first "$T/small.rec"
prints "--header per file" 2 sh -c 'rec-cat -H "$1" "$1" | grep -c "^{\"maskpipe\":1,"' sh "$T/small.rec"
cat "$T/small.rec" "$T/small.rec" >"$T/twice.rec"
prints "a header inside a concatenation is skipped" 5 count_lines -H "$T/twice.rec"
mkrec -n 2 --no-header --field a=int:1 >"$T/headerless.rec"
prints "--header of a headerless stream prints only records" 2 count_lines -H "$T/headerless.rec"

prints "-n stops early" '{"id":"t:0","label":7,"img":{"w":2,"h":2,"c":1,"px":{"bin":4,"min":0,"max":3,"mean":1.5}}}' \
	rec-cat -n 1 "$T/small.rec" "$T/small.rec"
prints "-n counts across files" 3 count_lines -n 3 "$T/small.rec" "$T/small.rec"
prints "-n 0 prints nothing" "" rec-cat -n 0 "$T/small.rec"
prints "-H -n 0 prints the first header" 1 count_lines -H -n 0 "$T/small.rec" "$T/small.rec"
prints "- is stdin" 4 sh -c 'rec-cat "$1" - <"$1" | wc -l' sh "$T/small.rec"

mkrec -n 20000 --field id=str:fashion-mnist:train:{i} --field label=int:{i} --img 28x28x1 >"$T/big.rec"
ok "20,000 lines of valid JSON" valid_json "$T/big.rec"
ok "--full lines are valid JSON" valid_json --full "$T/big.rec"
prints "one line per record" 20000 count_lines "$T/big.rec"

# a reader that goes away (| head) ends rec-cat quietly, with status 0
{ rec-cat --full "$T/big.rec" 2>"$T/head.err"; echo $? >"$T/head.rc"; } | head -n 1 >/dev/null
prints "| head -n 1 exits 0" 0 cat "$T/head.rc"
prints "| head -n 1 says nothing" "" cat "$T/head.err"

echo "hello" >"$T/hello.txt"
fails "not a stream" 1 rec-cat "$T/hello.txt"
says "not a stream: named" "$T/hello.txt" "not a maskpipe record stream"
cat_stdin() { rec-cat <"$T/hello.txt"; }
fails "not a stream on stdin" 1 cat_stdin
says "not a stream on stdin: named" "stdin"
head -c 2000 "$T/big.rec" >"$T/cut.rec"
fails "truncated zstd stream" 1 rec-cat "$T/cut.rec"
says "truncated zstd stream: named" "$T/cut.rec" "truncated"
MASKPIPE_PLAIN=1 mkrec -n 3 --field id=str:p{i} --img 2x2x1 >"$T/plain.rec"
head -c $(($(wc -c <"$T/plain.rec") - 20)) "$T/plain.rec" >"$T/cut-plain.rec"  # into record 2, before the end marker
fails "truncated plain stream" 1 rec-cat "$T/cut-plain.rec"
says "truncated plain stream: named" "$T/cut-plain.rec" "record 2" "truncated"
prints "records before a bad one are printed" 2 sh -c 'rec-cat "$1" 2>/dev/null | wc -l' sh "$T/cut-plain.rec"
fails "missing file" 1 rec-cat "$T/no-such.rec"
says "missing file: named" "$T/no-such.rec"
if [ -w /dev/full ]; then
	fails "write error" 1 sh -c 'rec-cat "$1" >/dev/full' sh "$T/small.rec"
	says "write error: named" "standard output"
fi

fails "unknown option" 2 rec-cat --bogus "$T/small.rec"
fails "-n not a number" 2 rec-cat -n many "$T/small.rec"
says "-n not a number: named" "-n" "many"
fails "-n negative" 2 rec-cat -n -1 "$T/small.rec"
ok "--help" rec-cat --help
ok "--version" rec-cat --version
prints "--help shows usage" "Usage: rec-cat [OPTION]... [FILE]..." sh -c 'rec-cat --help | head -n 1'
