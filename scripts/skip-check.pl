#!/usr/bin/env perl
# skip-check.pl FILE.c...: fail when a kselftest_harness.h test can report
# SKIP after a check has run.  SKIP() overwrites the exit code, so a failed
# EXPECT_*() followed by a SKIP() reports SKIP and hides the failure; and a
# test that has passed its checks and then skips reports that it checked
# nothing.  Preconditions come first.
#
# For every function of a file (test bodies, fixture setups, helpers), in
# source order: a "check" is EXPECT_*() or ASSERT_*(), or a call of a
# function or macro of the same file that contains one; a "skip" is SKIP()
# or a call of a function of the file that can skip.  A skip after a check
# in the same function is an error, with two exceptions, both for checks
# whose failure cannot fall through (ASSERT_*() ends the test at once):
#   - a check in the other branch of an if/else than the skip;
#   - the condition of the skip itself, "if (!probe(...)) SKIP()", where
#     probe() only ASSERTs (that an expected feature is there, that setup
#     worked) and returns whether the precondition holds;
#   - a SKIP on, or right after, a line marked "skip-check:
#     after-assert-only", whose comment says why only ASSERT_*()s precede.
# EXPECT_*() never qualifies: after a failed EXPECT the test goes on.
# Source order stands for reachability: loops and gotos are not followed.
use strict;
use warnings;

my $bad = 0;

for my $file (@ARGV) {
	open(my $fh, '<', $file) or die "$file: $!\n";
	local $/;
	my $src = <$fh>;
	close($fh);

	# Lines marked as reviewed, before comments go.
	my %allowed;
	my $ln = 1;
	for my $l (split /\n/, $src, -1) {
		# The marker's line and the next one.
		if ($l =~ /skip-check:\s*after-assert-only/) {
			$allowed{$ln} = 1;
			$allowed{$ln + 1} = 1;
		}
		$ln++;
	}
	# Blank out comments and string literals, keeping line numbers.
	$src =~ s{/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'}{
		my $m = $&; my $q = substr($m, 0, 1);
		$m =~ s/[^\n]/ /g;
		($q eq '"' || $q eq "'") ? $q . substr($m, 1, -1) . $q : $m
	}gse;

	# Macros (#define NAME(...) with continuation lines).
	my (%body, %start);
	while ($src =~ /^[ \t]*#[ \t]*define[ \t]+(\w+)\(((?:[^\n]*\\\n)*[^\n]*)/mg) {
		$body{$1} = $2;
		$start{$1} = line_of($src, $-[0]);
	}
	# Functions: "name(...) {" at depth 0; TEST_F(f, t) and the like get
	# a name of their own.
	my @funcs;
	my $depth = 0;
	my $i = 0;
	my $len = length($src);
	while ($i < $len) {
		my $c = substr($src, $i, 1);
		if ($c eq '#' && ($i == 0 || substr($src, $i - 1, 1) eq "\n")) {
			# Skip preprocessor lines (with continuations).
			while ($i < $len) {
				my $nl = index($src, "\n", $i);
				$nl = $len if $nl < 0;
				my $line = substr($src, $i, $nl - $i);
				$i = $nl + 1;
				last unless $line =~ /\\$/;
			}
			next;
		}
		if ($c eq '{') {
			if ($depth == 0) {
				my $head = substr($src, 0, $i);
				$head =~ s/\s+$//;
				my $name;
				if ($head =~ /(\w+)\s*\(([^()]*)\)\s*$/) {
					my ($fn, $args) = ($1, $2);
					if ($fn =~ /^(TEST|TEST_F|TEST_SIGNAL|TEST_F_SIGNAL|TEST_F_TIMEOUT|FIXTURE_SETUP|FIXTURE_TEARDOWN|FIXTURE_TEARDOWN_PARENT)$/) {
						$args =~ s/\s+//g;
						$name = "$fn($args)";
					} else {
						$name = $fn;
					}
				} elsif ($head =~ /(\w+)\s*\((?:[^()]|\([^()]*\))*\)\s*$/) {
					$name = $1;
				}
				if (defined $name && $name !~ /^(if|for|while|switch|FIXTURE|FIXTURE_VARIANT|FIXTURE_VARIANT_ADD)$/ &&
				    $name !~ /^FIXTURE_VARIANT_ADD/) {
					my $end = match_brace($src, $i);
					push @funcs, [$name, $i, substr($src, $i, $end - $i + 1)];
					$i = $end + 1;
					next;
				}
			}
			$depth++;
		} elsif ($c eq '}') {
			$depth-- if $depth;
		}
		$i++;
	}
	for my $f (@funcs) {
		$body{$f->[0]} = $f->[2];
		$start{$f->[0]} = line_of($src, $f->[1]);
	}

	# What each function or macro can do: check (EXPECT or ASSERT),
	# expect (EXPECT, which falls through), skip; transitively.
	my (%check, %expect, %skip);
	for my $n (keys %body) {
		$check{$n} = $body{$n} =~ /\b(?:EXPECT|ASSERT)_\w+\s*\(/ ? 1 : 0;
		$expect{$n} = $body{$n} =~ /\bEXPECT_\w+\s*\(/ ? 1 : 0;
		$skip{$n} = $body{$n} =~ /\bSKIP\s*\(/ ? 1 : 0;
	}
	my $changed = 1;
	while ($changed) {
		$changed = 0;
		for my $n (keys %body) {
			for my $callee (calls($body{$n}, \%body, $n)) {
				for my $h (\%check, \%expect, \%skip) {
					if ($h->{$callee} && !$h->{$n}) {
						$h->{$n} = 1;
						$changed = 1;
					}
				}
			}
		}
	}

	for my $f (@funcs) {
		my ($name, $off, $text) = @$f;
		my $first = line_of($src, $off);
		my @checks;	# [line, offset, is_expect] in source order
		# Walk the calls in order.
		while ($text =~ /\b(EXPECT_\w+|ASSERT_\w+|SKIP|\w+)\s*\(/g) {
			my ($tok, $pos) = ($1, $-[0]);
			my $line = $first + (() = substr($text, 0, $pos) =~ /\n/g);
			my ($is_check, $is_expect, $is_skip) = (0, 0, 0);
			if ($tok =~ /^EXPECT_/) {
				($is_check, $is_expect) = (1, 1);
			} elsif ($tok =~ /^ASSERT_/) {
				$is_check = 1;
			} elsif ($tok eq 'SKIP') {
				$is_skip = 1;
			} elsif (exists $body{$tok} && $tok ne $name) {
				$is_check = $check{$tok};
				$is_expect = $expect{$tok};
				$is_skip = $skip{$tok};
			} else {
				next;
			}
			if ($is_skip) {
				# "if (!probe(...)) SKIP()": a probe that only
				# ASSERTs, in the condition of this very skip,
				# tests a precondition, not the kernel.
				while (@checks && !$checks[-1][2] &&
				       substr($text, $checks[-1][1],
					      $pos - $checks[-1][1]) !~ /[;{}]/) {
					pop @checks;
				}
				# A check in the other branch of an if/else
				# cannot have run before this skip.
				my @before = grep {
					!other_branch($text, $_->[1], $pos)
				} @checks;
				my ($exp) = grep { $_->[2] } @before;
				my $why;
				if ($exp) {
					$why = "EXPECT at line $exp->[0]";
				} elsif (@before && !$allowed{$line}) {
					$why = "a check at line $before[-1][0]";
				}
				if ($why) {
					print "$file:$line: $name: SKIP reachable after $why\n";
					$bad = 1;
				}
			}
			# A callee that checks and skips: its own order is
			# checked on its own body.
			push @checks, [$line, $pos, $is_expect] if $is_check;
		}
	}
}

if ($bad) {
	print "skip-check: a test can report SKIP after it checked something; check preconditions first\n";
	exit 1;
}
print "skip-check: no SKIP after a check in " . scalar(@ARGV) . " file(s)\n";
exit 0;

sub line_of {
	my ($s, $off) = @_;
	return 1 + (() = substr($s, 0, $off) =~ /\n/g);
}

sub match_brace {
	my ($s, $i) = @_;
	my $d = 0;
	for (my $j = $i; $j < length($s); $j++) {
		my $c = substr($s, $j, 1);
		$d++ if $c eq '{';
		if ($c eq '}') {
			$d--;
			return $j if $d == 0;
		}
	}
	return length($s) - 1;
}

sub calls {
	my ($text, $known, $self) = @_;
	my %seen;
	while ($text =~ /\b(\w+)\s*\(/g) {
		$seen{$1} = 1 if exists $known->{$1} && $1 ne $self;
	}
	return keys %seen;
}

# Whether the text from offset $a to offset $b leaves the block of $a
# into an "else" branch of the same if statement, and is still in it at
# $b: then what ran at $a and what runs at $b exclude each other.
sub other_branch {
	my ($text, $a, $b) = @_;
	my $d = 0;
	my ($braced, $level);	# the else branch entered, if any
	for (my $i = $a; $i < $b; $i++) {
		my $c = substr($text, $i, 1);
		if ($c eq '{') {
			$d++;
		} elsif ($c eq '}') {
			$d--;
			# Out of the else branch: past its closing brace, or
			# past the block of an unbraced "else if (...) {".
			undef $level if defined $level &&
					($braced ? $d < $level : $d <= $level);
			if (!defined $level && $d < 0 &&
			    substr($text, $i + 1, $b - $i - 1) =~ /^(\s*else\b\s*)(\{?)/) {
				$braced = $2 ne '';
				$level = $braced ? $d + 1 : $d;
			}
		} elsif ($c eq ';' && defined $level && !$braced && $d == $level) {
			# An unbraced else ends with its statement.
			undef $level;
		}
	}
	return defined $level;
}
