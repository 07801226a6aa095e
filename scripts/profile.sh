#!/usr/bin/env bash
# profile.sh [N]: a kernel profile of lazy migration's random touches and of
# the eager move that the lazy.random_* rows of make bench compare them
# with.  Boots the patched benchmark kernel (scripts/kernel.sh patched
# bench) under QEMU -icount with rig-bench's profile group, which samples
# the kernel's instruction pointer while each is timed, and prints the N
# (default 30) functions with the most guest time per page moved, lazy
# against eager.  Under -icount, guest time counts instructions.
. "$(dirname "$0")/common.sh"

obj=$BUILD/obj/bench-patched
logdir=$BUILD/logs/profile
[ -f "$obj/System.map" ] ||
	die "no $obj/System.map: run scripts/kernel.sh patched bench first"
[ -f "$BUILD/initramfs.cpio.gz" ] ||
	die "no $BUILD/initramfs.cpio.gz: run make initramfs first"
RIG_CMDLINE="norandmaps rig.features=lazy" RIG_ARGS=profile \
	RIG_QEMU_EXTRA="-icount shift=0,sleep=off -rtc base=2026-01-01T00:00:00,clock=vm" \
	"$RIG_TOP/scripts/guest.sh" bench "$obj/arch/x86/boot/bzImage" \
	"$BUILD/initramfs.cpio.gz" "$logdir" 1500
grep -q '^PROF_TIME lazy ' "$logdir/output.log" ||
	die "no profile in $logdir/output.log"
python3 - "$obj/System.map" "$logdir/output.log" "${1:-30}" <<'PY'
import bisect, collections, sys

syms = sorted((int(a, 16), n) for a, t, n in
              (l.split()[:3] for l in open(sys.argv[1])) if t in 'tTwW')
addrs = [a for a, _ in syms]
count = collections.defaultdict(collections.Counter)
timed = {}
for line in open(sys.argv[2]):
    f = line.split()
    if f[:1] == ['PROF']:
        i = bisect.bisect_right(addrs, int(f[2], 16)) - 1
        count[f[1]][syms[i][1] if i >= 0 else '?'] += 1
    elif f[:1] == ['PROF_TIME']:
        timed[f[1]] = (float(f[2]), int(f[3]))
per_page = {}
for run, (secs, pages) in timed.items():
    total = sum(count[run].values())
    per_page[run] = {fn: secs * 1e9 * k / total / pages
                     for fn, k in count[run].items()}
    print('%s: %d samples, %.0f ns per page moved' %
          (run, total, secs * 1e9 / pages))
print('%-40s %10s %10s %10s %10s' % ('function (ns per page moved)', 'lazy',
                                     'eager', 'lazy-eager', 'arm/page'))
lazy, eager = per_page['lazy'], per_page['eager']
arm = per_page.get('arm', {})
for fn in sorted(set(lazy) | set(eager),
                 key=lambda fn: -max(lazy.get(fn, 0), eager.get(fn, 0)))[
                     :int(sys.argv[3])]:
    print('%-40s %10.0f %10.0f %10.0f %10.0f' % (
        fn, lazy.get(fn, 0), eager.get(fn, 0),
        lazy.get(fn, 0) - eager.get(fn, 0), arm.get(fn, 0)))
PY
