// Command gc traces garbage-collector activity: several goroutines
// allocating short- and long-lived objects under GOGC=50 (so
// collections start on their own and allocating goroutines do mark
// assists), explicit runtime.GC calls, a finalizer, and
// debug.FreeOSMemory (which also scavenges).
//
// usage: gc OUTPUT.trace [SCALE]
//
// SCALE (default 100) is the percentage of the allocation work to do; the
// regeneration script runs a small scale under GODEBUG=traceallocfree=1,
// where every allocation and free becomes a trace event.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/trace"
	"strconv"
	"sync"
)

type node struct {
	next *node
	val  [6]int64
	name string
}

// What each allocating goroutine keeps alive, one slot per goroutine so
// they do not contend on a lock.
//
// Note: when the background sweeper is left alone on a P while another
// goroutine is sweeping, newer runtimes (seen with Go 1.26 and 1.27) make
// it yield in a tight loop, and every yield is a GoStop/GoStart pair in
// the trace; now and then a run of this program gives a trace several
// times larger than usual. regen.sh records such traces again.
type kept struct {
	nodes []*node  // long-lived objects
	blobs [][]byte // large-ish objects, replaced over time
}

var keep [3]kept

func churnAllocs(g, n int) {
	var list *node
	for i := 0; i < n; i++ {
		nd := &node{next: list, name: "n"}
		nd.val[0] = int64(i)
		list = nd
		if i%64 == 63 {
			list = nil // drop the chain: garbage
		}
		if i%200 == 0 {
			k := &keep[g]
			k.nodes = append(k.nodes, nd)
			k.blobs = append(k.blobs, make([]byte, 8<<10+g*512))
			if len(k.blobs) > 6 {
				k.blobs = k.blobs[len(k.blobs)-3:]
			}
		}
		if i%100 == 0 {
			_ = make([]int32, 300+i%700) // short-lived slice
		}
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gc OUTPUT.trace [SCALE]")
		os.Exit(2)
	}
	scale := 100
	if len(os.Args) > 2 {
		var err error
		if scale, err = strconv.Atoi(os.Args[2]); err != nil || scale < 1 {
			fmt.Fprintln(os.Stderr, "gc: bad SCALE")
			os.Exit(2)
		}
	}
	runtime.GOMAXPROCS(2)
	debug.SetGCPercent(50)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	for g := range keep {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			churnAllocs(g, 150*scale)
		}(g)
	}
	wg.Wait()

	// runtime.GC waits for sweeping on other Ps to finish in a Gosched
	// loop, which can add tens of thousands of events (more so with
	// traceallocfree, where sweeping is slow). With one P there are none
	// in progress. The change of GOMAXPROCS is itself a stop-the-world.
	runtime.GOMAXPROCS(1)
	obj := &node{name: "finalized"}
	runtime.SetFinalizer(obj, func(*node) {})
	obj = nil
	runtime.GC()

	for g := range keep {
		keep[g].nodes = keep[g].nodes[:len(keep[g].nodes)/2]
		keep[g].blobs = nil
	}
	runtime.GC()
	debug.FreeOSMemory()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
