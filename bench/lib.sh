# Shared by the bench scripts (sourced, not run): where things go, and the
# builds each of them starts with. Expects $root (the repository) set.
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off
work=${BENCH_WORK:-$root/build-bench}
goroot=/usr/lib/go-1.27
go=$goroot/bin/go
mkdir -p "$work"

# build_gotrace: a release build of gotrace in $work/build; sets $gotrace.
build_gotrace() {
	echo "== building libgotrace (release)" >&2
	meson setup "$work/build" "$root" -Dbuildtype=release -Dtests=false >/dev/null 2>&1 ||
		meson setup --reconfigure "$work/build" "$root" -Dbuildtype=release -Dtests=false >/dev/null
	ninja -C "$work/build" >/dev/null
	gotrace=$work/build/tools/gotrace
}

# build_goparser: Go's parser from a copy of Go 1.27's internal/trace made
# here (nothing of Go's is committed), as $work/goparser.bin.
build_goparser() {
	echo "== building Go's parser (Go 1.27 internal/trace, copied)" >&2
	local gp=$work/goparser
	rm -rf "$gp"
	mkdir -p "$gp"
	cp "$root/bench/goparser/main.go" "$gp/"
	cp "$root/bench/goparser/go.mod.in" "$gp/go.mod"
	cp -r "$goroot/src/internal/trace" "$gp/trace"
	rm -rf "$gp/trace/testdata" "$gp/trace/testtrace" "$gp/trace/traceviewer" \
		"$gp/trace/raw" "$gp/trace/internal/testgen" "$gp/trace/internal/tracev1/testdata"
	find "$gp/trace" -name '*_test.go' -delete
	find "$gp/trace" -name '*.go' -exec sed -i 's#"internal/trace#"goparser/trace#' {} +
	(cd "$gp" && "$go" build -o "$work/goparser.bin" .)
}
