#!/usr/bin/env bash
# guest.sh MODE BZIMAGE INITRAMFS LOGDIR [TIMEOUT]: boot the 4-node guest.
#   MODE test|run|bench: console to LOGDIR/console.log, job output to
#       LOGDIR/output.log (second serial port); exit status from the guest.
#   MODE shell: interactive console on this terminal.
# Topology (SLIT): 10 local, 20 within a socket, 30 across sockets.
#   socket A: node 0 (cpu 0), node 1 (cpu 1)
#   socket B: node 2 (cpu 2), node 3 (memory only)
. "$(dirname "$0")/common.sh"

mode=${1:?mode}
kernel=${2:?bzImage}
initrd=${3:?initramfs}
logdir=${4:?log directory}
limit=${5:-1800}
mem=$(sed -n 's/^GUEST_NODE_MEM[[:space:]]*:=[[:space:]]*//p' "$RIG_TOP/config/guest.mk")

numa=()
cpus=(0 1 2 "")
for n in 0 1 2 3; do
	numa+=(-object "memory-backend-ram,id=m$n,size=$mem")
	numa+=(-numa "node,nodeid=$n${cpus[$n]:+,cpus=${cpus[$n]}},memdev=m$n")
done
for s in 0 1 2 3; do
	for d in 0 1 2 3; do
		[ "$s" -lt "$d" ] || continue
		if [ $((s / 2)) = $((d / 2)) ]; then v=20; else v=30; fi
		numa+=(-numa "dist,src=$s,dst=$d,val=$v")
	done
done

append="console=ttyS0 panic=-1 loglevel=6 rig.mode=$mode ${RIG_CMDLINE:-}"
[ -n "${RIG_ARGS:-}" ] && append+=" rig.args=$RIG_ARGS"
# RIG_ACCEL=kvm (benchmarks on a host with /dev/kvm only; tests never need it)
accel=(-accel tcg -cpu qemu64)
[ "${RIG_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
qemu=(qemu-system-x86_64 -machine pc "${accel[@]}" -smp 3,sockets=3,cores=1,threads=1 -m 2G
	"${numa[@]}" -kernel "$kernel" -initrd "$initrd" -append "$append"
	-display none -no-reboot -nodefaults ${RIG_QEMU_EXTRA:-})

mkdir -p "$logdir"
if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial null
fi

console=$logdir/console.log
output=$logdir/output.log
: >"$console"
: >"$output"
start=$(date +%s)
set +e
timeout --foreground "$limit" "${qemu[@]}" \
	-chardev "file,id=con,path=$console" -serial chardev:con \
	-chardev "file,id=out,path=$output" -serial chardev:out </dev/null
qrc=$?
set -e
# The demo narrates on the console: show it without the kernel's lines.
[ "$mode" = run ] && grep -av '^\[ *[0-9.]*\]' "$console" | grep -v '^RIG-EXIT'
echo "guest: $mode finished in $(( $(date +%s) - start ))s (logs in $logdir)"

if [ "$qrc" = 124 ]; then
	echo "error: guest timed out after ${limit}s; last console lines:" >&2
	tail -n 40 "$console" >&2
	echo "last output lines:" >&2
	tail -n 20 "$output" >&2
	exit 124
fi
grc=$(sed -n 's/^RIG-EXIT: \([0-9]*\).*/\1/p' "$console" | tail -n1)
if [ -z "$grc" ]; then
	echo "error: the guest died before finishing (qemu status $qrc); last console lines:" >&2
	tail -n 40 "$console" >&2
	exit 1
fi
exit "$grc"
