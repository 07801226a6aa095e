#!/usr/bin/env bash
# make tree: build/linux becomes a git repository whose first commit is the
# pristine source (tag "base"), with patches/series applied on top, one
# commit per patch, on branch "series".
. "$(dirname "$0")/common.sh"

tarball=$(source_var LINUX_SOURCE_TARBALL)
want=$(source_var LINUX_SOURCE_VERSION)
upstream=${want%%-*}

create_base() {
	say "unpacking $(basename "$tarball") into $TREE"
	rm -rf "$TREE" "$TREE.tmp"
	mkdir -p "$TREE.tmp"
	tar -xJf "$tarball" -C "$TREE.tmp" --strip-components=1
	kv=$(make -s -C "$TREE.tmp" kernelversion)
	if [ "$kv" != "$upstream" ]; then
		if [ "${RIG_ANY_SOURCE:-}" = 1 ]; then
			echo "NOTE: source is $kv, the pin says $upstream"
		else
			die "make kernelversion says $kv, config/source.mk pins $upstream"
		fi
	fi
	say "committing the pristine $kv source as tag base"
	git -C "$TREE.tmp" init -q -b series
	# Debian's tarball ignores every top-level path (/*): force-add.
	git -C "$TREE.tmp" add -f -A
	git -C "$TREE.tmp" "${GIT_ID[@]}" commit -q \
		-m "Linux $kv (Debian $(source_var LINUX_SOURCE_PKG) $want)"
	git -C "$TREE.tmp" tag base
	git -C "$TREE.tmp" config gc.auto 0
	git -C "$TREE.tmp" config user.name "Migration Series Developers"
	git -C "$TREE.tmp" config user.email migration-series@localhost
	mv "$TREE.tmp" "$TREE"
}

# Commits after base whose patch is not in patches/ (work not exported).
unexported() {
	local tree_ids patch_ids p
	tree_ids=$(git -C "$TREE" log -p --no-merges base..HEAD |
		git patch-id --stable | cut -d' ' -f1 | sort)
	patch_ids=$(for p in "$PATCHES"/*.patch; do
			[ -f "$p" ] || continue
			case "$p" in *cover-letter*) continue ;; esac
			git patch-id --stable <"$p" | cut -d' ' -f1
		done | sort)
	comm -23 <(echo "$tree_ids") <(echo "$patch_ids") | grep -c . || true
}

if ! git -C "$TREE" rev-parse -q --verify base >/dev/null 2>&1; then
	create_base
elif [ "${FORCE:-}" != 1 ]; then
	if [ -n "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
		die "$TREE has uncommitted changes; commit and 'make export', or FORCE=1"
	fi
	n=$(unexported)
	if [ "$n" != 0 ]; then
		die "$TREE has $n commit(s) not in patches/; 'make export' first, or FORCE=1"
	fi
fi

# Nothing to do when exporting the tree gives back patches/ byte for byte:
# re-applying would touch every patched file and force a rebuild.
if [ "${FORCE:-}" != 1 ] &&
   [ "$(git -C "$TREE" symbolic-ref -q --short HEAD)" = series ] &&
   [ -z "$(git -C "$TREE" status --porcelain --untracked-files=no)" ]; then
	tmp=$(mktemp -d)
	cp -a "$PATCHES/." "$tmp/" 2>/dev/null || true
	if "$RIG_TOP/scripts/export.sh" "$tmp" >/dev/null 2>&1 &&
	   diff -r -q "$PATCHES" "$tmp" >/dev/null 2>&1; then
		rm -rf "$tmp"
		say "$TREE is up to date with patches/ ($(git -C "$TREE" rev-list --count base..HEAD) patch(es))"
		exit 0
	fi
	rm -rf "$tmp"
fi

git -C "$TREE" am --abort >/dev/null 2>&1 || true
git -C "$TREE" checkout -q -f -B series base

n=0
if [ -f "$PATCHES/series" ]; then
	while read -r p; do
		case "$p" in ''|'#'*) continue ;; esac
		[ -f "$PATCHES/$p" ] || die "patches/series names $p, which is missing"
		if ! git -C "$TREE" "${GIT_ID[@]}" am -q --keep-cr "$PATCHES/$p" \
			>"$BUILD/am.log" 2>&1; then
			git -C "$TREE" am --abort >/dev/null 2>&1 || true
			echo "error: patch $p does not apply:" >&2
			git -C "$TREE" apply --check -v "$PATCHES/$p" 2>&1 |
				grep -v '^Checking patch' | tail -n 40 >&2
			exit 1
		fi
		n=$((n + 1))
	done <"$PATCHES/series"
fi
say "$TREE: base + $n patch(es) on branch series"
