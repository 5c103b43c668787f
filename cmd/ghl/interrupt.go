package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// onInterrupt returns a channel closed at the first SIGINT/SIGTERM (after
// printing msg), so long work can finish its step and checkpoint; a second
// signal exits at once with status 130. The returned release stops the
// signal handling.
func onInterrupt(msg string) (stop <-chan struct{}, release func()) {
	c := make(chan struct{})
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-sig; !ok {
			return
		}
		fmt.Fprintln(os.Stderr, "\nghl: interrupt: "+msg)
		close(c)
		if _, ok := <-sig; ok {
			os.Exit(130)
		}
	}()
	return c, func() { signal.Stop(sig) }
}
