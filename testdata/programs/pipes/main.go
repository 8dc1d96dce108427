// Command pipes traces syscalls and blocking I/O: os.Pipe read through
// the network poller, a pipe switched to blocking mode (File.Fd) so reads
// block in the kernel, raw syscall.Pipe reads, and file writes, fsync and
// reads on a temporary file.
//
// usage: pipes OUTPUT.trace
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"syscall"
	"time"
)

// polledPipe: the reader parks in the netpoller between writes.
func polledPipe() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	go func() {
		buf := make([]byte, 64)
		for i := 0; i < 30; i++ {
			w.Write(buf[:8+i])
			if i%3 == 0 {
				time.Sleep(50 * time.Microsecond)
			}
		}
		w.Close()
	}()
	io.Copy(io.Discard, r)
	r.Close()
}

// blockingPipe: Fd() puts the descriptors into blocking mode, so reads are
// real blocking syscalls (the P is handed off while the reader waits).
func blockingPipe() {
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	r.Fd()
	w.Fd()
	done := make(chan int)
	go func() {
		n := 0
		buf := make([]byte, 32)
		for {
			k, err := r.Read(buf)
			n += k
			if err != nil {
				break
			}
		}
		done <- n
	}()
	for i := 0; i < 10; i++ {
		time.Sleep(200 * time.Microsecond)
		w.Write([]byte("blocking"))
	}
	w.Close()
	<-done
	r.Close()
}

// rawPipe uses syscall.Read directly on a blocking pipe.
func rawPipe() {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go func() {
		buf := make([]byte, 16)
		for {
			n, err := syscall.Read(fds[0], buf)
			if n <= 0 || err != nil {
				break
			}
		}
		close(done)
	}()
	// The first wait is long enough (over sysmon's 10ms) for the reader's
	// P to be retaken while it sits in read(2): its syscall then ends
	// "blocked" and it has to acquire a P again.
	for i := 0; i < 4; i++ {
		if i == 0 {
			time.Sleep(15 * time.Millisecond)
		} else {
			time.Sleep(300 * time.Microsecond)
		}
		syscall.Write(fds[1], []byte("raw"))
	}
	syscall.Close(fds[1])
	<-done
	syscall.Close(fds[0])
}

func files() {
	f, err := os.CreateTemp("", "gotrace-pipes-*")
	if err != nil {
		panic(err)
	}
	defer os.Remove(f.Name())
	block := make([]byte, 4096)
	for i := 0; i < 8; i++ {
		if _, err := f.Write(block); err != nil {
			panic(err)
		}
	}
	f.Sync()
	f.Seek(0, io.SeekStart)
	for {
		if _, err := f.Read(block); err != nil {
			break
		}
	}
	f.Close()
	os.Stat(f.Name())
	os.ReadDir(os.TempDir())
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pipes OUTPUT.trace")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(2)
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	polledPipe()
	blockingPipe()
	rawPipe()
	files()
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
