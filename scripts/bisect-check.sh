#!/usr/bin/env bash
# bisect-check.sh: every patch of the series builds on its own. For each
# commit after base, build the series' selftest targets, and when the
# commit touches anything outside tools/, the kernel (the test
# configuration without KASAN, in build/obj/check-bisect, incrementally);
# a commit whose kernel sources are HEAD's builds as the test kernel
# itself, which make test then reuses.
. "$(dirname "$0")/common.sh"

wt=$BUILD/bisect-tree
out=$BUILD/obj/bisect-ksft
hdr=$BUILD/obj/ksft/usr/include
[ -d "$hdr" ] || make -C "$TREE" O="$BUILD/obj/ksft" -s headers
git -C "$TREE" worktree prune
[ -d "$wt" ] || git -C "$TREE" worktree add -q --detach "$wt" base
fail=0
for c in $(git -C "$TREE" rev-list --reverse base..HEAD); do
	subj=$(git -C "$TREE" log -1 --format=%s "$c")
	git -C "$wt" checkout -q -f --detach "$c"
	for t in $(cat "$RIG_TOP/config/selftest-targets"); do
		[ -d "$wt/tools/testing/selftests/$t" ] || continue
		rm -rf "$out" && mkdir -p "$out"
		if ! make -C "$wt/tools/testing/selftests/$t" OUTPUT="$out" \
			KHDR_INCLUDES="-isystem $hdr" -s >"$BUILD/bisect.log" 2>&1; then
			echo "error: $subj: selftests/$t does not build:"
			tail -n 20 "$BUILD/bisect.log"
			fail=1
		fi
	done
	if git -C "$TREE" diff --name-only "$c^" "$c" | grep -qv '^tools/\|^MAINTAINERS$\|^Documentation/'; then
		# A commit whose kernel sources are HEAD's builds as the test
		# kernel itself, which make test then finds up to date.
		if git -C "$TREE" diff --name-only "$c" HEAD | grep -qv '^tools/\|^MAINTAINERS$\|^Documentation/'; then
			build=(env BISECT_SRC="$wt" "$RIG_TOP/scripts/kernel.sh" bisect check)
		else
			build=("$RIG_TOP/scripts/kernel.sh" patched test)
		fi
		if ! "${build[@]}" >"$BUILD/bisect.log" 2>&1; then
			echo "error: $subj: the kernel does not build:"
			tail -n 20 "$BUILD/bisect.log"
			fail=1
		fi
	fi
	[ "$fail" = 0 ] && echo "bisect: $subj: builds"
done
git -C "$TREE" worktree remove --force "$wt"
[ "$fail" = 0 ] || die "a patch does not build on its own"
