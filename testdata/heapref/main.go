// Command heapref writes the reference for gotrace's heaps (src/base/heap.h):
// sequences of operations on a min-heap of (time, id) entries kept by Go's
// container/heap, comparing times only, with the id each pop returns and
// the ids' order in the array after each sequence. Times are drawn from
// small ranges, so most entries tie with others: which of two equal
// entries surfaces first is what the C heaps must agree with Go on.
// testdata/regen.sh runs it with Go 1.27 and stores the output,
// xz-compressed, as ops.txt.xz; tests/test_heap.c replays it.
//
// Lines: "P t" pushes an entry of time t (ids count from 0 in each
// sequence); "O id" pops, and Go's pop returned id; "F i t" sets the time
// of the entry at index i to t and restores the heap with heap.Fix;
// "= id..." ends a sequence with the array's ids in index order.
package main

import (
	"bufio"
	"container/heap"
	"fmt"
	"math/rand"
	"os"
)

type entry struct {
	time int64
	id   int
}

type entries []entry

func (h entries) Len() int           { return len(h) }
func (h entries) Less(i, j int) bool { return h[i].time < h[j].time }
func (h entries) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *entries) Push(x any)        { *h = append(*h, x.(entry)) }
func (h *entries) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	r := rand.New(rand.NewSource(1))
	for _, span := range []int64{1, 2, 3, 5, 17, 1000, 1 << 40} {
		for _, size := range []int{1, 2, 3, 7, 31, 200, 1000} {
			reps := 3
			if size >= 200 {
				reps = 1
			}
			for rep := 0; rep < reps; rep++ {
				sequence(w, r, span, size)
			}
		}
	}
}

// sequence grows a heap to about size entries, then mixes pushes, pops
// and changed times, then drains part of it.
func sequence(w *bufio.Writer, r *rand.Rand, span int64, size int) {
	var h entries
	next := 0
	push := func() {
		t := r.Int63n(span)
		heap.Push(&h, entry{t, next})
		next++
		fmt.Fprintf(w, "P %d\n", t)
	}
	pop := func() {
		e := heap.Pop(&h).(entry)
		fmt.Fprintf(w, "O %d\n", e.id)
	}
	for len(h) < size {
		push()
	}
	for k := 0; k < 3*size; k++ {
		switch x := r.Intn(10); {
		case x < 3:
			push()
		case x < 6 && len(h) > 0:
			pop()
		case len(h) > 0:
			i := r.Intn(len(h))
			t := r.Int63n(span)
			h[i].time = t
			heap.Fix(&h, i)
			fmt.Fprintf(w, "F %d %d\n", i, t)
		}
	}
	for k := 0; k < size/2 && len(h) > 0; k++ {
		pop()
	}
	fmt.Fprint(w, "=")
	for _, e := range h {
		fmt.Fprintf(w, " %d", e.id)
	}
	fmt.Fprintln(w)
}
