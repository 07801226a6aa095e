#!/usr/bin/env bash
# stress.sh BZIMAGE INITRAMFS LOGDIR DURATION SEED: boot the test kernel
# into the stress campaign (guest/src/rig-stress/) for DURATION seconds
# with SEED, print its counters and verdicts, and fail on a failed verdict
# or on any kernel report in the console log.
. "$(dirname "$0")/common.sh"

kernel=${1:?bzImage}
initrd=${2:?initramfs}
logdir=${3:?log directory}
duration=${4:?duration in seconds}
seed=${5:?seed}
case "$duration$seed" in
*[!0-9]*) die "DURATION and SEED are whole numbers (got '$duration', '$seed')" ;;
esac
[ "$duration" -ge 10 ] || die "DURATION is at least 10 seconds"

say "stress: $duration s, seed $seed (replay: make stress SEED=$seed DURATION=$duration)"
rc=0
RIG_ARGS="-d,$duration,-s,$seed" "$RIG_TOP/scripts/guest.sh" stress "$kernel" \
	"$initrd" "$logdir" $((duration + 900)) || rc=$?
out=$logdir/output.log
grep -a '^# rig-stress: seed\|^# kernel\|^# rig-stress: .* for the run' "$out" || true
# Counters in columns, then what was checked.
grep -a '^STRESS ' "$out" | awk '{ $1 = ""; printf "  %-44s", $2; $2 = ""; print $0 }' || true
grep -a '^FAIL: \|^error: \|^# .*skipped' "$out" || true
grep -a '^VERDICT ' "$out" | cut -d' ' -f2- || true
grep -a '^# rig-stress: [PF]' "$out" || echo "error: rig-stress did not finish (see $out)"
"$RIG_TOP/scripts/logcheck.sh" "$logdir/console.log" || rc=1
if [ "$rc" = 0 ]; then
	say "stress: PASS (seed $seed, $duration s)"
else
	say "stress: FAILED (seed $seed; replay: make stress SEED=$seed DURATION=$duration)"
fi
exit "$rc"
