package buildinfo

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

var (
	once sync.Once
	rev  string
)

// Revision is the commit hash of the ghlsim source, with "+dirty" when the
// tree had uncommitted changes, or "unknown". It reads the VCS stamp of the
// build and falls back to asking git about the source directory this binary
// was compiled from (builds with -buildvcs=false, go run, go test).
func Revision() string {
	once.Do(func() { rev = find() })
	return rev
}

func find() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		var r, mod string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				r = s.Value
			case "vcs.modified":
				mod = s.Value
			}
		}
		if r != "" {
			if mod == "true" {
				r += "+dirty"
			}
			return r
		}
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "unknown"
	}
	dir := filepath.Dir(file)
	out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	r := strings.TrimSpace(string(out))
	st, err := exec.Command("git", "-C", dir, "status", "--porcelain", "--untracked-files=no").Output()
	if err == nil && len(strings.TrimSpace(string(st))) > 0 {
		r += "+dirty"
	}
	return r
}
