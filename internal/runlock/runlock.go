// Package runlock keeps two processes from working in one run directory at
// once (two `ghl train --out X`, a `--resume X` beside the run it resumes,
// two `ghl run` on one experiment directory).
//
// The lock is an advisory lock (flock(2) on Unix) on the file .lock in the
// directory, which also holds the holder's PID for the error message. The
// kernel drops the lock when the holding process dies, however it dies, so
// SIGKILL leaves no stale lock to delete by hand; the file itself stays
// and is harmless. A process holds its locks until it exits (Hold is
// re-entrant within a process). Elsewhere than Unix the lock is not
// enforced: Hold records the PID and always succeeds.
package runlock

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// File is the lock file's name inside a locked directory.
const File = ".lock"

// HeldError reports a directory locked by another process.
type HeldError struct {
	Dir string
	PID int // the holder's process id (0 if it has not written it yet)
}

func (e *HeldError) Error() string {
	holder := "another process"
	if e.PID > 0 {
		holder = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("run directory %s is in use by %s (which holds the lock on %s): wait for it to finish or stop it, or choose another directory",
		e.Dir, holder, filepath.Join(e.Dir, File))
}

var (
	mu   sync.Mutex
	held = map[string]*os.File{} // absolute directory → its open, locked lock file
)

func key(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return filepath.Clean(dir)
}

// Hold locks the existing directory dir for the rest of this process's life
// and writes this process's PID into its lock file. Holding a directory this
// process already holds succeeds. A directory another live process holds
// gives a *HeldError naming that process.
func Hold(dir string) error {
	mu.Lock()
	defer mu.Unlock()
	k := key(dir)
	if _, ok := held[k]; ok {
		return nil
	}
	f, holder, err := tryLock(filepath.Join(dir, File))
	if err == errHeld {
		return &HeldError{Dir: dir, PID: holder}
	}
	if err != nil {
		return fmt.Errorf("locking run directory %s: %w", dir, err)
	}
	held[k] = f
	return nil
}

// Drop releases this process's lock on dir and removes the lock file, for a
// run that created dir, failed before writing anything and removes dir
// again. It does nothing for a directory this process does not hold.
func Drop(dir string) {
	mu.Lock()
	defer mu.Unlock()
	k := key(dir)
	f, ok := held[k]
	if !ok {
		return
	}
	delete(held, k)
	os.Remove(filepath.Join(dir, File))
	f.Close()
}

// writePID records pid as the lock file's whole content.
func writePID(f *os.File, pid int) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(pid)+"\n"), 0)
	return err
}

// readPID is the PID recorded in a lock file (0 if none).
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}
