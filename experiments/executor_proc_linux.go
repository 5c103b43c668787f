//go:build linux

package experiments

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
)

// workerProcAttr puts a local worker in its own process group (a terminal's
// Ctrl-C reaches only the parent, which stops each worker exactly once) and
// kills it when the parent dies, so no orphan keeps writing into a cell a
// rerun may start again. Pdeathsig is tied to the spawning OS thread, which
// startWorker keeps locked while the worker runs.
func workerProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// lockThreadForWorker pins the calling goroutine to its OS thread for the
// lifetime of a worker started with Pdeathsig; call the returned function
// after the worker has exited.
func lockThreadForWorker() (unlock func()) {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}

// stopWorker asks a worker to checkpoint and exit (SIGTERM).
func stopWorker(p *os.Process) { p.Signal(syscall.SIGTERM) }

// processAlive reports whether pid is a live process on this machine running
// exe (when /proc tells, so that a recycled pid does not count).
func processAlive(pid int, exe string) bool {
	if pid <= 0 {
		return false
	}
	if err := syscall.Kill(pid, 0); err != nil && err != syscall.EPERM {
		return false
	}
	proc := "/proc/" + strconv.Itoa(pid)
	if stat, err := os.ReadFile(proc + "/stat"); err == nil {
		// The state follows the parenthesised command name: Z(ombie) and
		// X (dead) are processes that have ended but not been reaped.
		if i := strings.LastIndexByte(string(stat), ')'); i >= 0 && i+2 < len(stat) && (stat[i+2] == 'Z' || stat[i+2] == 'X') {
			return false
		}
	}
	if exe == "" {
		return true
	}
	got, err := os.Readlink(proc + "/exe")
	if err != nil {
		return true // cannot tell: assume it is ours
	}
	return got == exe || got == exe+" (deleted)"
}
