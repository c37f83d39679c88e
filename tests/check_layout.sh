#!/bin/sh
# The house rules of ../shared/DESIGN.md, checked on the built tree:
#  1. no circle of calls between files (from the objects' symbol tables:
#     file A depends on file B when A calls a function B defines; taking
#     the address of an ops or verb table is not a call);
#  2. a layer calls only the layers below it (door > transport > core >
#     codec > log > common; wsctl and lib > ipc > common);
#  3. no source file over 1,500 lines and no function over 150 lines,
#     unless the comment right above it says why with "long:".
# Prints every violation and fails if there is one.
set -eu

src=${WSCHANNEL_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${WSCHANNEL_BUILDDIR:-.}
cd "$build"
NM=${NM:-nm}
READELF=${READELF:-readelf}
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Objects of the project's own sources (libtool's PIC objects, the daemon's
# and wsctl's program objects), named by their source file.
find daemon client common -name '*.o' 2>/dev/null | grep -v '/tests/' |
while read -r o; do
	base=$(basename "$o" .o)
	name=${base#*-}		# libwscore_la-channel -> channel
	dir=$(dirname "$o"); dir=${dir%/.libs}
	# Only objects whose source still exists (a build tree keeps stale ones).
	[ -f "$src/$dir/$name.c" ] && echo "$dir/$name $o"
done | sort -u -k1,1 >"$tmp/objs"

if [ ! -s "$tmp/objs" ]; then
	echo "check_layout: no objects under $build (build first)" >&2
	exit 99
fi

while read -r file obj; do
	$NM -g --defined-only "$obj" | awk -v f="$file" 'NF == 3 && $2 == "T" { print $3, f }'
done <"$tmp/objs" | sort -u >"$tmp/defs"
# Calls: relocations of call and jump instructions (PLT32, or PC32 in a
# program object built without -fPIC).  Taking a function's address for a
# table (a verb table, an ops table) is not a call.
while read -r file obj; do
	$READELF -rW "$obj" | awk -v f="$file" '
	$3 ~ /R_X86_64_(PLT32|PC32)/ && $5 != "" { print $5, f }'
done <"$tmp/objs" | sort -u >"$tmp/uses"

# Edges "user definer", one per pair of files.
join "$tmp/uses" "$tmp/defs" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$tmp/edges"

# Layer of a file: its folder.  Lower number = lower layer.
layer() {
	case $1 in
	common/*)		echo 0 ;;
	daemon/codec/*)		echo 1 ;;
	daemon/log)		echo 1 ;;
	daemon/core/*)		echo 2 ;;
	daemon/transport/*)	echo 3 ;;
	daemon/door/*)		echo 4 ;;
	daemon/*)		echo 5 ;;
	client/ipc/*)		echo 1 ;;
	client/lib/*)		echo 2 ;;
	client/wsctl/*)		echo 2 ;;
	*)			echo 9 ;;
	esac
}
while read -r a b; do
	la=$(layer "$a"); lb=$(layer "$b")
	if [ "$lb" -gt "$la" ]; then
		echo "check_layout: $a calls up into $b"
		fail=1
	fi
done <"$tmp/edges" >"$tmp/up"
if [ -s "$tmp/up" ]; then cat "$tmp/up"; fail=1; fi

# Circles: the transitive closure of the edges, then every pair that
# reaches each other.
awk '
{ e[$1, $2] = 1; n[$1] = 1; n[$2] = 1 }
END {
	for (k in n) for (i in n) if ((i, k) in e) for (j in n)
		if ((k, j) in e) e[i, j] = 1
	for (i in n) for (j in n)
		if (i < j && (i, j) in e && (j, i) in e)
			print "check_layout: circle between " i " and " j
}' "$tmp/edges" | sort >"$tmp/circles"
if [ -s "$tmp/circles" ]; then cat "$tmp/circles"; fail=1; fi

# Sizes, on the sources.
for f in $(cd "$src" && find daemon client common -name '*.[ch]' | sort); do
	n=$(wc -l <"$src/$f")
	if [ "$n" -gt 1500 ] && ! head -20 "$src/$f" | grep -qi 'long:'; then
		echo "check_layout: $f has $n lines"
		fail=1
	fi
	# A function body runs from "{" in column 0 to "}" in column 0.
	awk -v f="$f" '
	/^[a-z_][a-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
	/^\{/ { start = NR; why = (tolower(prev prev2 prev3) ~ /long:/) }
	/^\}/ && start {
		if (NR - start > 150 && !why)
			printf "check_layout: %s: %s() is %d lines\n", f, name, NR - start
		start = 0
	}
	!/^\{/ { if (/^[a-z_][a-z0-9_]*\(/) { prev3 = c3; prev2 = c2; prev = c1 } }
	{ c3 = c2; c2 = c1; c1 = $0 }
	' "$src/$f"
done >"$tmp/sizes"
if [ -s "$tmp/sizes" ]; then cat "$tmp/sizes"; fail=1; fi

edges=$(wc -l <"$tmp/edges")
files=$(wc -l <"$tmp/objs")
echo "check_layout: $files files, $edges dependencies between them"
exit $fail
