//go:build !unix

package runlock

import (
	"errors"
	"os"
)

var errHeld = errors.New("held by another process")

// tryLock records this process's PID in path and succeeds: without flock
// the lock is advisory only in name here (see the package documentation).
func tryLock(path string) (f *os.File, holder int, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, err
	}
	if err := writePID(f, os.Getpid()); err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, 0, nil
}
