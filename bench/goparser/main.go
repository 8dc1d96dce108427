// Command goparser reads a Go execution trace with Go's own parser and
// reports how many events it read: the reference side of the benchmark.
//
// It is built by bench/run.sh against a copy of Go 1.27's
// src/internal/trace made at benchmark time (the copy is not part of this
// repository), with its import paths rewritten to goparser/trace.
//
//	goparser count FILE   read every event (what `gotrace stats` times)
//	goparser dump FILE    also format every event, like -d=parsed, to stdout
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"goparser/trace"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: goparser count|dump FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[2])
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
	dump := os.Args[1] == "dump"
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
	}
	if !dump {
		fmt.Fprintf(out, "events: %d\n", n)
	}
}
