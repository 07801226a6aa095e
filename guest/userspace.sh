#!/bin/sh
# rig.mode=userspace: the test suites of the userspace builds under
# /opt/mig (scripts/userspace.sh): numactl's make check and hwloc's
# tests/hwloc, run as automake's harness runs the TESTS of their Makefiles
# (0 pass, 77 skip, anything else a failure), then hwloc's tools.  The
# builds' own tests of next touch (test/lazy_migration, hwloc_nexttouch)
# skip on a kernel without MPOL_MF_LAZY; where the rig says the kernel
# has it (rig.features=lazy), a skip of theirs is a failure.
M=/opt/mig
LIMIT=600
pass=0 skip=0 fail=0
export LD_LIBRARY_PATH=$M/lib
export PATH=$M/gnu/bin:$M/bin:$PATH

lazy_expected=0
case " $MIG_EXPECT_FEATURES " in *" lazy "*) lazy_expected=1 ;; esac

# result SUITE NAME STATUS
result() {
	case "$3" in
	0) verdict=PASS ;;
	77) verdict=SKIP ;;
	*) verdict=FAIL ;;
	esac
	case "$verdict:$2" in
	SKIP:test/lazy_migration | SKIP:hwloc_nexttouch)
		if [ $lazy_expected = 1 ]; then
			echo "# $2 skipped, but this kernel must have MPOL_MF_LAZY"
			verdict=FAIL
		fi
		;;
	esac
	case $verdict in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	FAIL) fail=$((fail + 1)) ;;
	esac
	echo "$verdict: $1 $2 (exit $3${secs:+, ${secs}s})"
	secs=
}

# run SUITE NAME COMMAND...: output indented, then the verdict
run() {
	suite=$1 name=$2
	shift 2
	echo "== $suite $name"
	start=$(date +%s)
	timeout $LIMIT "$@" >/tmp/test.log 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	sed 's/^/  /' /tmp/test.log
	result "$suite" "$name" $rc
}

if [ ! -d $M/numactl-tests ] || [ ! -d $M/hwloc-tests ]; then
	echo "FAIL: no userspace builds in $M (scripts/userspace.sh)"
	exit 1
fi
echo "userspace: kernel $(uname -r), lazy expected: $lazy_expected"

# numactl: the scripts find the programs through builddir, as make check
# sets it; they write scratch files into the current directory.
cd $M/numactl-tests || exit 1
export builddir=$M/numactl-tests srcdir=$M/numactl-tests
for t in $(cat TESTS); do
	run numactl "$t" "./$t"
done
unset builddir srcdir

# hwloc: the environment of tests/hwloc/wrapper.sh; xmlbuffer runs once
# per combination of its two arguments.
cd $M/hwloc-tests || exit 1
export HWLOC_DEBUG_CHECK=1 HWLOC_LIBXML_CLEANUP=1 HWLOC_TOP_SRCDIR=$M/hwloc-tests/src
for t in $(cat TESTS); do
	if [ "$t" = xmlbuffer ]; then
		run hwloc "$t" sh -c './xmlbuffer 1 1 && ./xmlbuffer 0 1 && ./xmlbuffer 1 0 && ./xmlbuffer 0 0'
	else
		run hwloc "$t" "./$t"
	fi
done
unset HWLOC_DEBUG_CHECK HWLOC_LIBXML_CLEANUP HWLOC_TOP_SRCDIR

# hwloc's tools: the support bit, and hwloc-bind --mempolicy nexttouch,
# which for a new program means local placement on first touch (the
# program's pages are all touched for the first time) and needs the
# kernel to have next touch, as the support bit says.
cd /tmp || exit 1
support=$($M/bin/hwloc-info --support | sed -n 's/^membind[.:]nexttouch_membind = //p')
echo "== hwloc-info --support: membind.nexttouch_membind = $support"
if [ "$support" = $lazy_expected ]; then
	result tools hwloc-info-support 0
else
	result tools hwloc-info-support 1
fi
echo "== hwloc-bind --membind all --mempolicy nexttouch -- cat /proc/self/numa_maps"
out=$($M/bin/hwloc-bind --membind all --mempolicy nexttouch -- \
	cat /proc/self/numa_maps 2>&1)
rc=$?
echo "$out" | head -n 3 | sed 's/^/  /'
if [ $lazy_expected = 1 ]; then
	# The program runs under a local policy: numa_maps shows the task's
	# policy for every mapping without one of its own ("default" without
	# hwloc-bind).
	[ $rc = 0 ] && [ -n "$out" ] &&
		[ -z "$(echo "$out" | awk '$2 != "local"')" ]
else
	# ENOSYS, as before next touch existed.
	[ $rc != 0 ] && echo "$out" | grep -q 'Function not implemented'
fi
result tools hwloc-bind-nexttouch $?

echo "# TOTAL: $((pass + skip + fail))"
echo "# PASS:  $pass"
echo "# SKIP:  $skip"
echo "# FAIL:  $fail"
[ $fail = 0 ]
