package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"ghlsim/internal/buildinfo"
	"ghlsim/internal/runfiles"
)

// writeBenchResult writes a bench mode's report as NAME.json into out
// (default runs/PREFIX-TIME), beside a config.json recording the command,
// time, device, Go version and git revision, and prints the file's path.
func writeBenchResult(out, prefix, name string, args []string, device string, rep any) error {
	if out == "" {
		out = filepath.Join("runs", prefix+"-"+time.Now().Format("20060102-150405"))
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	info := runfiles.RunInfo{Tool: "ghlsim", Command: "ghl bench " + strings.Join(args, " "), Created: time.Now().UTC().Format(time.RFC3339),
		Backend: "cpu", Device: device, GoVersion: runtime.Version(), GitRevision: buildinfo.Revision(), Label: prefix}
	if err := runfiles.WriteJSONAtomic(filepath.Join(out, runfiles.ConfigFile), info); err != nil {
		return err
	}
	path := filepath.Join(out, name+".json")
	if err := runfiles.WriteJSONAtomic(path, rep); err != nil {
		return err
	}
	fmt.Printf("results: %s\n", path)
	return nil
}
