//go:build unix

package runlock

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecondDescriptionIsRefused: two lock attempts on one directory
// through separate open file descriptions — what two processes do — and
// the second fails naming the holder's PID; Hold is re-entrant within a
// process, and Drop frees the directory.
func TestSecondDescriptionIsRefused(t *testing.T) {
	dir := t.TempDir()
	if err := Hold(dir); err != nil {
		t.Fatal(err)
	}
	if err := Hold(dir); err != nil {
		t.Fatalf("second Hold in the same process: %v", err)
	}
	f, pid, err := tryLock(filepath.Join(dir, File))
	if err != errHeld || f != nil || pid != os.Getpid() {
		t.Fatalf("second open file description: %v, pid %d, want errHeld and %d", err, pid, os.Getpid())
	}
	msg := (&HeldError{Dir: dir, PID: pid}).Error()
	if !strings.Contains(msg, dir) || !strings.Contains(msg, fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("message %q names neither the directory nor the PID", msg)
	}
	Drop(dir)
	f, _, err = tryLock(filepath.Join(dir, File))
	if err != nil {
		t.Fatalf("after Drop: %v", err)
	}
	f.Close()
}

// TestHelperHoldLock is not a test: TestKilledHolderFreesLock runs the test
// binary with RUNLOCK_HELPER_DIR set to make a process that holds a lock.
func TestHelperHoldLock(t *testing.T) {
	dir := os.Getenv("RUNLOCK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	if err := Hold(dir); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	os.Exit(0)
}

// TestKilledHolderFreesLock: a child process holds the lock (Hold then
// refuses this process, naming the child's PID); after SIGKILL the kernel
// has released it and Hold succeeds — no stale lock.
func TestKilledHolderFreesLock(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldLock$")
	cmd.Env = append(os.Environ(), "RUNLOCK_HELPER_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper: %q, %v", line, err)
	}
	err = Hold(dir)
	var held *HeldError
	if !errors.As(err, &held) || held.PID != cmd.Process.Pid {
		t.Fatalf("lock held by child %d: got %v", cmd.Process.Pid, err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if err := Hold(dir); err != nil {
		t.Fatalf("after the holder was killed: %v", err)
	}
	Drop(dir)
}
