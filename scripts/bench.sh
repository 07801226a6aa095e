#!/usr/bin/env bash
# make bench: build the base and patched kernels with the same non-debug
# configuration, boot each in the same 4-node guest under QEMU
# -icount shift=0,sleep=off (guest time counts instructions), run the
# benchmark programs, and write build/bench/{results.csv,table.txt,bench.png}.
# BENCH_ACCEL=kvm, on a host with /dev/kvm, runs the same guests under KVM
# for wall-clock figures instead (no -icount; noisier, but real time).
. "$(dirname "$0")/common.sh"

# The guest's wall clock starts at the same date in every boot and follows
# guest time (-rtc clock=vm): the kernel seeds its random generator with
# it, and the seed decides mkfs.ext4's hash seeds and every later random
# choice.  With the host's date, two boots of one kernel differed by up to
# 3% on a figure; with a fixed one, under -icount, they print the same
# figures to the last digit.
rtc="-rtc base=2026-01-01T00:00:00,clock=vm"
if [ "${BENCH_ACCEL:-tcg}" = kvm ]; then
	[ -w /dev/kvm ] || die "BENCH_ACCEL=kvm needs a writable /dev/kvm"
	export RIG_ACCEL=kvm
	clock="KVM, wall-clock"
	qemu_extra=$rtc
else
	clock="QEMU -icount shift=0,sleep=off"
	qemu_extra="-icount shift=0,sleep=off $rtc"
fi
export BENCH_ACCEL

out=$BUILD/bench
mkdir -p "$out"
for k in base patched; do
	"$RIG_TOP/scripts/kernel.sh" "$k" bench
done
initrd=$BUILD/initramfs.cpio.gz
# Every boot of the benchmark guest lays out its programs alike: no
# randomised mmap, stack or vDSO bases (norandmaps), on kernels built
# without KASLR, page-allocator shuffling or slab freelist randomisation.
export RIG_CMDLINE="norandmaps ${RIG_CMDLINE:-}"
# Boot each kernel several times, alternating, and take the median of all
# runs: the report checks that the boots agree (bench-report.pl).
boots=${BENCH_BOOTS:-2}
: >"$out/base.log"
: >"$out/patched.log"
for b in $(seq 1 "$boots"); do
	for k in base patched; do
		say "boot $b/$boots: benchmarks on the $k kernel ($clock)"
		RIG_QEMU_EXTRA="$qemu_extra" "$RIG_TOP/scripts/guest.sh" \
			bench "$BUILD/obj/bench-$k/arch/x86/boot/bzImage" "$initrd" \
			"$BUILD/logs/bench-$k" "${BENCH_TIMEOUT:-1500}"
		"$RIG_TOP/scripts/logcheck.sh" "$BUILD/logs/bench-$k/console.log"
		echo "# boot $b" >>"$out/$k.log"
		cat "$BUILD/logs/bench-$k/output.log" >>"$out/$k.log"
	done
done
rc=0
"$RIG_TOP/scripts/bench-report.pl" "$out/base.log" "$out/patched.log" "$out" || rc=$?
gnuplot "$out/bench.gp" && say "chart: $out/bench.png"
[ "$rc" = 0 ] || echo "make bench: a target was missed (see the table)"
exit "$rc"
