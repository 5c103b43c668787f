package experiments

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"ghlsim/internal/buildinfo"
	"ghlsim/internal/runfiles"
	"ghlsim/internal/runlock"
)

// prepareRunDir creates dir, locks it for this process's lifetime, and
// checks that it may be reused: a directory another process has locked, or
// holding another run's config.json, is refused unless (for the latter)
// resume is set and the configs agree, so results are never mixed or
// overwritten.
func prepareRunDir(dir string, cfg TrainConfig, resume bool) (resuming bool, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, fmt.Errorf("output directory %s: %w (choose a writable --out)", dir, err)
	}
	probe, err := os.CreateTemp(dir, ".writable*")
	if err != nil {
		return false, fmt.Errorf("output directory %s is not writable: %w (choose another --out)", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())
	// One process per run directory: a second train, or a --resume beside
	// the run it resumes, stops here naming the holder (internal/runlock).
	if err := runlock.Hold(dir); err != nil {
		return false, err
	}
	cfgPath := filepath.Join(dir, runfiles.ConfigFile)
	old, err := runfiles.ReadJSON[runfiles.RunInfo](cfgPath)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w (the directory holds a damaged run record: choose another --out)", err)
	}
	var prev TrainConfig
	if err := json.Unmarshal(old.Config, &prev); err != nil {
		return false, fmt.Errorf("%s: unreadable config: %w", cfgPath, err)
	}
	legacyDropLast(old.Config, &prev)
	if resume {
		removeStaleTemps(dir)
	}
	if !resume {
		return false, fmt.Errorf("output directory %s already holds a run (%s, %s, seed %d): pass --resume to continue it, or choose another --out", dir, prev.Rule, prev.Dataset, prev.Seed)
	}
	a, _ := json.Marshal(prev)
	b, _ := json.Marshal(cfg)
	if string(a) != string(b) {
		return false, fmt.Errorf("output directory %s holds a run with a different config:\n  saved: %s\n  now:   %s\nresume with the same flags, or choose another --out", dir, a, b)
	}
	return true, nil
}

// writeRunInfo records the effective config and environment in config.json.
func writeRunInfo(dir string, cfg TrainConfig, command, device string, created time.Time, init *runfiles.InitFile, noReport bool) error {
	raw, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	info := runfiles.RunInfo{
		Tool: "ghlsim", Command: command, Created: created.UTC().Format(time.RFC3339),
		Seed: cfg.Seed, Backend: cfg.Backend, Device: device, GoVersion: runtime.Version(),
		GitRevision: buildinfo.Revision(), Rule: cfg.Rule, Dataset: cfg.Dataset, Arch: cfg.Arch,
		Config: raw, Init: init, NoReport: noReport,
	}
	return runfiles.WriteJSONAtomic(filepath.Join(dir, runfiles.ConfigFile), info)
}

// removeStaleTemps deletes temporary files a killed run left behind (an
// atomic write interrupted before its rename); the files they were meant to
// replace are intact.
func removeStaleTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	more, _ := filepath.Glob(filepath.Join(dir, "*.rewrite"))
	for _, m := range append(matches, more...) {
		os.Remove(m)
	}
}

// fileSHA256 is the hex SHA-256 of a file's bytes, read as a stream.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// recordInit describes the --init file for config.json.
func recordInit(path string) (*runfiles.InitFile, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	sum, err := fileSHA256(abs)
	if err != nil {
		return nil, err
	}
	return &runfiles.InitFile{Path: abs, SHA256: sum}, nil
}

// checkInit verifies that the init file a run recorded is still there with
// the same bytes, before a resume without checkpoint starts from it again.
func checkInit(dir string, rec *runfiles.InitFile) error {
	sum, err := fileSHA256(rec.Path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("--resume %s: the run has no checkpoint yet and started from --init %s, which no longer exists: restore that file (sha256 %s) or start a new run", dir, rec.Path, rec.SHA256)
	}
	if err != nil {
		return fmt.Errorf("--resume %s: the run has no checkpoint yet and started from --init %s, which cannot be read: %w", dir, rec.Path, err)
	}
	if sum != rec.SHA256 {
		return fmt.Errorf("--resume %s: the run has no checkpoint yet and started from --init %s, which has changed since (sha256 %s, recorded %s): restore the original file or start a new run", dir, rec.Path, sum, rec.SHA256)
	}
	return nil
}
