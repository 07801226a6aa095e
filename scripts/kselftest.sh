#!/usr/bin/env bash
# kselftest.sh: build and install the series' kselftest targets
# (config/selftest-targets) plus upstream's mm/migration, from the patched
# tree, into build/ksft. The same binaries run on the base and patched kernels.
. "$(dirname "$0")/common.sh"

obj=$BUILD/obj/ksft
inst=$BUILD/ksft
targets=$(tr '\n' ' ' <"$RIG_TOP/config/selftest-targets")

# Rebuild only when the tree or this recipe changed.
stamp="$(git -C "$TREE" rev-parse HEAD) $(git -C "$TREE" diff HEAD | sha256sum | cut -c1-16)"
# New files not committed yet count too.
stamp+=" $(git -C "$TREE" ls-files -z -o -- tools/testing/selftests/migration |
	   (cd "$TREE" && xargs -0r sha256sum) | sha256sum | cut -c1-16)"
stamp+=" $(cat "$0" "$RIG_TOP/config/selftest-targets" | sha256sum | cut -c1-16)"
if [ -f "$inst/kselftest-list.txt" ] &&
   [ "$(cat "$BUILD/ksft.stamp" 2>/dev/null)" = "$stamp" ]; then
	say "kselftests up to date in $inst"
	exit 0
fi
rm -f "$BUILD/ksft.stamp"

make -C "$TREE" O="$obj" -s headers
rm -rf "$inst"
make -C "$TREE/tools/testing/selftests" O="$obj" TARGETS="$targets" \
	INSTALL_PATH="$inst" -s install >"$BUILD/ksft-build.log" 2>&1 || {
	tail -n 40 "$BUILD/ksft-build.log" >&2
	die "kselftest build failed (full log: $BUILD/ksft-build.log)"
}

# Upstream's migration test, alone: the rest of selftests/mm needs options
# (TEST_HMM=m, TEST_VMALLOC=m, ...) that a module-less test kernel lacks.
mkdir -p "$obj/kselftest/mm" "$inst/mm"
make -C "$TREE/tools/testing/selftests/mm" OUTPUT="$obj/kselftest/mm" \
	KHDR_INCLUDES="-isystem $obj/usr/include" -s \
	"$obj/kselftest/mm/migration" >>"$BUILD/ksft-build.log" 2>&1 || {
	tail -n 40 "$BUILD/ksft-build.log" >&2
	die "mm/migration build failed"
}
cp "$obj/kselftest/mm/migration" "$inst/mm/"
echo "timeout=300" >"$inst/mm/settings"
echo "mm:migration" >>"$inst/kselftest-list.txt"
echo "$stamp" >"$BUILD/ksft.stamp"
say "kselftests installed in $inst: $(wc -l <"$inst/kselftest-list.txt") program(s)"
