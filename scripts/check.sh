#!/usr/bin/env bash
# make check: the series applies cleanly (make tree, run before this), every
# patch passes checkpatch.pl --strict with 0 errors and 0 warnings (save the
# documented false positives in patches/checkpatch-exceptions), every patch
# is signed off, no selftest can report SKIP after a check (skip-check.pl),
# and the export round trip changes no byte.
. "$(dirname "$0")/common.sh"

fail=0
sob="Signed-off-by: Migration Series Developers <migration-series@localhost>"
exc=$PATCHES/checkpatch-exceptions

# The tree must hold exactly the series.
want=$(grep -vc '^\s*\(#\|$\)' "$PATCHES/series" 2>/dev/null || echo 0)
have=$(git -C "$TREE" rev-list --count base..HEAD)
[ "$want" = "$have" ] || die "build/linux has $have commit(s), patches/series $want: run make tree"

while read -r p; do
	case "$p" in ''|'#'*) continue ;; esac
	ignore=$(awk -v p="$p" '$1 == p { print $2 }' "$exc" 2>/dev/null | paste -sd, -)
	args=(--strict --quiet --show-types)
	[ -n "$ignore" ] && args+=(--ignore "$ignore")
	# Debian's python3 (with python3-ply) runs checkpatch's spdxcheck.py.
	if out=$(cd "$TREE" && PATH=/usr/bin:$PATH ./scripts/checkpatch.pl "${args[@]}" "$PATCHES/$p" 2>&1); then
		echo "checkpatch: $p: clean${ignore:+ (documented exceptions: $ignore)}"
	else
		echo "checkpatch: $p:"; echo "$out"
		fail=1
	fi
	if ! grep -qxF "$sob" "$PATCHES/$p"; then
		echo "error: $p lacks '$sob'"
		fail=1
	fi
done <"$PATCHES/series"

# No test can report SKIP after it has checked something (a failed EXPECT
# followed by a SKIP reports SKIP): scripts/skip-check.pl on every C file
# of the series' selftest targets.
srcs=()
for t in $(cat "$RIG_TOP/config/selftest-targets"); do
	srcs+=("$TREE/tools/testing/selftests/$t"/*.c)
done
"$RIG_TOP/scripts/skip-check.pl" "${srcs[@]}" || fail=1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$PATCHES/." "$tmp/"
"$RIG_TOP/scripts/export.sh" "$tmp" >/dev/null
if diff -r -q "$PATCHES" "$tmp" >/dev/null; then
	echo "export round trip: patches/ unchanged"
else
	echo "error: tree -> export changes patches/ (run make export and commit):"
	diff -r "$PATCHES" "$tmp" | head -n 40
	fail=1
fi
[ "$fail" = 0 ] || die "make check failed"
echo "make check: OK"
