#!/bin/sh
# pquery benchmarks (hyperfine, warm cache) on GURU + gentoo-stub and on the 8x tree built by
# shared/tools/make-big-repo, plus peak RSS (/usr/bin/time -v) and the search-index build time.
# "list all --raw" separates the repository's part of "list all" from the domain's
# visibility filtering (masks, keywords, licenses).
#
# Usage: benches/pquery.sh [PQUERY_BINARY]
#   default binary: $CARGO_TARGET_DIR/release/pquery, else target/release/pquery
#   env: SHARED (default ../shared from the project), BIG (default ${TMPDIR:-/tmp}/strata-big),
#        RUNS (default 20), OUT (hyperfine JSON/markdown exports; default a temp dir)
# Build first: cargo build --release -p pquery
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED:-$here/../shared}
shared=$(cd "$shared" && pwd)
bin=${1:-${CARGO_TARGET_DIR:-$here/target}/release/pquery}
runs=${RUNS:-20}
big=${BIG:-${TMPDIR:-/tmp}/strata-big}
work=$(mktemp -d "${TMPDIR:-/tmp}/pquery-bench.XXXXXX")
out=${OUT:-$work/results}
mkdir -p "$out"
trap 'rm -rf "$work/index" "$work/index-big" "$work/etc"' EXIT

[ -x "$bin" ] || { echo "no pquery binary at $bin (cargo build --release -p pquery)" >&2; exit 1; }
command -v hyperfine >/dev/null || { echo "hyperfine not installed" >&2; exit 1; }

# Config dir for GURU + gentoo-stub (shared/README.md).
etc=$work/etc/portage
mkdir -p "$etc"
cat > "$etc/repos.conf" <<EOF
[DEFAULT]
main-repo = gentoo

[gentoo]
location = $shared/data/repos/gentoo-stub

[guru]
location = $shared/data/repos/guru
EOF
printf 'ACCEPT_KEYWORDS="amd64 ~amd64"\nACCEPT_LICENSE="*"\n' > "$etc/make.conf"
ln -s "$shared/data/repos/gentoo-stub/profiles/default/linux/amd64" "$etc/make.profile"

# The 8x tree.
if [ ! -d "$big/big" ]; then
    python3 "$shared/tools/make-big-repo" --source "$shared/data/repos/guru" \
        --master "$shared/data/repos/gentoo-stub" --copies 8 --out "$big" >&2
fi

export NO_COLOR=1
echo "# pquery benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, binary $bin"

# Index build time (cold index, warm page cache), separately from the queries.
export STRATA_INDEX_DIR="$work/index"
hyperfine -N --runs 5 --prepare "rm -rf $work/index" --export-markdown "$out/index-guru.md" \
    -n 'index build (GURU, -S forces it)' "$bin --config $etc -r guru -S zzzz-no-match"
"$bin" --config "$etc" -S warmup >/dev/null

P="$bin --config $etc"
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$out/guru.md" --export-json "$out/guru.json" \
    -n "list all (GURU)" "$P '*'" \
    -n "list all --raw (GURU)" "$P --raw '*'" \
    -n "description -S terminal (GURU)" "$P -S terminal" \
    -n "attr depend for all (GURU)" "$P '*' --attr depend" \
    -n "one atom (GURU)" "$P '>=dev-python/textual-8.2.7'" \
    -n "revdep dev-python/textual (GURU)" "$P --revdep dev-python/textual"

export STRATA_INDEX_DIR="$work/index-big"
B="$bin --config $big/etc/portage -r big"
hyperfine -N --runs 3 --prepare "rm -rf $work/index-big" --export-markdown "$out/index-big.md" \
    -n 'index build (big)' "$B -S zzzz-no-match"
$B -S warmup >/dev/null
hyperfine -N --warmup 2 --runs "$(( runs / 2 > 3 ? runs / 2 : 3 ))" --export-markdown "$out/big.md" --export-json "$out/big.json" \
    -n "list all (big)" "$B '*'" \
    -n "list all --raw (big)" "$B --raw '*'" \
    -n "description -S terminal (big)" "$B -S terminal" \
    -n "attr depend for all (big)" "$B '*' --attr depend" \
    -n "one atom (big)" "$B '>=dev-python/textualk3-8.2.7'" \
    -n "revdep dev-lang/crystal-bin (big)" "$B --revdep dev-lang/crystal-bin"

# Peak RSS of each workload (one run each, warm).
echo
echo "| workload | peak RSS (KiB) |"
echo "|---|---|"
rss() {
    name=$1; shift
    kib=$( { /usr/bin/time -v "$@" >/dev/null; } 2>&1 | sed -n 's/.*Maximum resident set size (kbytes): //p')
    echo "| $name | $kib |"
}
export STRATA_INDEX_DIR="$work/index"
rss "list all (GURU)" $bin --config "$etc" '*'
rss "description -S terminal (GURU)" $bin --config "$etc" -S terminal
rss "attr depend (GURU)" $bin --config "$etc" '*' --attr depend
rss "one atom (GURU)" $bin --config "$etc" '>=dev-python/textual-8.2.7'
rss "revdep (GURU)" $bin --config "$etc" --revdep dev-python/textual
export STRATA_INDEX_DIR="$work/index-big"
rss "list all (big)" $bin --config "$big/etc/portage" -r big '*'
rss "attr depend (big)" $bin --config "$big/etc/portage" -r big '*' --attr depend
rss "revdep (big)" $bin --config "$big/etc/portage" -r big --revdep dev-lang/crystal-bin

echo
echo "| workload | median | user | system |"
echo "|---|---|---|---|"
python3 - "$out"/guru.json "$out"/big.json <<'PY'
import json, sys
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        print(f"| {r['command']} | {r['median']*1000:.1f} ms | {r['user']*1000:.1f} ms | {r['system']*1000:.1f} ms |")
PY
echo
echo "hyperfine exports: $out"
for f in index-guru guru index-big big; do cat "$out/$f.md"; echo; done
