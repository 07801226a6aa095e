#!/usr/bin/env bash
# userspace.sh [tree|build|export PROJECT|all]: the userspace side of the
# series.  userspace/PROJECT/ holds a series and git format-patch files
# against Debian 12's source package of PROJECT (config/userspace.mk).
#   tree     fetch each source with apt-get source, commit it as tag base
#            of a git tree $BUILD/userspace/PROJECT and apply the series
#            with git am, one commit per patch (as tree.sh for the kernel)
#   build    build numactl and hwloc into $BUILD/userspace/stage/opt/mig,
#            with their test programs, and lint the man pages
#   export PROJECT   write the tree's base..HEAD back to userspace/PROJECT
#   all      tree, then build (the default)
# The source lists come from the machine's own apt sources: their deb
# lines become deb-src lines in a private apt directory; /etc/apt is not
# touched and no package host is named here.
. "$(dirname "$0")/common.sh"

US=$BUILD/userspace
USERSPACE=$RIG_TOP/userspace
PREFIX=/opt/mig
STAGE=$US/stage
PROJECTS=(numactl hwloc man-pages)
DEPS=(dpkg-dev autoconf automake libtool pkg-config make gcc ccache mandoc groff-base)
# ccache, as for the kernel: a rebuild after a change compiles what changed.
export CC="ccache gcc" CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/ccache} CCACHE_BASEDIR=$BUILD

pin() { sed -n "s/^USERSPACE_$1[[:space:]]*:=[[:space:]]*//p" "$RIG_TOP/config/userspace.mk"; }

deps() {
	local missing=() p
	for p in "${DEPS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return
	say "apt-get install ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# deb-src lines for every deb line of /etc/apt/sources.list{,.d/*.list}
# and Types: deb-src for every deb822 stanza of sources.list.d/*.sources.
APT_OPTS=(-o "Dir::Etc::SourceList=$US/apt/sources.list"
	-o "Dir::Etc::SourceParts=$US/apt/sources.list.d"
	-o "Dir::State::Lists=$US/apt/lists" -o "Dir::Cache=$US/apt/cache")
apt_sources() {
	local f
	rm -rf "$US/apt"
	mkdir -p "$US/apt/sources.list.d" "$US/apt/lists/partial" "$US/apt/cache/archives/partial"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb\([[:space:]]\)/deb-src\1/p' "$f"
	done >"$US/apt/sources.list"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# One stanza per paragraph; keep those that have deb, enabled.
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     /(^|\n)Types:[^\n]*[[:space:]]deb([[:space:]]|$)/ &&
		     !/(^|\n)Enabled:[[:space:]]*no/ {
			sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' \
			"$f" >"$US/apt/sources.list.d/$(basename "$f")"
	done
	[ -s "$US/apt/sources.list" ] ||
		[ -n "$(cat "$US/apt/sources.list.d"/*.sources 2>/dev/null)" ] ||
		die "no deb line in /etc/apt/sources.list{,.d/*}"
	say "apt-get update (deb-src of this machine's sources, in $US/apt)"
	apt-get "${APT_OPTS[@]}" update -qq || die "apt-get update of the source lists failed"
}

# fetch PROJECT DIR: DIR becomes the unpacked source of PROJECT's pin.
fetch() {
	local proj=$1 dir=$2 pkg ver dl upstream newest offered
	read -r pkg ver <<<"$(pin "$proj")"
	[ -n "$ver" ] || die "config/userspace.mk has no USERSPACE_$proj"
	dl=$US/dl/$proj
	rm -rf "$dl"
	mkdir -p "$dl"
	[ -d "$US/apt/lists" ] || apt_sources
	offered=$(apt-cache "${APT_OPTS[@]}" showsrc "$pkg" 2>/dev/null | sed -n 's/^Version: //p')
	if ! grep -qxF "$ver" <<<"$offered"; then
		newest=$(sort -V <<<"$offered" | tail -n1)
		[ -n "$newest" ] || die "apt offers no source package $pkg"
		echo "NOTE: apt no longer offers $pkg $ver; using the newest, $newest"
		ver=$newest
	fi
	say "apt-get source $pkg=$ver"
	if (cd "$dl" && apt-get "${APT_OPTS[@]}" source -qq "$pkg=$ver" >fetch.log 2>&1); then
		mv "$dl/$pkg-${ver%-*}" "$dir"
		return
	fi
	# A mirror that lacks the Debian delta: unpack the upstream tarball,
	# named by the .dsc's checksum, and say so.
	upstream=$(ls "$dl"/"${pkg}_${ver%-*}".orig.tar.* 2>/dev/null | head -n1)
	if [ -n "$upstream" ] && [ -f "$dl/${pkg}_$ver.dsc" ] &&
	   grep -q "$(sha256sum "$upstream" | cut -d' ' -f1)" "$dl/${pkg}_$ver.dsc"; then
		echo "NOTE: apt-get source $pkg=$ver failed ($(grep -m1 '^E:' "$dl/fetch.log"));" \
			"using the upstream tarball of the .dsc without Debian's delta"
		mkdir -p "$dir"
		tar -xf "$upstream" -C "$dir" --strip-components=1
		return
	fi
	cat "$dl/fetch.log" >&2
	die "apt-get source $pkg=$ver failed"
}

tree() {
	local proj=$1 t=$US/$1 p n=0 want
	if ! git -C "$t" rev-parse -q --verify base >/dev/null 2>&1; then
		rm -rf "$t" "$t.tmp"
		fetch "$proj" "$t.tmp"
		git -C "$t.tmp" init -q -b series
		git -C "$t.tmp" add -f -A
		git -C "$t.tmp" "${GIT_ID[@]}" commit -q -m "$(pin "$proj") (Debian source)"
		git -C "$t.tmp" tag base
		git -C "$t.tmp" config gc.auto 0
		git -C "$t.tmp" config user.name "Migration Series Developers"
		git -C "$t.tmp" config user.email migration-series@localhost
		mv "$t.tmp" "$t"
	fi
	if [ "${FORCE:-}" != 1 ] && [ -n "$(git -C "$t" status --porcelain --untracked-files=no)" ]; then
		die "$t has uncommitted changes; commit them and export, or FORCE=1"
	fi
	# Nothing to do when the series is the one applied last and the tree
	# is still there (a rebuild from scratch takes minutes).
	want="$(series_sum "$proj") $(git -C "$t" rev-parse HEAD)"
	if [ "${FORCE:-}" != 1 ] && [ "$(cat "$US/$proj.applied" 2>/dev/null)" = "$want" ]; then
		say "$t is up to date with userspace/$proj"
		return
	fi
	rm -f "$US/$proj.applied" "$US/built"
	git -C "$t" am --abort >/dev/null 2>&1 || true
	git -C "$t" checkout -q -f -B series base
	[ -f "$USERSPACE/$proj/series" ] || die "userspace/$proj/series missing"
	while read -r p; do
		case "$p" in '' | '#'*) continue ;; esac
		git -C "$t" "${GIT_ID[@]}" am -q --keep-cr "$USERSPACE/$proj/$p" >"$US/am.log" 2>&1 || {
			git -C "$t" am --abort >/dev/null 2>&1 || true
			cat "$US/am.log" >&2
			die "userspace/$proj/$p does not apply"
		}
		n=$((n + 1))
	done <"$USERSPACE/$proj/series"
	echo "$(series_sum "$proj") $(git -C "$t" rev-parse HEAD)" >"$US/$proj.applied"
	say "$t: base + $n patch(es)"
}

# The pin and the patches of PROJECT's series, as one checksum.
series_sum() {
	local p
	{
		pin "$1"
		while read -r p; do
			case "$p" in '' | '#'*) continue ;; esac
			cat "$USERSPACE/$1/$p"
		done <"$USERSPACE/$1/series"
	} | sha256sum | cut -d' ' -f1
}

export_project() {
	local proj=${1:?project} t=$US/$1 dir=$USERSPACE/$1 tmp
	[ -z "$(git -C "$t" status --porcelain --untracked-files=no)" ] ||
		die "$t has uncommitted changes; commit them first"
	tmp=$(mktemp -d)
	git -C "$t" -c core.abbrev=12 format-patch -q -o "$tmp" --zero-commit \
		--no-signature -n base..HEAD
	find "$dir" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' -delete
	: >"$dir/series"
	for p in "$tmp"/*.patch; do
		[ -f "$p" ] || continue
		mv "$p" "$dir/"
		basename "$p" >>"$dir/series"
	done
	rm -rf "$tmp"
	say "exported $(wc -l <"$dir/series") patch(es) to userspace/$proj"
}

# make's output goes to a log; its tail on failure.
run_logged() {
	local log=$1
	shift
	"$@" >>"$log" 2>&1 || { tail -n 40 "$log" >&2; die "failed: $* (log: $log)"; }
}

# The TESTS of the Makefile in DIR, one a line, as make check runs them.
make_tests() {
	printf 'rig-print-tests:\n\t@echo $(TESTS)\n' |
		make -s -C "$1" -f Makefile -f - rig-print-tests | tr -s ' ' '\n' | grep .
}

# A copy of PROJECT's tree, as it is (uncommitted changes included), in
# $US/build/PROJECT: autoreconf and the build write there, so that the git
# tree only ever holds the series and what its developer changes.
build_copy() {
	local t=$US/$1 b=$US/build/$1
	rm -rf "$b"
	mkdir -p "$b"
	(cd "$t" && git ls-files -z -c -o --exclude-standard |
		tar --null --ignore-failed-read -T - -cf -) | tar -xf - -C "$b"
}

build_numactl() {
	local t=$US/build/numactl log=$US/numactl-build.log d=$STAGE$PREFIX/numactl-tests f
	: >"$log"
	say "numactl: build, install under $PREFIX"
	build_copy numactl
	(cd "$t" && run_logged "$log" autoreconf -fi &&
		run_logged "$log" ./configure --prefix=$PREFIX &&
		run_logged "$log" make -j"$(nproc)" all &&
		run_logged "$log" make -j"$(nproc)" check TESTS= &&
		run_logged "$log" make install DESTDIR="$STAGE")
	# make check's programs and scripts, as the guest runs them
	# (guest/userspace.sh): libtool's wrappers name this machine's paths,
	# so the programs themselves, which find libnuma under $PREFIX/lib.
	rm -rf "$d"
	mkdir -p "$d/test"
	make_tests "$t" >"$d/TESTS"
	for f in "$t"/test/*; do
		[ -f "$f" ] || continue
		if [ -x "$t/test/.libs/$(basename "$f")" ]; then
			cp "$t/test/.libs/$(basename "$f")" "$d/test/"
		elif head -c 2 "$f" | grep -q '#!'; then
			cp "$f" "$d/test/"
		fi
	done
	for f in numactl numastat numademo migratepages migspeed memhog; do
		if [ -x "$t/.libs/$f" ]; then cp "$t/.libs/$f" "$d/"; else cp "$t/$f" "$d/"; fi
	done
	# numactl's scripts run its programs from builddir; the programs find
	# libnuma under $PREFIX/lib (LD_LIBRARY_PATH in the guest).
	find "$d" -type f -perm -u+x -exec sh -c 'head -c 4 "$1" | grep -q ELF && strip "$1"' _ {} \;
}

build_hwloc() {
	local t=$US/build/hwloc log=$US/hwloc-build.log d=$STAGE$PREFIX/hwloc-tests f
	: >"$log"
	say "hwloc: build (static, no plugins or I/O discovery), install under $PREFIX"
	build_copy hwloc
	# Static: the test programs are plain ELF files for the guest; the
	# I/O, GPU and graphics backends need libraries the guest lacks.
	(cd "$t" && run_logged "$log" autoreconf -fi &&
		run_logged "$log" ./configure --prefix=$PREFIX --disable-shared --enable-static \
			--disable-plugins --disable-io --disable-cairo --disable-libxml2 \
			--disable-libudev --disable-opencl --disable-cuda --disable-nvml \
			--disable-rsmi --disable-levelzero --disable-gl --disable-doxygen \
			--disable-readme --disable-netloc &&
		run_logged "$log" make -j"$(nproc)" all &&
		run_logged "$log" make -j"$(nproc)" -C tests/hwloc check TESTS= SUBDIRS= \
			AM_CPPFLAGS="\$(HWLOC_CPPFLAGS) -DXMLTESTDIR=\\\"$PREFIX/hwloc-tests/src/tests/hwloc/xml/\\\"" &&
		run_logged "$log" make install DESTDIR="$STAGE")
	rm -rf "$d"
	mkdir -p "$d"
	make_tests "$t/tests/hwloc" >"$d/TESTS"
	while read -r f; do
		cp "$t/tests/hwloc/$f" "$d/"
		strip "$d/$f"
	done <"$d/TESTS"
	# The topologies some tests load, from $HWLOC_TOP_SRCDIR/tests/hwloc/xml
	# or XMLTESTDIR (set above).
	mkdir -p "$d/src/tests/hwloc/xml"
	cp "$t"/tests/hwloc/xml/*.xml "$d/src/tests/hwloc/xml/"
}

# mandoc -Tlint (warnings) and groff -ww of a man page on stdin.
lint_page() {
	local tmp
	tmp=$(mktemp -d)/$(basename "$1")
	cat >"$tmp"
	{ mandoc -Tlint -W warning "$tmp"; groff -man -ww -z "$tmp"; } 2>&1 |
		sed "s|$tmp|$1|"
	rm -rf "$(dirname "$tmp")"
}

# Every page the series changes: no warning that the page at base lacks.
lint_man() {
	local t=$US/man-pages f new old rc=0
	say "man-pages: mandoc -Tlint -W warning and groff -ww on the pages the series changes"
	for f in $(git -C "$t" diff --name-only base..HEAD -- 'man*/*'); do
		new=$(git -C "$t" show "HEAD:$f" | lint_page "$f")
		old=$(git -C "$t" show "base:$f" | lint_page "$f")
		if [ -n "$(comm -23 <(echo "$new" | sed 's/:[0-9]*:[0-9]*:/:/' | sort) \
				  <(echo "$old" | sed 's/:[0-9]*:[0-9]*:/:/' | sort) | grep .)" ]; then
			echo "$new" >&2
			rc=1
		elif [ -n "$new" ]; then
			echo "  $f: clean, but for what the page had before the series:"
			echo "$new" | sed 's/^/    /'
		else
			echo "  $f: clean"
		fi
	done
	[ $rc = 0 ] || die "the series adds lint warnings to the man pages"
}

build() {
	rm -f "$US/built"
	rm -rf "$STAGE"
	mkdir -p "$STAGE"
	build_numactl
	build_hwloc
	lint_man
	build_sum >"$US/built"
	say "userspace builds staged in $STAGE$PREFIX"
}

# What the builds come from: each tree's commit, and this script.
build_sum() {
	{
		for p in "${PROJECTS[@]}"; do git -C "$US/$p" rev-parse HEAD; done
		cat "$0"
	} | sha256sum | cut -d' ' -f1
}

mkdir -p "$US"
case "${1:-all}" in
tree)
	deps
	for p in "${PROJECTS[@]}"; do tree "$p"; done
	;;
build) build ;;
export) export_project "${2:-}" ;;
all)
	deps
	for p in "${PROJECTS[@]}"; do tree "$p"; done
	if [ "$(cat "$US/built" 2>/dev/null)" = "$(build_sum)" ] && [ -d "$STAGE$PREFIX" ]; then
		say "userspace builds up to date in $STAGE$PREFIX"
	else
		build
	fi
	;;
*) die "usage: userspace.sh [tree|build|export PROJECT|all]" ;;
esac
