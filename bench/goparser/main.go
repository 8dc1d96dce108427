// Command goparser reads a Go execution trace with Go's own parser and
// reports how many events it read: the reference side of the benchmark.
//
// It is built by bench/run.sh against a copy of Go 1.27's
// src/internal/trace made at benchmark time (the copy is not part of this
// repository), with its import paths rewritten to goparser/trace.
//
//	goparser count FILE   read every event (what `gotrace stats` times)
//	goparser dump FILE    also format every event, like -d=parsed, to stdout
//	goparser sync N FILE  read up to the N-th Sync (the start of the N-th
//	                      generation) and print its first event: what Go's
//	                      parser must do to get there (bench/random_access.sh)
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"goparser/trace"
)

func main() {
	args := os.Args[1:]
	syncs := 0
	if len(args) == 3 && args[0] == "sync" {
		if _, err := fmt.Sscan(args[1], &syncs); err != nil || syncs < 1 {
			fmt.Fprintln(os.Stderr, "goparser sync: N must be a positive number")
			os.Exit(2)
		}
		args = []string{"sync", args[2]}
	}
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: goparser count|dump FILE | goparser sync N FILE")
		os.Exit(2)
	}
	f, err := os.Open(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	r, err := trace.NewReader(f)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	dump := args[0] == "dump"
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	defer out.Flush()
	n := 0
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if dump {
			fmt.Fprintln(out, ev.String())
		}
		n++
		if syncs > 0 && ev.Kind() == trace.EventSync {
			if syncs--; syncs == 0 {
				fmt.Fprintln(out, ev.String())
				return
			}
		}
	}
	if syncs > 0 {
		fmt.Fprintln(os.Stderr, "goparser sync: the trace has fewer Syncs")
		os.Exit(1)
	}
	if !dump {
		fmt.Fprintf(out, "events: %d\n", n)
	}
}
