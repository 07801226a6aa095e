#!/usr/bin/env bash
# export.sh [DIR]: write the commits base..series of build/linux as the
# series into DIR (default patches/): git format-patch files with stable
# names and no version signature, the series file, and the cover letter,
# whose hand-written subject and blurb are kept while its shortlog and
# diffstat are regenerated.
. "$(dirname "$0")/common.sh"

dir=${1:-$PATCHES}
mkdir -p "$dir"
[ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ] ||
	die "$TREE has uncommitted changes; commit them first"
n=$(git -C "$TREE" rev-list --count base..HEAD)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A fixed abbreviation: the automatic one grows with the repository.
git -C "$TREE" -c core.abbrev=12 format-patch -q -o "$tmp" --zero-commit --no-signature \
	--cover-letter -n --subject-prefix=PATCH base..HEAD

cover=$dir/0000-cover-letter.patch
{
	if [ -f "$cover" ]; then
		# Everything before the shortlog ("Author (N):") is hand-written.
		awk '/^[^ ].* \([0-9]+\):$/ { exit } { print }' "$cover" |
			sed -E "s/^Subject: \[PATCH 0\/[0-9]+\]/Subject: [PATCH 0\/$n]/"
	else
		awk '/^[^ ].* \([0-9]+\):$/ { exit } { print }' "$tmp/0000-cover-letter.patch" |
			sed -E "s/^Date: .*/Date: $(git -C "$TREE" log -1 --format=%aD)/"
	fi
	awk 'p || /^[^ ].* \([0-9]+\):$/ { p = 1; print }' "$tmp/0000-cover-letter.patch"
} >"$tmp/cover"
rm "$tmp/0000-cover-letter.patch"

find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-cover-letter.patch' -delete
mv "$tmp/cover" "$cover"
: >"$dir/series"
for p in "$tmp"/*.patch; do
	mv "$p" "$dir/"
	basename "$p" >>"$dir/series"
done
say "exported $n patch(es) to ${dir#"$RIG_TOP"/}"
