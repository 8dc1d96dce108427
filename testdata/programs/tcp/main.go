// Command tcp traces network I/O over loopback (127.0.0.1 only): an echo
// server with one goroutine per connection, several clients exchanging
// messages, a read that times out on a deadline, and a refused dial.
// Everything is bounded and closes itself.
//
// usage: tcp OUTPUT.trace
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

func serve(ln net.Listener, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		c, err := ln.Accept()
		if err != nil {
			return // listener closed
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if line == "quiet\n" {
					continue // no reply: the client's read will time out
				}
				if _, err := io.WriteString(c, line); err != nil {
					return
				}
			}
		}()
	}
}

func client(addr string, id, msgs int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	r := bufio.NewReader(c)
	for i := 0; i < msgs; i++ {
		fmt.Fprintf(c, "client %d message %d\n", id, i)
		if _, err := r.ReadString('\n'); err != nil {
			panic(err)
		}
	}
}

func timeout(addr string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	io.WriteString(c, "quiet\n")
	c.SetReadDeadline(time.Now().Add(2 * time.Millisecond))
	buf := make([]byte, 8)
	_, err = c.Read(buf)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		panic(fmt.Sprintf("expected a timeout, got %v", err))
	}
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: tcp OUTPUT.trace")
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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	var srv sync.WaitGroup
	srv.Add(1)
	go serve(ln, &srv)

	var clients sync.WaitGroup
	for id := 0; id < 3; id++ {
		clients.Add(1)
		go func(id int) {
			defer clients.Done()
			client(ln.Addr().String(), id, 15)
		}(id)
	}
	clients.Wait()
	timeout(ln.Addr().String())

	// A dial to a port nobody listens on (the closed listener's) is refused.
	addr := ln.Addr().String()
	ln.Close()
	srv.Wait()
	if c, err := net.DialTimeout("tcp", addr, 50*time.Millisecond); err == nil {
		c.Close()
	}

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
