#!/usr/bin/perl
# ktap-summary.pl OUTPUT_LOG: print each KTAP result of a run_kselftest.sh
# log and end with "N passed, N failed, N skipped". Nested results (one per
# test case of a kselftest_harness program) are counted; a program's own
# line counts only when it has no nested results, or when it failed without
# reporting a failed case (a crash or a timeout). Exit status 1 when any
# result failed or when no result was found.
use strict;
use warnings;

my ($pass, $fail, $skip) = (0, 0, 0);
my ($nested_fail, $nested) = (0, 0);
my $saw_plan = 0;

sub count {
	my ($ok, $directive) = @_;
	if (defined $directive && $directive =~ /^\s*#\s*(SKIP|XFAIL)/i) {
		$skip++;
	} elsif ($ok) {
		$pass++;
	} else {
		$fail++;
	}
}

while (my $line = <>) {
	$line =~ s/\r?\n$//;
	if ($line =~ /^(?:# )+((not )?ok \d+ [^#]*?)\s*(#.*)?$/) {
		my ($ok, $directive) = (!defined $2, $3);
		print "    $line\n" =~ s/^    (# )+/    /r;
		count($ok, $directive);
		$nested++;
		$nested_fail++ if !$ok && !(defined $directive && $directive =~ /SKIP/i);
	} elsif ($line =~ /^((not )?ok \d+ [^#]*?)\s*(#.*)?$/) {
		my ($ok, $directive) = (!defined $2, $3);
		print "$line\n";
		if ($nested == 0) {
			count($ok, $directive);
		} elsif (!$ok && $nested_fail == 0 &&
			 !(defined $directive && $directive =~ /SKIP/i)) {
			$fail++;
		}
		($nested, $nested_fail) = (0, 0);
	} elsif ($line =~ /^1\.\.\d+/) {
		$saw_plan = 1;
	}
}
my $line = "$pass passed, $fail failed";
$line .= ", $skip skipped" if $skip;
print "$line\n";
if (!$saw_plan || $pass + $fail + $skip == 0) {
	print STDERR "error: no KTAP results found\n";
	exit 1;
}
exit($fail ? 1 : 0);
