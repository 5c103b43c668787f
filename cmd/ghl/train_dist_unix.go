//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts c in a process group of its own, so that a
// terminal's Ctrl-C reaches only the launcher, which forwards it once.
func ownProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}
