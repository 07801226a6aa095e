#!/usr/bin/env bash
# logcheck.sh CONSOLE_LOG: fail on any kernel splat in the guest's console.
. "$(dirname "$0")/common.sh"
log=${1:?console log}
pat='BUG:|WARNING:|Oops|kernel BUG|general protection fault|Kernel panic'
pat+='|KASAN|UBSAN|Call Trace|[Bb]ad page|list_add corruption|list_del corruption'
pat+='|possible recursive locking|circular locking dependency|inconsistent lock state'
pat+='|suspicious RCU usage|lock held when returning|DEBUG_LOCKS_WARN_ON'
pat+='|INFO: possible|lockdep|blocked for more than|rcu_.*stall|self-detected stall'
if grep -nE "$pat" "$log" >/dev/null; then
	echo "error: kernel reports in $log:" >&2
	first=$(grep -nE "$pat" "$log" | head -n1 | cut -d: -f1)
	sed -n "$((first > 5 ? first - 5 : 1)),$((first + 60))p" "$log" >&2
	echo "($(grep -cE "$pat" "$log") matching line(s) in all)" >&2
	exit 1
fi
echo "logcheck: no kernel warnings in $(basename "$(dirname "$log")")/$(basename "$log")"
