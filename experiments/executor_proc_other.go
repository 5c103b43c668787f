//go:build !linux

package experiments

import (
	"os"
	"syscall"
)

// workerProcAttr: no process-group or parent-death handling off Linux.
func workerProcAttr() *syscall.SysProcAttr { return nil }

// lockThreadForWorker is a no-op off Linux.
func lockThreadForWorker() (unlock func()) { return func() {} }

// stopWorker asks a worker to checkpoint and exit where signals exist, and
// kills it elsewhere.
func stopWorker(p *os.Process) {
	if p.Signal(os.Interrupt) != nil {
		p.Kill()
	}
}

// processAlive reports whether pid is a live process on this machine.
func processAlive(pid int, exe string) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return p.Signal(syscall.Signal(0)) == nil
}
