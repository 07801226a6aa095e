#!/usr/bin/env bash
# guest.sh MODE BZIMAGE INITRAMFS LOGDIR [TIMEOUT]: boot the guest that
# config/guest.mk declares (nodes, their memory and CPUs, SLIT groups).
#   MODE test|run|bench|stress: console to LOGDIR/console.log, job output
#       to LOGDIR/output.log (second serial port), the guest's exit status
#       to LOGDIR/exit.log (third serial port, nothing else writes there).
#   MODE shell: interactive console on this terminal.
. "$(dirname "$0")/common.sh"

mode=${1:?mode}
kernel=${2:?bzImage}
initrd=${3:?initramfs}
logdir=${4:?log directory}
limit=${5:-1800}
guest_var() {
	sed -n "s/^$1[[:space:]]*:=[[:space:]]*//p" "$RIG_TOP/config/guest.mk"
}
mem=$(guest_var GUEST_NODE_MEM)
read -r -a cpus <<<"$(guest_var GUEST_NODE_CPUS)"
read -r -a groups <<<"$(guest_var GUEST_NODE_GROUPS)"
read -r d_local d_group d_remote <<<"$(guest_var GUEST_DISTANCES)"
nodes=${#cpus[@]}
case "$mem" in
*[0-9]M) mem_mb=${mem%M} ;;
*[0-9]G) mem_mb=$((${mem%G} * 1024)) ;;
*) die "config/guest.mk: GUEST_NODE_MEM is a size in M or G, not '$mem'" ;;
esac
[ "$nodes" -gt 0 ] && [ "${#groups[@]}" = "$nodes" ] && [ -n "$d_remote" ] ||
	die "config/guest.mk: one CPU (or -) and one group per node, three distances"

numa=()
ncpus=0
for ((n = 0; n < nodes; n++)); do
	c=${cpus[$n]}
	[ "$c" = - ] && c=
	[ -n "$c" ] && ncpus=$((ncpus + 1))
	numa+=(-object "memory-backend-ram,id=m$n,size=$mem")
	numa+=(-numa "node,nodeid=$n${c:+,cpus=$c},memdev=m$n")
done
for ((s = 0; s < nodes; s++)); do
	for ((d = s + 1; d < nodes; d++)); do
		v=$d_remote
		[ "${groups[$s]}" = "${groups[$d]}" ] && v=$d_group
		numa+=(-numa "dist,src=$s,dst=$d,val=$v")
	done
done
[ "$d_local" = 10 ] || die "config/guest.mk: ACPI SLIT local distance is 10"

append="console=ttyS0 panic=-1 loglevel=6 rig.mode=$mode ${RIG_CMDLINE:-}"
[ -n "${RIG_ARGS:-}" ] && append+=" rig.args=$RIG_ARGS"
# RIG_ACCEL=kvm (benchmarks on a host with /dev/kvm only; tests never need it)
accel=(-accel tcg -cpu qemu64)
[ "${RIG_ACCEL:-tcg}" = kvm ] && accel=(-accel kvm -cpu host)
qemu=(qemu-system-x86_64 -machine pc "${accel[@]}"
	-smp "$ncpus,sockets=$ncpus,cores=1,threads=1" -m "$((nodes * mem_mb))M"
	"${numa[@]}" -kernel "$kernel" -initrd "$initrd" -append "$append"
	-display none -no-reboot -nodefaults ${RIG_QEMU_EXTRA:-})

mkdir -p "$logdir"
if [ "$mode" = shell ]; then
	exec "${qemu[@]}" -serial mon:stdio -serial null -serial null
fi

console=$logdir/console.log
output=$logdir/output.log
status=$logdir/exit.log
: >"$console"
: >"$output"
: >"$status"
start=$(date +%s)
set +e
timeout --foreground "$limit" "${qemu[@]}" \
	-chardev "file,id=con,path=$console" -serial chardev:con \
	-chardev "file,id=out,path=$output" -serial chardev:out \
	-chardev "file,id=st,path=$status" -serial chardev:st </dev/null
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
# The status port carries one line, "RIG-EXIT: <status>", and nothing else:
# printk cannot cut it or forge it.
grc=$(sed -n 's/^RIG-EXIT: \([0-9]*\)[[:space:]]*$/\1/p' "$status" | tail -n1)
if [ -z "$grc" ]; then
	echo "error: the guest died before finishing (qemu status $qrc); last console lines:" >&2
	tail -n 40 "$console" >&2
	exit 1
fi
exit "$grc"
