#!/usr/bin/env bash
# initramfs.sh KSFT_DIR OUT: pack busybox-static, Debian's numactl tools, the
# rig's guest/ files and the installed kselftests into OUT (gzip'd cpio).
# OUT is rewritten only when the staged content changes.
. "$(dirname "$0")/common.sh"

ksft=${1:?installed kselftest directory}
out=${2:?output file}
stage=$out.d

rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,lib64}

cp /bin/busybox "$stage/bin/busybox"
# "busybox --list" names busybox itself; linking it would make a loop.
for a in $("$stage/bin/busybox" --list); do
	[ "$a" = busybox ] && continue
	ln -s busybox "$stage/bin/$a"
done

# Dynamically linked tools, with the libraries they need.
elves=()
for t in numactl migratepages numastat memhog migspeed; do
	elves+=("$(command -v "$t")")
done
elves+=(/usr/bin/timeout /sbin/mke2fs)
for f in "${elves[@]}"; do
	[ -x "$f" ] || die "$f missing (apt-get install numactl coreutils e2fsprogs)"
	cp "$f" "$stage/usr/bin/"
done
ln -s mke2fs "$stage/usr/bin/mkfs.ext4"

mkdir -p "$stage/guest"
cp -a "$RIG_TOP/guest/." "$stage/guest/"
mv "$stage/guest/init" "$stage/init"
# Guest-side programs (the demo's workload, the benchmarks, the stress
# campaign): guest/src/NAME.c, or the .c files of a directory guest/src/NAME,
# become /usr/bin/NAME, linked with the rig's helpers of guest/src/lib and
# the selftests' helper library from the patched tree, and built against
# the kernel headers kselftest.sh installed.  Only migration_util.c:
# migration_setup.c, the test programs' setup that turns NUMA balancing and
# compaction off, is theirs alone.
rm -rf "$stage/guest/src"
mig=$TREE/tools/testing/selftests/migration
lib=$RIG_TOP/guest/src/lib
for p in "$RIG_TOP"/guest/src/*; do
	if [ "$p" = "$lib" ]; then
		continue
	elif [ -d "$p" ]; then
		srcs=("$p"/*.c)
		inc=(-I"$p")
	elif [ "${p%.c}" != "$p" ]; then
		srcs=("$p")
		inc=()
	else
		continue
	fi
	gcc -O2 -Wall -Werror "${inc[@]}" -I"$lib" -I"$mig" \
		-isystem "$BUILD/obj/ksft/usr/include" \
		-o "$stage/usr/bin/$(basename "$p" .c)" "${srcs[@]}" "$lib"/*.c \
		"$mig/migration_util.c" -lpthread ||
		die "cannot build $(basename "$p" .c) from ${p#"$RIG_TOP"/}"
done
mkdir -p "$stage/kselftest"
cp -a "$ksft/." "$stage/kselftest/"

# --- userspace builds (scripts/userspace.sh): numactl, libnuma and hwloc
# under /opt/mig, with their test suites, and what those suites' scripts
# need that busybox lacks: /bin/bash, and GNU grep (grep -P) and taskset in
# /opt/mig/gnu/bin, which only guest/userspace.sh puts in its PATH.
if [ -d "$BUILD/userspace/stage/opt/mig" ]; then
	mkdir -p "$stage/opt/mig/gnu/bin"
	cp -a "$BUILD/userspace/stage/opt/mig/." "$stage/opt/mig/"
	rm -rf "$stage/opt/mig/include" "$stage/opt/mig/share" "$stage/opt/mig/lib/pkgconfig"
	find "$stage/opt/mig/lib" \( -name '*.a' -o -name '*.la' \) -delete
	for t in /bin/bash /bin/grep /usr/bin/taskset; do
		[ -x "$t" ] || die "$t missing (apt-get install bash grep util-linux)"
	done
	cp /bin/bash "$stage/bin/bash"
	cp /bin/grep /usr/bin/taskset "$stage/opt/mig/gnu/bin/"
fi
# --- end of the userspace builds

# Libraries of every ELF in the image (kselftests included).
find "$stage" -type f -perm -u+x | while read -r f; do
	head -c 4 "$f" | grep -q 'ELF' || continue
	ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
done | sort -u | while read -r lib; do
	[ -e "$lib" ] || continue
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done

# glibc dlopen()s libgcc_s for pthread_cancel() (selftests/mm/migration).
libgcc=$(gcc -print-file-name=libgcc_s.so.1)
[ -f /lib/x86_64-linux-gnu/libgcc_s.so.1 ] && libgcc=/lib/x86_64-linux-gnu/libgcc_s.so.1
mkdir -p "$stage/lib/x86_64-linux-gnu"
cp -L "$libgcc" "$stage/lib/x86_64-linux-gnu/libgcc_s.so.1"

echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh" >>"$stage/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$stage/etc/group"

sum=$(cd "$stage" && find . \( -type f -o -type l \) -printf '%p %l %m\n' | sort |
	sha256sum | cut -d' ' -f1)-$(cd "$stage" && find . -type f -print0 | sort -z |
	xargs -0 cat | sha256sum | cut -d' ' -f1)
if [ -f "$out" ] && [ "$(cat "$out.sum" 2>/dev/null)" = "$sum" ]; then
	say "initramfs unchanged: $out"
	exit 0
fi
(cd "$stage" && find . -print0 | sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "$sum" >"$out.sum"
say "initramfs: $out ($(du -h "$out" | cut -f1))"
