package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// ghlPath is the ghl binary TestMain builds for the tests that run it.
var ghlPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ghl-test-bin")
	if err != nil {
		panic(err)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if goTool, err := exec.LookPath("go"); err == nil {
			bin := filepath.Join(dir, "ghl")
			cmd := exec.Command(goTool, "build", "-o", bin, "./cmd/ghl")
			cmd.Dir = filepath.Join("..", "..")
			if out, err := cmd.CombinedOutput(); err != nil {
				os.Stderr.Write(out)
				return 1
			}
			ghlPath = bin
		}
		return m.Run()
	}()
	os.Exit(code)
}

// ghl runs the built binary with args and extra environment, failing the
// test when its exit status is not wantCode; it returns the combined output.
func ghl(t *testing.T, env []string, wantCode int, args ...string) string {
	t.Helper()
	if ghlPath == "" {
		t.Skip("no go tool to build ghl with")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, ghlPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("ghl %s: %v", strings.Join(args, " "), err)
	}
	if code != wantCode {
		t.Fatalf("ghl %s: exit status %d, want %d\n%s", strings.Join(args, " "), code, wantCode, out.String())
	}
	return out.String()
}

var created = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)

// sameReport checks that two experiment runs have the same table.json and
// the same report (report.md and report.html up to the run directory and
// creation time).
func sameReport(t *testing.T, a, b string) {
	t.Helper()
	ta, _ := os.ReadFile(filepath.Join(a, "table.json"))
	tb, _ := os.ReadFile(filepath.Join(b, "table.json"))
	if len(ta) == 0 || !bytes.Equal(ta, tb) {
		t.Fatalf("table.json differs:\n%s: %s\n%s: %s", a, ta, b, tb)
	}
	for _, f := range []string{"report.md", "report.html"} {
		ra, errA := os.ReadFile(filepath.Join(a, f))
		rb, errB := os.ReadFile(filepath.Join(b, f))
		if errA != nil || errB != nil {
			t.Fatalf("%s missing: %v %v", f, errA, errB)
		}
		na := created.ReplaceAllString(strings.ReplaceAll(string(ra), a, "RUN"), "TIME")
		nb := created.ReplaceAllString(strings.ReplaceAll(string(rb), b, "RUN"), "TIME")
		if na != nb {
			la, lb := strings.Split(na, "\n"), strings.Split(nb, "\n")
			for i := 0; i < len(la) && i < len(lb); i++ {
				if la[i] != lb[i] {
					t.Fatalf("%s differs at line %d:\n%s: %.300s\n%s: %.300s", f, i+1, a, la[i], b, lb[i])
				}
			}
			t.Fatalf("%s differs in length: %d vs %d lines", f, len(la), len(lb))
		}
	}
}

// smokeArgs is the sweep the executor tests run: table5's 6 cells, one seed,
// one backend thread each so that all executors compute bit-identical results.
func smokeArgs(out string, extra ...string) []string {
	return append([]string{"run", "table5", "--budget", "smoke", "--seeds", "1", "--threads", "1", "--out", out}, extra...)
}

// TestLocalSweepMatchesInline runs the smoke sweep in this process and in
// two local worker processes: same table, same report.
func TestLocalSweepMatchesInline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs training sweeps")
	}
	inline, local := filepath.Join(t.TempDir(), "inline"), filepath.Join(t.TempDir(), "local")
	ghl(t, nil, 0, smokeArgs(inline)...)
	out := ghl(t, nil, 0, smokeArgs(local, "--executor", "local", "--jobs", "2")...)
	if !strings.Contains(out, "[6/6] done") || !strings.Contains(out, "results: "+local) {
		t.Errorf("local run output:\n%s", out)
	}
	sameReport(t, inline, local)
	// Rerunning a finished sweep does nothing and keeps the table.
	out = ghl(t, nil, 0, smokeArgs(local, "--executor", "local", "--jobs", "2")...)
	if strings.Contains(out, "start") {
		t.Errorf("rerun of a finished sweep started cells:\n%s", out)
	}
	sameReport(t, inline, local)
}

// TestRunFlagErrors: executor flags are checked before anything runs.
func TestRunFlagErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--jobs", "2"}, "--jobs needs --executor local"},
		{[]string{"--executor", "local", "--wait"}, "--wait applies to --executor slurm"},
		{[]string{"--executor", "local", "--slurm-mem", "1G"}, "--slurm-mem applies to --executor slurm"},
		{[]string{"--executor", "pbs"}, `unknown --executor "pbs": use inline, local, slurm`},
	} {
		out := ghl(t, nil, 1, smokeArgs(filepath.Join(dir, "x"), c.args...)...)
		if !strings.Contains(out, c.want) {
			t.Errorf("%v: %s", c.args, out)
		}
	}
	// No sbatch on PATH: the error says what to do instead.
	out := ghl(t, []string{"PATH=" + t.TempDir()}, 1, smokeArgs(filepath.Join(dir, "y"), "--executor", "slurm")...)
	if !strings.Contains(out, "sbatch not found") || !strings.Contains(out, "--executor local") {
		t.Errorf("missing sbatch: %s", out)
	}
}

// TestStatusAndPartialReport submits a sweep to a stand-in sbatch that runs
// nothing, runs one cell by hand with `ghl cell`, breaks another, and checks
// `ghl status` and that `ghl report` reports the partial run.
func TestStatusAndPartialReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs training cells")
	}
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "sbatch"), []byte("#!/bin/sh\necho 7\n"), 0o755)
	os.WriteFile(filepath.Join(bin, "squeue"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	run := filepath.Join(t.TempDir(), "run")
	out := ghl(t, env, 0, append(smokeArgs(run), "--executor", "slurm", "--slurm-cpus", "1")...)
	if !strings.Contains(out, "submitted job 7: 6 cells (array 0-5)") || !strings.Contains(out, "ghl status "+run) {
		t.Fatalf("submission output:\n%s", out)
	}
	ghl(t, env, 0, "cell", run, "0")
	// A cell directory holding another run's config makes that cell fail.
	bad := filepath.Join(run, "cells", "deephebb__sign__s1")
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "config.json"), []byte(`{"tool":"ghlsim","config":{"rule":"bp"}}`), 0o644)
	out = ghl(t, env, 1, "cell", run, "1")
	if !strings.Contains(out, "ghl cell: ") || !strings.Contains(out, "different config") {
		t.Errorf("failing cell:\n%s", out)
	}
	ghl(t, env, 2, "cell", run)
	out = ghl(t, env, 1, "cell", run, "6")
	if !strings.Contains(out, "out of range") {
		t.Errorf("index out of range:\n%s", out)
	}
	out = ghl(t, env, 0, "status", run)
	for _, want := range []string{
		"table5 v1, budget smoke: 6 cells × 1 seeds",
		"slurm jobs: 7",
		"0      deephebb__ghl__s1",
		"finished  test ",
		"deephebb__sign__s1   failed",
		"different config",
		"fasthebb__ghl__s1    pending   not started",
		"finished 1, running 0, pending 4, failed 1 (of 6)",
		"5 unfinished cells are neither running nor queued",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	md, _ := os.ReadFile(filepath.Join(run, "table.md"))
	if !strings.Contains(string(md), "pending") || !strings.Contains(string(md), "(n=1)") {
		t.Errorf("table.md of the partial run:\n%s", md)
	}
	out = ghl(t, env, 0, "report", run)
	if !strings.Contains(out, "report.html") {
		t.Errorf("report output: %s", out)
	}
	for _, f := range []string{"report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(run, f)); err != nil {
			t.Error(err)
		}
	}
	// Rerunning the submission resubmits only the unfinished cells.
	os.RemoveAll(bad)
	out = ghl(t, env, 0, append(smokeArgs(run), "--executor", "slurm", "--slurm-cpus", "1")...)
	if !strings.Contains(out, "submitted job 7: 5 cells (array 1-5)") {
		t.Errorf("resubmission:\n%s", out)
	}
}

// TestSlurmSweep runs the smoke sweep through a real one-node Slurm cluster
// on this machine (scripts/slurm_localhost.sh; started here unless one is
// running, and stopped again if started here) and through local workers:
// the two reports must be equal.
func TestSlurmSweep(t *testing.T) {
	require := os.Getenv("GHLSIM_REQUIRE_SLURM") == "1"
	skip := func(why string) {
		t.Helper()
		if require {
			t.Fatalf("%s (GHLSIM_REQUIRE_SLURM=1)", why)
		}
		t.Skipf("%s; set GHLSIM_REQUIRE_SLURM=1 to make this a failure", why)
	}
	for _, tool := range []string{"sbatch", "squeue", "slurmctld", "slurmd", "munged"} {
		if _, err := exec.LookPath(tool); err != nil {
			skip(tool + " is not installed (Debian: apt-get install -y slurm-wlm munge)")
		}
	}
	if testing.Short() && !require {
		t.Skip("starts a Slurm cluster and runs training sweeps")
	}
	script, _ := filepath.Abs(filepath.Join("..", "..", "scripts", "slurm_localhost.sh"))
	began := time.Now()
	wasRunning := exec.Command(script, "status").Run() == nil
	out, err := exec.Command(script, "start").CombinedOutput()
	if err != nil {
		skip("cannot start the localhost Slurm cluster (" + err.Error() + "):\n" + string(out))
	}
	if !wasRunning {
		t.Cleanup(func() { exec.Command(script, "stop").Run() })
	}
	var env []string
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "export SLURM_CONF="); ok {
			env = append(env, "SLURM_CONF="+v)
		}
	}
	if len(env) == 0 {
		t.Fatalf("%s start printed no SLURM_CONF:\n%s", script, out)
	}
	t.Logf("cluster ready in %.1f s (already running: %v)", time.Since(began).Seconds(), wasRunning)

	began = time.Now()
	slurm := filepath.Join(t.TempDir(), "slurm")
	out2 := ghl(t, env, 0, smokeArgs(slurm, "--executor", "slurm", "--wait", "--slurm-poll", "1s", "--slurm-cpus", "1", "--slurm-time", "0:10:00")...)
	t.Logf("slurm sweep: %.1f s", time.Since(began).Seconds())
	if !strings.Contains(out2, "submitted job") || !strings.Contains(out2, "results: "+slurm) {
		t.Errorf("slurm run output:\n%s", out2)
	}
	outs, _ := filepath.Glob(filepath.Join(slurm, "slurm", "*_*.out"))
	if len(outs) != 6 {
		t.Errorf("%d Slurm output files, want 6", len(outs))
	}
	began = time.Now()
	local := filepath.Join(t.TempDir(), "local")
	ghl(t, env, 0, smokeArgs(local, "--executor", "local", "--jobs", "2")...)
	t.Logf("local sweep: %.1f s", time.Since(began).Seconds())
	sameReport(t, slurm, local)
	st := ghl(t, env, 0, "status", slurm)
	if !strings.Contains(st, "finished 6, running 0, pending 0, failed 0 (of 6)") {
		t.Errorf("status after the sweep:\n%s", st)
	}
	// Rerunning the finished sweep submits nothing.
	again := ghl(t, env, 0, smokeArgs(slurm, "--executor", "slurm", "--wait", "--slurm-poll", "1s")...)
	if strings.Contains(again, "submitted job") {
		t.Errorf("rerun of a finished sweep submitted a job:\n%s", again)
	}
}
