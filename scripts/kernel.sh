#!/usr/bin/env bash
# kernel.sh FLAVOUR KIND: configure and build a kernel out of tree.
#   FLAVOUR  patched (build/linux, series applied), base (pristine, a
#            worktree of build/linux at tag base) or bisect (the tree in
#            $BISECT_SRC, for scripts/bisect-check.sh)
#   KIND     test (rig + selftest configs + debug.config + kasan.config),
#            check (the same without KASAN: make check's builds of each
#            patch) or bench (no debug)
# Output: build/obj/KIND-FLAVOUR/arch/x86/boot/bzImage
. "$(dirname "$0")/common.sh"

flavour=${1:?flavour}
kind=${2:?kind}

case "$flavour" in
patched) src=$TREE ;;
base)
	src=$BUILD/linux-base
	if [ ! -d "$src" ]; then
		say "creating the pristine worktree $src"
		git -C "$TREE" worktree prune
		git -C "$TREE" worktree add -q --detach "$src" base
	fi
	if [ "$(git -C "$src" rev-parse HEAD)" != "$(git -C "$TREE" rev-parse base)" ] ||
	   [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
		git -C "$src" checkout -q -f --detach base
	fi
	;;
bisect) src=${BISECT_SRC:?BISECT_SRC names the tree} ;;
*) die "unknown flavour $flavour (base, patched or bisect)" ;;
esac

obj=$BUILD/obj/$kind-$flavour
mkdir -p "$obj"

# Same fragments for both flavours: the selftest configs come from the
# patched tree, so base and patched kernels are configured identically.
frags=("$RIG_TOP/config/rig.config")
for t in $(cat "$RIG_TOP/config/selftest-targets"); do
	[ -f "$TREE/tools/testing/selftests/$t/config" ] &&
		frags+=("$TREE/tools/testing/selftests/$t/config")
done
case "$kind" in
test) frags+=("$RIG_TOP/config/debug.config" "$RIG_TOP/config/kasan.config") ;;
check) frags+=("$RIG_TOP/config/debug.config") ;;
bench) frags+=("$RIG_TOP/config/bench.config") ;;
*) die "unknown kind $kind (test, check or bench)" ;;
esac

export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache}
export CCACHE_BASEDIR=$BUILD
export KBUILD_BUILD_TIMESTAMP="$(git -C "$TREE" log -1 --format=%cD base)"
export KBUILD_BUILD_USER=rig KBUILD_BUILD_HOST=rig
kmake=(make -C "$src" O="$obj" CC="ccache gcc" HOSTCC="ccache gcc"
	-j"$(nproc)" -s)

# Reconfigure only when a fragment changed.
sum=$(cat "${frags[@]}" | sha256sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.rig-config-sum" 2>/dev/null)" != "$sum" ]; then
	say "configuring $kind-$flavour: tinyconfig + ${frags[*]#"$RIG_TOP"/}"
	"${kmake[@]}" tinyconfig >/dev/null
	(cd "$obj" && KCONFIG_CONFIG=.config "$src/scripts/kconfig/merge_config.sh" \
		-m -O "$obj" "$obj/.config" "${frags[@]}" >"$obj/merge.log" 2>&1)
	"${kmake[@]}" olddefconfig >/dev/null
	missing=0
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			if ! grep -qxF "$line" "$obj/.config"; then
				got=$(grep -E "^(# )?${line%%=*}[= ]" "$obj/.config" || echo "absent")
				echo "error: config option ${line%%=*}: asked ${line#*=}, got: $got" >&2
				missing=1
			fi ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }; opt=${opt%% *}
			if grep -q "^$opt=" "$obj/.config"; then
				echo "error: config option $opt: asked off, got on" >&2
				missing=1
			fi ;;
		esac
	done < <(cat "${frags[@]}")
	if [ "$missing" != 0 ]; then
		rm -f "$obj/.rig-config-sum"
		die "requested options missing from $obj/.config (dependencies unmet?)"
	fi
	echo "$sum" >"$obj/.rig-config-sum"
fi

# Nothing to do when the source and the configuration are what the last
# build used (a no-op kbuild run still takes half a minute here).
stamp="$(git -C "$src" rev-parse HEAD) $(git -C "$src" diff HEAD | sha256sum | cut -c1-16) $sum"
if [ -f "$obj/arch/x86/boot/bzImage" ] &&
   [ "$(cat "$obj/.rig-build-stamp" 2>/dev/null)" = "$stamp" ]; then
	say "$kind-$flavour kernel up to date: $obj/arch/x86/boot/bzImage"
	exit 0
fi
rm -f "$obj/.rig-build-stamp"

say "building $kind-$flavour kernel"
start=$(date +%s)
"${kmake[@]}" bzImage
echo "$stamp" >"$obj/.rig-build-stamp"
say "$kind-$flavour kernel ready in $(( $(date +%s) - start ))s: $obj/arch/x86/boot/bzImage"
