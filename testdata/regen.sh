#!/usr/bin/env bash
# Regenerates the real-trace corpus and Go 1.27's reference outputs.
#
#   testdata/regen.sh                  record every trace with every Go
#                                      version, then write all references
#   testdata/regen.sh 1.26 1.27        record with these Go versions only,
#                                      then write all references
#   testdata/regen.sh --refs-only      only rewrite the references (no
#                                      trace programs are built or run)
#   testdata/regen.sh --synthetic ...  also rewrite traces/synthetic/*.trace
#                                      with build/tests/gen_synthetic first
#   testdata/regen.sh --analysis-only  only rewrite the analysis references
#                                      (nothing is recorded, truncated or
#                                      dumped; traces do not change)
#   testdata/regen.sh --pprof-only     only rewrite the pprof references
#                                      (likewise)
#   testdata/regen.sh --timeline-only  only rewrite the timeline references
#                                      (likewise)
#   testdata/regen.sh --cut-only       only rewrite the cut references
#                                      (likewise)
#
# Environment:
#   TRACES="gc allocfree"   record only these trace names (see the table below)
#   GODIST=/usr/lib         toolchains are $GODIST/go-<version>/bin/go
#   REFGO=...               the go command whose cmd/trace makes references
#                           (default $GODIST/go-1.27/bin/go)
#   GEN_SYNTHETIC=...       the gen_synthetic binary for --synthetic
#                           (default build/tests/gen_synthetic)
#
# Layout: programs/<program>/ are the Go programs; traces/go<version>/<name>.trace
# are their traces. For every trace FILE (*.trace) under traces/, synthetic/
# included:
#   FILE.wire.xz / FILE.parsed.xz   standard output of
#                                   `go tool trace -d=wire|-d=parsed FILE`
#                                   (Go 1.27), compressed with xz -9
#   FILE.wire.status / FILE.parsed.status
#                                   "exit=<code>", a newline, then the tool's
#                                   standard error verbatim
#   FILE.analysis.MODE.xz / FILE.analysis.MODE.status
#                                   the same for testdata/analysisref (Go
#                                   1.27's internal/trace analyses as JSON
#                                   Lines), MODE goroutines, tasks,
#                                   task-types, region-types, mmu, gc; for
#                                   real and truncated traces and the
#                                   synthetic traces Go reads without error
#   FILE.pprof.TYPE.pb.gz / FILE.pprof.TYPE.status
#                                   `go tool trace -pprof=TYPE FILE` (Go
#                                   1.27's profile, gzip'd protobuf, as Go
#                                   writes it) and its status, TYPE sched,
#                                   sync, syscall, net; real, truncated and
#                                   synthetic traces (of a damaged trace Go
#                                   profiles the events up to the last Sync
#                                   before the error, or gives up); none
#                                   where Go panics
#   FILE.timeline.VIEW.json.xz / FILE.timeline.VIEW.status
#                                   cmd/trace's viewer data, /jsontrace?view=VIEW
#                                   (VIEW proc, thread), fetched from the reference
#                                   tool's web server on 127.0.0.1, keys sorted,
#                                   one event per line (README.md, "Timeline
#                                   references"); real, truncated and
#                                   synthetic traces (on a damaged trace
#                                   cmd/trace serves what it read up to
#                                   the last Sync, or gives up)
#   FILE.cut.A-B.MODE.xz / FILE.cut.A-B.MODE.status
#                                   `go tool trace -d=parsed|-d=wire` (Go
#                                   1.27) and its status on FILE cut to
#                                   generations A to B by tests/cut_trace.py
#                                   (the header and those generations'
#                                   bytes), MODE parsed and wire, for the
#                                   traces and cuts in cut_sources below
# Traces are nondeterministic: recording again changes them, so commit
# traces and references together. See README.md.
set -euo pipefail

export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
programs=$here/programs
traces=$here/traces
godist=${GODIST:-/usr/lib}
refgo=${REFGO:-$godist/go-1.27/bin/go}
gen_synthetic=${GEN_SYNTHETIC:-$root/build/tests/gen_synthetic}
max_trace=$((200 * 1024))  # hard limit
soft_trace=$((64 * 1024))  # re-record above this

refs_only=0
synthetic=0
analysis_only=0
pprof_only=0
timeline_only=0
cut_only=0
versions=()
for arg in "$@"; do
	case $arg in
	--refs-only) refs_only=1 ;;
	--synthetic) synthetic=1 ;;
	--analysis-only) analysis_only=1 ;;
	--pprof-only) pprof_only=1 ;;
	--timeline-only) timeline_only=1 ;;
	--cut-only) cut_only=1 ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	-*)
		echo "regen.sh: unknown option $arg" >&2
		exit 2
		;;
	*) versions+=("$arg") ;;
	esac
done
[ ${#versions[@]} -gt 0 ] || versions=(1.19 1.21 1.22 1.23 1.24 1.26 1.27)

# Programs recorded with the v1-format toolchains (Go 1.19 and 1.21), which
# build them against a go 1.19 module file. startstop is left out: for
# goroutines that exist before tracing starts, Go's v1 converter emits
# status events in map order, so its output is not reproducible.
v1_programs=" churn channels syncprims pipes tcp gc gomaxprocs lockosthread cgocallback annotations cpuprofile "

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The traces. One line per trace:
#   name  program  min-go  cgo  env  args
# min-go is the oldest Go minor version that can record it; "-" in the env
# or args column means none.
# Trace files are named <name>.trace; a program may be recorded under
# several names with different environments or arguments.
table='
churn           churn           22  0  -                                    -
channels        channels        22  0  -                                    -
syncprims       syncprims       22  0  -                                    -
pipes           pipes           22  0  -                                    -
tcp             tcp             22  0  -                                    -
gc              gc              22  0  -                                    -
allocfree       gc              23  0  GODEBUG=traceallocfree=1             4
gomaxprocs      gomaxprocs      22  0  -                                    -
lockosthread    lockosthread    22  0  -                                    -
cgocallback     cgocallback     22  1  -                                    -
annotations     annotations     22  0  -                                    -
cpuprofile      cpuprofile      22  0  -                                    -
iterpull        iterpull        23  0  -                                    -
startstop       startstop       22  0  -                                    -
generations     generations     22  0  GODEBUG=traceadvanceperiod=20000000  -
flightrecorder  flightrecorder  25  0  -                                    -
'

failures=()
fail() {
	echo "FAIL: $*" >&2
	failures+=("$*")
}

wanted() { # name
	[ -z "${TRACES:-}" ] && return 0
	case " $TRACES " in *" $1 "*) return 0 ;; esac
	return 1
}

record_version() { # version
	local v=$1 minor go out bin name prog min cgo env args tmp best size attempt
	minor=${v#1.}
	go=$godist/go-$v/bin/go
	if [ ! -x "$go" ]; then
		fail "go$v: $go not found"
		return
	fi
	out=$traces/go$v
	mkdir -p "$out"
	bin=$work/bin-go$v
	mkdir -p "$bin"
	# A full run replaces the version's directory: traces of programs that
	# no longer exist must not linger.
	if [ -z "${TRACES:-}" ]; then
		rm -f "$out"/*.trace "$out"/*.trace.*
	fi
	echo "== go$v ($("$go" env GOVERSION))"
	local modflags=
	if [ "$minor" -lt 22 ]; then
		printf 'module %s\n\ngo 1.19\n' "$(sed -n 's/^module //p' "$programs/go.mod")" >"$work/go119.mod"
		modflags=-modfile=$work/go119.mod
	fi
	while read -r name prog min cgo env args; do
		[ -n "$name" ] || continue
		wanted "$name" || continue
		if [ "$minor" -lt 22 ]; then
			case $v1_programs in *" $name "*) ;; *) continue ;; esac
		elif [ "$minor" -lt "$min" ]; then
			echo "   skip $name: needs go1.$min"
			continue
		fi
		if [ ! -x "$bin/$prog" ]; then
			# shellcheck disable=SC2086 # modflags is empty or one flag
			if ! (cd "$programs" && CGO_ENABLED=$cgo "$go" build $modflags -trimpath -o "$bin/$prog" "./$prog"); then
				fail "go$v: building $prog"
				continue
			fi
		fi
		[ "$env" = - ] && env=
		[ "$args" = - ] && args=
		rm -f "$out/$name.trace" "$out/$name.trace".*
		# Runtime behaviour sometimes floods a trace (e.g. the background
		# sweeper yielding in a tight loop); record again, up to 5 times,
		# until a trace is below the soft limit, and keep the smallest.
		tmp=$out/.$name.trace.tmp
		best=$out/.$name.trace.best
		rm -f "$best"
		for attempt in 1 2 3 4 5; do
			[ "$attempt" -eq 1 ] || echo "   $name: over $soft_trace bytes; recording again"
			# shellcheck disable=SC2086 # env and args are word lists
			if ! (cd "$bin" && env $env timeout 120 "./$prog" "$tmp" $args); then
				rm -f "$tmp"
				fail "go$v: running $name"
				break
			fi
			size=$(stat -c %s "$tmp")
			if [ ! -f "$best" ] || [ "$size" -lt "$(stat -c %s "$best")" ]; then
				mv "$tmp" "$best"
			else
				rm -f "$tmp"
			fi
			[ "$(stat -c %s "$best")" -gt $soft_trace ] || break
		done
		[ -f "$best" ] || continue
		mv "$best" "$out/$name.trace"
		size=$(stat -c %s "$out/$name.trace")
		printf '   %-16s %7d bytes%s\n' "$name" "$size" "${env:+  ($env)}"
		if [ "$size" -gt $max_trace ]; then
			fail "go$v/$name.trace is larger than $max_trace bytes"
		fi
	done <<<"$table"
	rm -rf "$bin"
}

# The analysis references: testdata/analysisref, our own program on Go
# 1.27's internal/trace (Summarizer, MutatorUtilizationV2/MMUCurve and
# cmd/trace's task and region pages), prints for each trace the records
# `gotrace goroutines|tasks|regions|mmu|gc --json` must print
# (tests/compare_analysis.py). internal/ packages can only be imported from
# inside GOROOT, so it is built as cmd/gotrace-analysisref through an
# -overlay mapping that (nonexistent) GOROOT directory to our files.
analysis_modes="goroutines tasks task-types region-types mmu gc"

# analysis_reference FILE MODE: writes FILE.analysis.MODE.xz and .status,
# or, if Go's analysis panics (exit status 2 or more), no reference.
analysis_reference() {
	local f=$1 mode=$2 rc=0 base=$1.analysis.$2
	timeout 600 "$analysisref" "$mode" "$f" >"$base.out" 2>"$base.err" || rc=$?
	if [ "$rc" -ge 2 ]; then
		echo "${f#"$traces"/} $mode: $(head -n 1 "$base.err")" >>"$work/analysis-panics"
		rm -f "$base.out" "$base.err" "$base.xz" "$base.status"
		return
	fi
	xz -9 -c <"$base.out" >"$base.xz.tmp"
	{
		echo "exit=$rc"
		cat "$base.err"
	} >"$base.status.tmp"
	mv "$base.xz.tmp" "$base.xz"
	# As for the dumps: keep the old status if only its line order changed
	# (Go's "failed to advance" state dump is in map order).
	if [ -f "$base.status" ] && cmp -s <(sort "$base.status") <(sort "$base.status.tmp"); then
		rm -f "$base.status.tmp"
	else
		mv "$base.status.tmp" "$base.status"
	fi
	rm -f "$base.out" "$base.err"
}

# analysis_recheck FILE MODE: runs Go again and reports a reference whose
# output or exit status differs (it must be reproducible).
analysis_recheck() {
	local f=$1 mode=$2 rc=0 base=$1.analysis.$2
	[ -f "$base.xz" ] || return 0
	"$analysisref" "$mode" "$f" 2>/dev/null >"$base.again" || rc=$?
	if ! xz -dc "$base.xz" | cmp -s - "$base.again" ||
		[ "$(head -n 1 "$base.status")" != "exit=$rc" ]; then
		echo "${f#"$traces"/} $mode" >>"$work/analysis-varies"
	fi
	rm -f "$base.again"
}

analysis_step() {
	local goroot overlay=$work/analysisref-overlay.json list=$work/analysis-traces sep="" g r t m
	analysisref=$work/gotrace-analysisref
	goroot=$("$refgo" env GOROOT)
	echo "== analysis references ($("$refgo" env GOVERSION) internal/trace, testdata/analysisref)"
	{
		printf '{"Replace":{'
		for g in "$here"/analysisref/*.go; do
			case $g in *_test.go) continue ;; esac
			printf '%s"%s/src/cmd/gotrace-analysisref/%s":"%s"' "$sep" "$goroot" "$(basename "$g")" "$g"
			sep=,
		done
		printf '}}\n'
	} >"$overlay"
	if ! (cd "$work" && GOFLAGS='' "$refgo" build -overlay="$overlay" -o "$analysisref" cmd/gotrace-analysisref); then
		fail "building testdata/analysisref"
		return
	fi
	"$analysisref" histogram >"$here/analysisref/histogram.txt.tmp"
	mv "$here/analysisref/histogram.txt.tmp" "$here/analysisref/histogram.txt"

	# Real and truncated traces, and the synthetic traces Go's reader
	# accepts (the rejected ones mostly fail on their first events; the
	# truncated traces cover the partial results of a rejected trace).
	{
		find "$traces" \( -path "$traces/go1.*/*" -o -path "$traces/truncated/*" \) -name '*.trace' -type f
		if [ -d "$traces/synthetic" ]; then
			find "$traces/synthetic" -name '*.trace' -type f | while read -r t; do
				if [ "$(head -n 1 "$t.parsed.status" 2>/dev/null)" = exit=0 ]; then
					echo "$t"
				fi
			done
		fi
	} | sort >"$list"
	# Drop analysis references of traces no longer covered (or gone).
	find "$traces" -type f -name '*.trace.analysis.*' | while read -r r; do
		t=${r%.analysis.*}
		grep -Fxq "$t" "$list" || rm -f "$r"
	done
	rm -f "$work/analysis-panics" "$work/analysis-varies"
	export -f analysis_reference analysis_recheck
	export analysisref traces work
	# shellcheck disable=SC2016 # "$1" and "$2" are expanded by the inner bash
	while read -r t; do
		for m in $analysis_modes; do printf '%s\0%s\0' "$t" "$m"; done
	done <"$list" | xargs -0 -n 2 -P "$(nproc)" bash -c 'analysis_reference "$1" "$2"' _
	# Run everything a second time: a reference must be reproducible
	# (Go's analyses iterate maps; their results must not depend on it).
	# shellcheck disable=SC2016
	while read -r t; do
		for m in $analysis_modes; do printf '%s\0%s\0' "$t" "$m"; done
	done <"$list" | xargs -0 -n 2 -P "$(nproc)" bash -c 'analysis_recheck "$1" "$2"' _
	if [ -s "$work/analysis-varies" ]; then
		while read -r r; do
			fail "analysis reference varies between runs: $r"
		done < <(sort "$work/analysis-varies")
	fi
	if [ -s "$work/analysis-panics" ]; then
		echo "no analysis reference where Go's analysis panics:"
		while read -r r; do
			case $r in
			synthetic/*) echo "   $r" ;;
			*) fail "Go's analysis panics on $r" ;;
			esac
		done < <(sort "$work/analysis-panics")
	fi
	printf 'analysis references: %d traces, %d files, %d bytes\n' "$(wc -l <"$list")" \
		"$(find "$traces" -type f -name '*.trace.analysis.*' | wc -l)" \
		"$(find "$traces" -type f -name '*.trace.analysis.*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
}

# The pprof references: for every real, truncated and synthetic trace,
# cmd/trace's profile of each type, written by the reference tool (Go
# 1.27's cmd/trace, built here as in the reference step) and its status;
# or, where Go panics (exit status 2 or more), no reference. On a damaged
# trace cmd/trace profiles the events up to the last Sync before the
# error and exits 0 without a word, or, with no complete generation,
# fails ("failed to parse any useful part of the trace"). Go writes the
# samples in map order, so the bytes vary between runs;
# tests/compare_pprof.py compares the decoded samples as a multiset, and
# this step checks that a second run gives the same multiset (with that
# script's decoder).
pprof_types="sched sync syscall net"

pprof_reference() { # FILE TYPE
	local f=$1 t=$2 rc=0 base=$1.pprof.$2
	timeout 600 "$reftool" -pprof="$t" "$f" >"$base.pb.gz.tmp" 2>"$base.err" || rc=$?
	if [ "$rc" -ge 2 ]; then
		echo "${f#"$traces"/} $t: exit=$rc $(grep -a -m 1 . "$base.err" | cut -c 1-200)" >>"$work/pprof-panics"
		rm -f "$base.pb.gz.tmp" "$base.err" "$base.pb.gz" "$base.status"
		return
	fi
	{
		echo "exit=$rc"
		cat "$base.err"
	} >"$base.status.tmp"
	rm -f "$base.err"
	# As for the dumps: keep the old status if only its line order changed
	# (an error's "failed to advance" state dump is in map order).
	if [ -f "$base.status" ] && cmp -s <(sort "$base.status") <(sort "$base.status.tmp"); then
		rm -f "$base.status.tmp"
	else
		mv "$base.status.tmp" "$base.status"
	fi
	if [ "$rc" = 0 ]; then
		# Keep the old file if it holds the same profile (the bytes
		# differ from run to run).
		if [ -f "$base.pb.gz" ] && python3 "$root/tests/compare_pprof.py" --same "$base.pb.gz" "$base.pb.gz.tmp"; then
			rm -f "$base.pb.gz.tmp"
		else
			mv "$base.pb.gz.tmp" "$base.pb.gz"
		fi
	else
		rm -f "$base.pb.gz.tmp" "$base.pb.gz"
	fi
}

pprof_step() {
	local t f again=$work/pprof-again.pb.gz list=$work/pprof-traces
	reftool=$work/gotrace-ref
	if [ ! -x "$reftool" ]; then
		echo "== building the reference tool ($("$refgo" env GOVERSION) cmd/trace)"
		(cd "$work" && GOFLAGS='' "$refgo" build -o "$reftool" cmd/trace)
	fi
	echo "== pprof references ($("$refgo" env GOVERSION) cmd/trace -pprof)"
	find "$traces" \( -path "$traces/go1.*/*" -o -path "$traces/truncated/*" -o -path "$traces/synthetic/*" \) \
		-name '*.trace' -type f | sort >"$list"
	# Drop pprof references of traces no longer covered (or gone).
	find "$traces" -type f -name '*.trace.pprof.*' | while read -r r; do
		t=${r%.pprof.*}
		grep -Fxq "$t" "$list" || rm -f "$r"
	done
	rm -f "$work/pprof-panics" "$work/pprof-varies"
	export -f pprof_reference
	export reftool root traces work
	# shellcheck disable=SC2016 # "$1" and "$2" are expanded by the inner bash
	while read -r f; do
		for t in $pprof_types; do printf '%s\0%s\0' "$f" "$t"; done
	done <"$list" | xargs -0 -n 2 -P "$(nproc)" bash -c 'pprof_reference "$1" "$2"' _
	# A reference must be reproducible as a profile.
	find "$traces" -name '*.trace.pprof.*.pb.gz' -type f | sort | while read -r f; do
		t=${f%.pb.gz}
		t=${t##*.}
		"$reftool" -pprof="$t" "${f%.pprof.*}" >"$again" 2>/dev/null || true
		python3 "$root/tests/compare_pprof.py" --same "$f" "$again" ||
			echo "${f#"$traces"/}" >>"$work/pprof-varies"
	done
	rm -f "$again"
	if [ -s "$work/pprof-varies" ]; then
		while read -r r; do
			fail "pprof reference varies between runs: $r"
		done <"$work/pprof-varies"
	fi
	if [ -s "$work/pprof-panics" ]; then
		echo "no pprof reference where cmd/trace panics:"
		while read -r r; do
			case $r in
			synthetic/*) echo "   $r" ;;
			*) fail "cmd/trace -pprof panics on $r" ;;
			esac
		done < <(sort "$work/pprof-panics")
	fi
	printf 'pprof references: %d traces, %d files, %d bytes\n' "$(wc -l <"$list")" \
		"$(find "$traces" -type f -name '*.trace.pprof.*' | wc -l)" \
		"$(find "$traces" -type f -name '*.trace.pprof.*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
	# Per directory and type: profiles written (exit 0, of the whole trace
	# or of its cut), refusals.
	for d in 'go1.*' truncated synthetic; do
		find "$traces" -path "$traces/$d/*" -type f -name '*.trace.pprof.*.status' | sort | while read -r r; do
			if [ "$(head -n 1 "$r")" = exit=0 ]; then echo written; else echo refused; fi
		done | awk -v d="$d" '{n[$1]++} END {printf "   %-9s profiles written %d, refused %d\n", d, n["written"], n["refused"]}'
	done
}

# The timeline references: cmd/trace's trace viewer data, the JSON its
# /jsontrace handler serves for the proc and thread views, fetched from
# the reference tool's web server on 127.0.0.1 for every real, truncated
# and synthetic trace (tests/compare_timeline.py; README.md, "Timeline
# references"). On a damaged trace cmd/trace keeps the events up to the
# last Sync before the error and serves those (its log says so), or exits
# when that leaves nothing. One server per trace; it is always stopped
# before the next one starts.
timeline_views="proc thread"

# timeline_log FILE: cmd/trace's log on standard error without the time
# stamps and without the lines every run prints (they hold the port).
timeline_log() {
	sed -E 's|^[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} ||' "$1" |
		grep -aEv '^(Preparing trace for viewer\.\.\.|Splitting trace for viewer\.\.\.|Opening browser\. Trace viewer is listening on .*|.* processed\.\.\.)$' || true
}

# timeline_status BASE: moves BASE.status.tmp to BASE.status, unless the
# old one differs only in line order (Go's "failed to advance" errors end
# with a dump of its state in map order), so regenerating does not churn.
timeline_status() {
	if [ -f "$1.status" ] && cmp -s <(sort "$1.status") <(sort "$1.status.tmp"); then
		rm -f "$1.status.tmp"
	else
		mv "$1.status.tmp" "$1.status"
	fi
}

# timeline_reference FILE: writes FILE.timeline.VIEW.json.xz and .status
# for each view; or, where cmd/trace panics, no reference (its traceback
# holds addresses and goroutine ids that change from run to run).
timeline_reference() {
	local f=$1 dir pid port rc=0 v i n base
	dir=$(mktemp -d "$work/timeline.XXXXXX")
	# BROWSER=true: the tool "opens a browser" by running true(1).
	: >"$dir/log"
	BROWSER=true timeout 600 "$reftool" -http=127.0.0.1:0 "$f" >>"$dir/log" 2>&1 &
	pid=$!
	# shellcheck disable=SC2064 # expand now: this process's server and files
	trap "kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf '$dir'" EXIT
	# The address is logged once the trace is parsed and split (up to 5 min).
	for ((i = 0; i < 3000; i++)); do
		grep -aq 'Trace viewer is listening on http://' "$dir/log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	port=$(sed -nE 's|.*Trace viewer is listening on http://127\.0\.0\.1:([0-9]+)$|\1|p' "$dir/log" | head -n 1)
	if [ -z "$port" ]; then
		# The tool gave up (it rejects the trace) or never listened.
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || rc=$?
		[ "$rc" != 0 ] || rc=1
		if grep -aqE '^panic: ' "$dir/log"; then
			echo "${f#"$traces"/}: exit=$rc $(grep -a -m 1 -E '^panic: ' "$dir/log")" >>"$work/timeline-panics"
			for v in $timeline_views; do
				rm -f "$f.timeline.$v.json.xz" "$f.timeline.$v.status"
			done
			return
		fi
		for v in $timeline_views; do
			base=$f.timeline.$v
			rm -f "$base.json.xz"
			{
				echo "exit=$rc"
				timeline_log "$dir/log"
			} >"$base.status.tmp"
			timeline_status "$base"
		done
		return
	fi
	# The main page links one /trace page per view, or one per range when
	# the tool splits a big trace (about 100 MB of JSON each). The
	# reference is always the whole trace (/jsontrace?view=VIEW without
	# start and end); the status says how many ranges the viewer has.
	curl -sS --max-time 60 -o "$dir/main.html" "http://127.0.0.1:$port/" 2>"$dir/main.err" || true
	for v in $timeline_views; do
		base=$f.timeline.$v
		rc=0
		: >"$dir/err"
		for i in 1 2; do
			curl -sS --fail --max-time 600 -o "$dir/$v.$i" \
				"http://127.0.0.1:$port/jsontrace?view=$v" 2>>"$dir/err" || { rc=$?; break; }
			python3 "$root/tests/compare_timeline.py" --normalize "$dir/$v.$i" >"$dir/$v.$i.norm" 2>>"$dir/err" || { rc=$?; break; }
		done
		# Go writes some events in map order (the names of thread tracks,
		# slices still open at the end): the two fetches must hold the
		# same events, not necessarily in the same order.
		if [ "$rc" = 0 ] && ! python3 "$root/tests/compare_timeline.py" --same "$dir/$v.1.norm" "$dir/$v.2.norm" >/dev/null; then
			echo "${f#"$traces"/} $v (two fetches)" >>"$work/timeline-varies"
		fi
		n=$(grep -cE "href=\"/trace\?view=$v(&amp;|&)start=" "$dir/main.html" 2>/dev/null || true)
		n=${n:-0}
		if [ "$rc" = 0 ]; then
			# Keep the old file if it holds the same events, so that
			# regenerating does not churn it.
			if [ -f "$base.json.xz" ] && python3 "$root/tests/compare_timeline.py" --same "$base.json.xz" "$dir/$v.1.norm" >/dev/null; then
				:
			else
				xz -9 -c <"$dir/$v.1.norm" >"$base.json.xz.tmp"
				mv "$base.json.xz.tmp" "$base.json.xz"
			fi
		else
			rm -f "$base.json.xz"
		fi
		# Anything the tool logged (on a damaged trace: "Encountered
		# error, but able to proceed" and how much was lost; while
		# serving, e.g. "failed to generate trace") goes into the status.
		{
			echo "exit=$rc"
			cat "$dir/err"
			[ "$n" -le 1 ] || echo "viewer ranges: $n"
			timeline_log "$dir/log"
		} >"$base.status.tmp"
		timeline_status "$base"
	done
	if grep -aqE 'http: panic serving' "$dir/log"; then
		echo "${f#"$traces"/}: $(grep -a -m 1 -E 'http: panic serving' "$dir/log" | cut -c 1-200)" >>"$work/timeline-panics"
		for v in $timeline_views; do
			rm -f "$f.timeline.$v.json.xz" "$f.timeline.$v.status"
		done
	fi
}

timeline_step() {
	local t r list=$work/timeline-traces
	reftool=$work/gotrace-ref
	if [ ! -x "$reftool" ]; then
		echo "== building the reference tool ($("$refgo" env GOVERSION) cmd/trace)"
		(cd "$work" && GOFLAGS='' "$refgo" build -o "$reftool" cmd/trace)
	fi
	echo "== timeline references ($("$refgo" env GOVERSION) cmd/trace /jsontrace on 127.0.0.1)"
	# Real, truncated and synthetic traces: the damaged ones (all the
	# truncated traces, most synthetic ones) check the cut back to the
	# last Sync, or that the tool gives up.
	find "$traces" \( -path "$traces/go1.*/*" -o -path "$traces/truncated/*" -o -path "$traces/synthetic/*" \) \
		-name '*.trace' -type f | sort >"$list"
	# Drop timeline references of traces no longer covered (or gone).
	find "$traces" -type f -name '*.trace.timeline.*' | while read -r r; do
		t=${r%.timeline.*}
		grep -Fxq "$t" "$list" || rm -f "$r"
	done
	rm -f "$work/timeline-varies" "$work/timeline-panics"
	export -f timeline_reference timeline_log timeline_status
	export reftool root traces work timeline_views
	# shellcheck disable=SC2016 # "$1" is expanded by the inner bash
	tr '\n' '\0' <"$list" | xargs -0 -n 1 -P "$(nproc)" bash -c 'timeline_reference "$1"' _
	if [ -s "$work/timeline-varies" ]; then
		while read -r r; do
			fail "timeline reference varies between fetches: $r"
		done < <(sort "$work/timeline-varies")
	fi
	if [ -s "$work/timeline-panics" ]; then
		echo "no timeline reference where cmd/trace panics:"
		while read -r r; do
			case $r in
			synthetic/*) echo "   $r" ;;
			*) fail "cmd/trace panics on $r" ;;
			esac
		done < <(sort "$work/timeline-panics")
	fi
	printf 'timeline references: %d traces, %d files, %d bytes\n' "$(wc -l <"$list")" \
		"$(find "$traces" -type f -name '*.trace.timeline.*' | wc -l)" \
		"$(find "$traces" -type f -name '*.trace.timeline.*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
	# Per directory: traces served whole, served cut back (cmd/trace read
	# an error and kept the events up to the last Sync before it), refused.
	for d in 'go1.*' truncated synthetic; do
		find "$traces" -path "$traces/$d/*" -type f -name '*.trace.timeline.proc.status' | sort | while read -r r; do
			if [ "$(head -n 1 "$r")" != exit=0 ]; then
				echo refused
			elif grep -aq '^Encountered error, but able to proceed' "$r"; then
				echo cut
			else
				echo whole
			fi
		done | awk -v d="$d" '{n[$1]++} END {printf "   %-9s served whole %d, served cut back %d, refused %d\n", d, n["whole"], n["cut"], n["refused"]}'
	done
}

# The cut references: what Go prints for a trace cut down to some of its
# generations, for `gotrace cut` and every reading command's --gen,
# --from and --to (tests/compare_cut.py). The cutter is tests/cut_trace.py,
# which walks the batch headers itself; gotrace makes none of this. One
# line per source: the trace (under traces/, without .trace) and its
# cuts, generations A-B as numbered on the wire, inclusive, or A-end:
# from A to the end of the file, damage included (Go's error, after the
# generations before it, is then the reference's). A truncated
# source is written truncated/SRC@I/PARTS: the cut of SRC at size * I /
# PARTS made by the truncation step below. The cuts start at the first
# generation, in the middle and at the last one, in the four v2 formats
# recorded (go 1.22, go 1.23 from Go 1.23 and 1.24, go 1.26 from Go 1.26
# and 1.27), on flight-recorder traces that begin at generation 3 or so,
# and on damaged traces: of their intact generations, and to the end.
cut_sources='
go1.22/generations          2-4 7-7
go1.23/generations          1-2 3-5
go1.24/generations          4-7
go1.26/generations          2-2 5-7
go1.27/generations          1-3 4-4 2-6 6-7
go1.26/flightrecorder       4-5
go1.27/flightrecorder       3-4 5-5
truncated/go1.23/generations@3/4     2-5 4-end
truncated/go1.27/generations@4/5     3-5 3-end
truncated/go1.26/flightrecorder@2/3  4-4 4-end
'

# cut_reference TRACE A B: writes TRACE.cut.A-B.MODE.xz and .status, MODE
# parsed and wire.
cut_reference() {
	local f=$1 a=$2 b=$3 rc mode base cut
	cut=$work/cut.$(basename "$f").$a-$b.trace
	if ! python3 "$root/tests/cut_trace.py" "$f" "$a" "$b" "$cut"; then
		fail "cut ${f#"$traces"/} $a-$b: generations not in the trace (see cut_trace.py --list)"
		return
	fi
	for mode in parsed wire; do
		rc=0
		base=$f.cut.$a-$b.$mode
		timeout 600 "$reftool" -d=$mode "$cut" >"$base.out" 2>"$base.err" || rc=$?
		xz -9 -c <"$base.out" >"$base.xz.tmp"
		{
			echo "exit=$rc"
			cat "$base.err"
		} >"$base.status.tmp"
		mv "$base.xz.tmp" "$base.xz"
		# As for the dumps: keep the old status if only its line order
		# changed.
		if [ -f "$base.status" ] && cmp -s <(sort "$base.status") <(sort "$base.status.tmp"); then
			rm -f "$base.status.tmp"
		else
			mv "$base.status.tmp" "$base.status"
		fi
		rm -f "$base.out" "$base.err"
	done
	rm -f "$cut"
}

cut_step() {
	local src cuts c f name made=$work/cut-references r
	reftool=$work/gotrace-ref
	if [ ! -x "$reftool" ]; then
		echo "== building the reference tool ($("$refgo" env GOVERSION) cmd/trace)"
		(cd "$work" && GOFLAGS='' "$refgo" build -o "$reftool" cmd/trace)
	fi
	echo "== cut references ($("$refgo" env GOVERSION) cmd/trace -d=parsed and -d=wire on tests/cut_trace.py's cuts)"
	: >"$made"
	while read -r src cuts; do
		[ -n "$src" ] || continue
		if [[ $src == truncated/*@*/* ]]; then
			# truncated/SRC@I/PARTS: named as the truncation step names it.
			local whole=${src#truncated/} i parts size
			whole=${whole%@*}
			i=${src##*@}
			parts=${i#*/}
			i=${i%/*}
			if [ ! -f "$traces/$whole.trace" ]; then
				fail "cut source $src: $whole.trace not found"
				continue
			fi
			size=$(stat -c %s "$traces/$whole.trace")
			f=$traces/truncated/${whole/\//_}_$((size * i / parts)).trace
		else
			f=$traces/$src.trace
		fi
		if [ ! -f "$f" ]; then
			fail "cut source $src: ${f#"$traces"/} not found"
			continue
		fi
		for c in $cuts; do
			cut_reference "$f" "${c%-*}" "${c#*-}"
			for r in parsed wire; do
				printf '%s\n' "$f.cut.$c.$r.xz" "$f.cut.$c.$r.status" >>"$made"
			done
			printf '   %-44s %-5s parsed %s, wire %s\n' "${f#"$traces"/}" "$c" \
				"$(head -n 1 "$f.cut.$c.parsed.status" 2>/dev/null)" \
				"$(head -n 1 "$f.cut.$c.wire.status" 2>/dev/null)"
		done
	done <<<"$cut_sources"
	# Drop cut references no longer made.
	find "$traces" -type f -name '*.trace.cut.*' | while read -r r; do
		grep -Fxq "$r" "$made" || rm -f "$r"
	done
	printf 'cut references: %d cuts, %d files, %d bytes\n' "$(($(wc -l <"$made") / 4))" \
		"$(find "$traces" -type f -name '*.trace.cut.*' | wc -l)" \
		"$(find "$traces" -type f -name '*.trace.cut.*' -printf '%s\n' | awk '{s+=$1} END {print s+0}')"
}

# finish: lists the failures, if any, and exits accordingly.
finish() {
	if [ ${#failures[@]} -gt 0 ]; then
		echo
		echo "${#failures[@]} failure(s):"
		printf '   %s\n' "${failures[@]}"
		exit 1
	fi
	exit 0
}

if [ $timeline_only = 1 ]; then
	timeline_step
	finish
fi

if [ $cut_only = 1 ]; then
	cut_step
	finish
fi

if [ $pprof_only = 1 ]; then
	pprof_step
	finish
fi

if [ $analysis_only = 1 ]; then
	analysis_step
	finish
fi

if [ $refs_only = 0 ]; then
	for v in "${versions[@]}"; do
		record_version "$v"
	done
fi

if [ $synthetic = 1 ]; then
	if [ ! -x "$gen_synthetic" ]; then
		fail "--synthetic: $gen_synthetic not built (meson setup build && meson compile -C build)"
	else
		echo "== synthetic traces ($gen_synthetic)"
		rm -f "$traces"/synthetic/*.trace
		"$gen_synthetic" "$traces/synthetic"
	fi
fi

# Truncated copies of a few real traces, cut at evenly spaced offsets: a
# reader must deliver exactly what Go's delivers before the damage. One
# line per source: the trace and the number of equal parts (parts - 1
# cuts, at size * i / parts). The first four have one generation, so
# cmd/trace, which cuts a damaged trace back to its last Sync, keeps no
# events of them. The others have several (generations: 7, in the Go
# 1.26 and 1.23 formats; flightrecorder: 3, generations 3 to 5), and all
# but one of their cuts land in a generation past the first, so the
# generations before the damage are kept; the damage then also shows as
# a stack table cut off or a generation that cannot advance.
truncated_sources='
go1.27/channels          12
go1.26/cgocallback       12
go1.22/syncprims         12
go1.21/churn             12
go1.27/generations        5
go1.23/generations        4
go1.26/flightrecorder     3
'
# Cuts no longer made are deleted (their references go with them, below);
# the references of the others stay, so that a status differing only in
# line order is kept as for every other trace.
mkdir -p "$traces/truncated"
: >"$work/truncated-cuts"
while read -r src parts; do
	[ -n "$src" ] && [ -f "$traces/$src.trace" ] || continue
	size=$(stat -c %s "$traces/$src.trace")
	for ((i = 1; i < parts; i++)); do
		cut=$((size * i / parts))
		head -c "$cut" "$traces/$src.trace" >"$traces/truncated/${src/\//_}_$cut.trace"
		echo "$traces/truncated/${src/\//_}_$cut.trace" >>"$work/truncated-cuts"
	done
done <<<"$truncated_sources"
find "$traces/truncated" -maxdepth 1 -type f -name '*.trace' | while read -r t; do
	grep -Fxq "$t" "$work/truncated-cuts" || rm -f "$t"
done

# The reference tool: Go 1.27's cmd/trace, built once and run directly, so
# that nothing the go command prints about building the tool can end up
# in a reference.
reftool=$work/gotrace-ref
echo "== building the reference tool ($("$refgo" env GOVERSION) cmd/trace)"
(cd "$work" && GOFLAGS='' "$refgo" build -o "$reftool" cmd/trace)

# The reference tool must print exactly what `go tool trace` prints.
first=$(find "$traces" -name '*.trace' -size +0 | sort | sed -n 1p)
if [ -n "$first" ]; then
	"$refgo" tool trace -d=wire "$first" >"$work/check.want" 2>/dev/null || true
	"$reftool" -d=wire "$first" >"$work/check.got" 2>/dev/null || true
	if ! cmp -s "$work/check.want" "$work/check.got"; then
		fail "the reference tool and '$refgo tool trace' disagree on $first"
	fi
fi

# reference FILE MODE: writes FILE.MODE.xz and FILE.MODE.status.
reference() {
	local f=$1 mode=$2 rc=0
	timeout 600 "$reftool" -d="$mode" "$f" >"$f.$mode.out" 2>"$f.$mode.err" || rc=$?
	xz -9 -c <"$f.$mode.out" >"$f.$mode.xz.tmp"
	{
		echo "exit=$rc"
		cat "$f.$mode.err"
	} >"$f.$mode.status.tmp"
	mv "$f.$mode.xz.tmp" "$f.$mode.xz"
	# Go's "failed to advance" errors end with a dump of its state maps in
	# random order. Keep the old status file if only the line order changed,
	# so regenerating does not churn it.
	if [ -f "$f.$mode.status" ] &&
		cmp -s <(sort "$f.$mode.status") <(sort "$f.$mode.status.tmp"); then
		rm -f "$f.$mode.status.tmp"
	else
		mv "$f.$mode.status.tmp" "$f.$mode.status"
	fi
	rm -f "$f.$mode.out" "$f.$mode.err"
}
export -f reference
export reftool

# The frontier sort's reference: Go's slices.SortFunc on arrays with many
# equal keys (tests/test_frontier_sort.c).
echo "== sort reference ($("$refgo" env GOVERSION) slices.SortFunc)"
(cd "$here/sortref" && "$refgo" run .) | xz -9 >"$here/sortref/cases.txt.xz.tmp"
mv "$here/sortref/cases.txt.xz.tmp" "$here/sortref/cases.txt.xz"
# The heaps' reference: Go's container/heap on entries with many equal
# keys (tests/test_heap.c).
echo "== heap reference ($("$refgo" env GOVERSION) container/heap)"
(cd "$here/heapref" && "$refgo" run .) | xz -9 >"$here/heapref/ops.txt.xz.tmp"
mv "$here/heapref/ops.txt.xz.tmp" "$here/heapref/ops.txt.xz"

echo "== references"
# shellcheck disable=SC2016 # "$1" and "$2" are expanded by the inner bash
find "$traces" -name '*.trace' -type f | sort | while read -r f; do
	printf '%s\0wire\0%s\0parsed\0' "$f" "$f"
done | xargs -0 -n 2 -P "$(nproc)" bash -c 'reference "$1" "$2"' _

# Go's v1 converter visits some goroutines in map order; a v1 reference is
# only usable if Go prints the same thing every time.
find "$traces" -path '*/go1.19/*.trace' -o -path '*/go1.21/*.trace' | sort | while read -r f; do
	want=$(xz -dc "$f.parsed.xz" | md5sum)
	for _ in 1 2 3 4; do
		if [ "$("$reftool" -d=parsed "$f" 2>/dev/null | md5sum)" != "$want" ]; then
			echo "FAIL: ${f#"$traces"/}: Go's -d=parsed output varies between runs" >&2
			break
		fi
	done
done

# Drop references whose trace is gone.
find "$traces" -type f \( -name '*.trace.wire.*' -o -name '*.trace.parsed.*' \) | while read -r r; do
	t=${r%.*}
	t=${t%.*}
	[ -f "$t" ] || rm -f "$r"
done

analysis_step
pprof_step
timeline_step
cut_step

# Summary.
nonzero() { # DIR...: status files whose first line is not exit=0
	find "$@" -name '*.status' -type f | sort | while read -r s; do
		[ "$(head -n 1 "$s")" = exit=0 ] || echo "$s"
	done
}
echo
echo "== summary"
printf '%-12s %6s %10s %10s %10s %8s\n' dir traces "trace KB" "refs KB" "max KB" "exit!=0"
for d in "$traces"/*/; do
	d=${d%/}
	n=$(find "$d" -maxdepth 1 -name '*.trace' | wc -l)
	[ "$n" -gt 0 ] || continue
	tb=$(find "$d" -maxdepth 1 -name '*.trace' -printf '%s\n' | awk '{s+=$1} END {print s/1024}')
	rb=$(find "$d" -maxdepth 1 \( -name '*.xz' -o -name '*.status' \) -printf '%s\n' | awk '{s+=$1} END {print s/1024}')
	mx=$(find "$d" -maxdepth 1 -name '*.trace' -printf '%s\n' | awk '$1>m {m=$1} END {print m/1024}')
	bad=$(nonzero "$d" | wc -l)
	printf '%-12s %6d %10.1f %10.1f %10.1f %8d\n' "$(basename "$d")" "$n" "$tb" "$rb" "$mx" "$bad"
done
echo "largest traces:"
find "$traces" -name '*.trace' -printf '%s\t%P\n' | sort -n | tail -n 5 | sed 's/^/   /'
mapfile -t gdirs < <(find "$traces" -mindepth 1 -maxdepth 1 -type d -name 'go*' | sort)
bad=
[ ${#gdirs[@]} -eq 0 ] || bad=$(nonzero "${gdirs[@]}")
# Known rejections: Go 1.27's -d=wire reads a Go 1.23-format trace (what Go
# 1.23 and 1.24 write) with the Go 1.23 event table, which stops before the
# experimental events, so it stops at the first alloc/free event ("invalid
# event type: 1xx"); -d=parsed reads the same traces fine. -d=wire has no
# v1 event table at all, and Go's v1 parser rejects our cgo callback
# traces ("no consistent ordering of events possible"; so do the analysis
# references, which read them with the same parser).
known='^go1\.2[34]/allocfree\.trace\.wire\.status$|^go1\.(19|21)/.*\.trace\.wire\.status$|^go1\.(19|21)/cgocallback\.trace\.(parsed|analysis\.[a-z-]+|pprof\.[a-z]+)\.status$|^go1\.(19|21)/cgocallback\.trace\.timeline\.[a-z]+\.status$|^truncated/'
if [ -n "$bad" ]; then
	echo "references of real traces that did not exit 0:"
	while read -r s; do
		rel=${s#"$traces"/}
		if [[ $rel =~ $known ]]; then
			echo "   $rel (known): $(sed -n 2p "$s")"
		else
			echo "   $rel: $(sed -n 2p "$s")"
			fail "reference rejects $rel: $(sed -n 2p "$s")"
		fi
	done <<<"$bad"
fi
echo "testdata total: $(du -sh "$here" | cut -f1) ($(du -sb "$here" | cut -f1) bytes)"
finish
