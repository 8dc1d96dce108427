// Command annotations traces user annotations: tasks (nested, ended in
// another goroutine, begun before tracing started, never ended), regions
// (WithRegion, StartRegion/End, nested, begun before tracing started, in
// several goroutines) and logs (with and without a task, Logf, empty
// category, multi-line messages).
//
// usage: annotations OUTPUT.trace
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func work(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	return s
}

func handle(ctx context.Context, id int, wg *sync.WaitGroup) {
	defer wg.Done()
	ctx, task := trace.NewTask(ctx, "request")
	defer task.End()
	trace.Logf(ctx, "id", "%d", id)
	trace.WithRegion(ctx, "decode", func() {
		work(2000)
	})
	r := trace.StartRegion(ctx, "process")
	sub, subTask := trace.NewTask(ctx, "subrequest")
	trace.WithRegion(sub, "lookup", func() {
		trace.WithRegion(sub, "cache", func() { work(500) })
		time.Sleep(50 * time.Microsecond)
	})
	subTask.End()
	r.End()
	if id%2 == 0 {
		trace.Log(ctx, "result", "even")
	} else {
		trace.Log(ctx, "", "odd, no category")
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: annotations OUTPUT.trace")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)

	// Annotations that begin before tracing starts and end during it.
	bg := context.Background()
	early, earlyTask := trace.NewTask(bg, "started before trace")
	earlyRegion := trace.StartRegion(early, "region before trace")

	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	trace.Log(bg, "phase", "begin")
	root, rootTask := trace.NewTask(bg, "batch")
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go handle(root, i, &wg)
	}
	wg.Wait()

	// A task created here and ended by another goroutine.
	handoff, handoffTask := trace.NewTask(root, "handoff")
	trace.Log(handoff, "owner", "main")
	done := make(chan struct{})
	go func() {
		trace.WithRegion(handoff, "finish elsewhere", func() { work(1000) })
		trace.Log(handoff, "owner", "worker")
		handoffTask.End()
		close(done)
	}()
	<-done

	// Deeply nested regions and tasks.
	ctx := root
	var tasks []*trace.Task
	var regions []*trace.Region
	for d := 0; d < 4; d++ {
		var t *trace.Task
		ctx, t = trace.NewTask(ctx, fmt.Sprintf("level%d", d))
		tasks = append(tasks, t)
		regions = append(regions, trace.StartRegion(ctx, fmt.Sprintf("region%d", d)))
	}
	trace.Log(ctx, "deep", "line one\nline two")
	for d := len(tasks) - 1; d >= 0; d-- {
		regions[d].End()
		tasks[d].End()
	}

	earlyRegion.End()
	earlyTask.End()
	rootTask.End()
	_, _ = trace.NewTask(bg, "never ended")
	trace.Log(bg, "phase", "end")

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
