//go:build unix

package runlock

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

var errHeld = errors.New("held by another open file description")

// tryLock opens path (creating it) as a new open file description and takes
// an exclusive, non-blocking flock on it. A lock held through any other
// open file description — another process's, or another open of the same
// file in this one — gives errHeld and the PID recorded in the file.
func tryLock(path string) (f *os.File, holder int, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, 0, err
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, readPID(path), errHeld
		}
		return nil, 0, err
	}
	if err := writePID(f, os.Getpid()); err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, 0, nil
}
