// Command sortref writes the reference for gotrace's frontier sort: arrays
// of (time, id) entries, many with equal times, and the order Go's
// slices.SortFunc leaves them in when comparing times only — the sort Go's
// trace reader applies to its frontier. testdata/regen.sh runs it with Go
// 1.27 and stores the output, xz-compressed, as cases.txt.xz; the C test
// tests/test_frontier_sort.c sorts the same arrays and compares.
//
// Each line is one case: "n t0 t1 ... t(n-1) : id0 id1 ... id(n-1)", the
// times in input order (entry i has id i), then the ids in sorted order.
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"math/rand"
	"os"
	"slices"
)

type entry struct {
	time int64
	id   int
}

// shapes makes the inputs: random keys over ranges from 2 values to many,
// runs already sorted or reversed (with and without ties), organ pipes,
// saw teeth, all equal, nearly sorted — so that every path of the sort
// (small ranges, pivot choice, sortedness hints, pattern breaking, the
// partial insertion sort, the heap sort fallback) is taken; the last is
// an adversary's input (killer).
func shapes(r *rand.Rand, n int) [][]int64 {
	var out [][]int64
	gen := func(f func(i int) int64) {
		k := make([]int64, n)
		for i := range k {
			k[i] = f(i)
		}
		out = append(out, k)
	}
	for _, span := range []int64{2, 3, 5, 16, 1 << 40} {
		gen(func(int) int64 { return r.Int63n(span) })
	}
	gen(func(i int) int64 { return int64(i / 3) })
	gen(func(i int) int64 { return int64(n - i) })
	gen(func(i int) int64 { return int64((n - i) / 4) })
	// Decreasing where the pivot is sampled, tied in pairs before: the
	// sort sees a reversed range and reverses it, ties and all.
	gen(func(i int) int64 {
		if i < n/4-2 {
			return int64(n - i + i%2)
		}
		return int64(n - i)
	})
	gen(func(i int) int64 { return int64(min(i, n-i)) })
	gen(func(i int) int64 { return int64(i % 7) })
	gen(func(int) int64 { return 5 })
	gen(func(i int) int64 { return 1000 - int64(i%11)*int64(i%5) })
	nearly := make([]int64, n)
	for i := range nearly {
		nearly[i] = int64(i / 2)
	}
	for s := 0; s < 3; s++ {
		a, b := r.Intn(n), r.Intn(n)
		nearly[a], nearly[b] = nearly[b], nearly[a]
	}
	out = append(out, nearly)
	return append(out, killer(n, 1), killer(n, 2), killer(n, 3))
}

// killer is McIlroy's adversary ("A Killer Adversary for Quicksort",
// 1999) against this very sort: keys are decided only when the sort
// compares them, always so as to make its pivots as bad as possible. The
// keys it settles on then drive the sort down the same path, to its heap
// sort fallback on large enough arrays. With tie > 1, every tie keys in a
// row get the same value, so that ties reach the heap sort too.
func killer(n int, tie int64) []int64 {
	gas := int64(n)
	val := make([]int64, n)
	for i := range val {
		val[i] = gas
	}
	solid, candidate := int64(0), 0
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(x, y int) int {
		if val[x] == gas && val[y] == gas {
			if x == candidate {
				val[x] = solid / tie
			} else {
				val[y] = solid / tie
			}
			solid++
		}
		if val[x] == gas {
			candidate = x
		} else if val[y] == gas {
			candidate = y
		}
		return cmp.Compare(val[x], val[y])
	})
	return val
}

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	r := rand.New(rand.NewSource(1))
	sizes := []int{13, 14, 17, 20, 25, 31, 49, 50, 51, 64, 77, 100, 128, 200, 333, 512, 1000, 2049}
	for _, n := range sizes {
		for _, keys := range shapes(r, n) {
			es := make([]entry, n)
			for i, k := range keys {
				es[i] = entry{k, i}
			}
			slices.SortFunc(es, func(a, b entry) int { return cmp.Compare(a.time, b.time) })
			fmt.Fprint(w, n)
			for _, k := range keys {
				fmt.Fprint(w, " ", k)
			}
			fmt.Fprint(w, " :")
			for _, e := range es {
				fmt.Fprint(w, " ", e.id)
			}
			fmt.Fprintln(w)
		}
	}
}
