package experiments

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"ghlsim/internal/runfiles"
)

// LocalExecutor runs the tasks as worker processes on this machine, at most
// Jobs at a time: each worker is `ghl cell --threads N RUN INDEX` (RunCell)
// with its output appended to its cell directory's cell.log. A failed cell
// does not stop the others; the failures are reported at the end. When
// opt.Stop closes, no further worker starts and the running ones are sent
// SIGTERM (they checkpoint and exit); workers die with this process.
type LocalExecutor struct {
	// Command is the worker's argv up to (not including) its arguments
	// "--threads N RUN INDEX"; nil means this executable's cell command,
	// [os.Executable(), "cell"].
	Command []string
	// Jobs is the most workers running at once; 0 means one per core.
	Jobs int
	// Threads is each worker's backend thread count for cells whose spec
	// leaves it at 0 (CellOptions.Threads); 0 means max(1, cores/workers).
	Threads int
}

// Execute implements Executor.
func (e LocalExecutor) Execute(s *Sweep, tasks []Task, opt RunOptions) error {
	if len(tasks) == 0 {
		return nil
	}
	argv := e.Command
	if len(argv) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("locating this program for the local workers: %w (use --executor inline)", err)
		}
		argv = []string{exe, "cell"}
	}
	cores := runtime.NumCPU()
	jobs := e.Jobs
	if jobs <= 0 {
		jobs = cores
	}
	jobs = min(jobs, len(tasks))
	threads := e.Threads
	if threads <= 0 {
		threads = max(1, cores/jobs)
	}
	logf(opt.Log, "local: %d of %d cells in up to %d worker processes (%d backend threads each unless the spec sets them); output in %s\n",
		len(tasks), s.Len(), jobs, threads, filepath.Join(s.Dir, runfiles.CellsDir, "*", logFile))

	w := &localRun{s: s, opt: opt, argv: argv, threads: threads, running: map[int]*os.Process{}}
	queue := make(chan Task)
	finished := make(chan struct{})
	go func() {
		select {
		case <-opt.Stop:
			w.mu.Lock()
			w.stopping = true
			for _, p := range w.running {
				stopWorker(p)
			}
			w.mu.Unlock()
		case <-finished:
		}
	}()
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range queue {
				w.run(t)
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case queue <- t:
		case <-opt.Stop:
			break feed
		}
	}
	close(queue)
	wg.Wait()
	close(finished)

	if w.afterErr != nil {
		return w.afterErr
	}
	if w.stopping || stopped(opt.Stop) {
		return fmt.Errorf("local workers stopped (%d cells interrupted after a checkpoint, %d failed): %w", w.interrupted, len(w.failures), ErrInterrupted)
	}
	if len(w.failures) > 0 {
		return fmt.Errorf("%d of %d cells failed:\n  %s\nfix the cause and rerun the same command: finished cells are skipped, failed ones retried (ghl status %s lists them)",
			len(w.failures), len(tasks), strings.Join(w.failures, "\n  "), s.Dir)
	}
	return nil
}

// localRun is the shared state of one LocalExecutor.Execute.
type localRun struct {
	s       *Sweep
	opt     RunOptions
	argv    []string
	threads int

	mu          sync.Mutex
	running     map[int]*os.Process // by task index
	stopping    bool
	done        int
	interrupted int
	failures    []string
	afterErr    error
}

// run runs one task's worker to its end and records the outcome.
func (w *localRun) run(t Task) {
	unlock := lockThreadForWorker()
	defer unlock()
	fail := func(msg string) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.failures = append(w.failures, t.Name()+": "+msg)
		logf(w.opt.Log, "[%d/%d] FAILED %s / %s, seed %d: %s\n", t.Index+1, w.s.Len(), t.Cell.Row, t.Cell.Column, t.Seed, msg)
	}
	if err := os.MkdirAll(t.Dir, 0o755); err != nil {
		fail(fmt.Sprintf("cell directory: %v", err))
		return
	}
	logPath := filepath.Join(t.Dir, logFile)
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		fail(fmt.Sprintf("log file: %v", err))
		return
	}
	defer f.Close()
	start, _ := f.Seek(0, io.SeekEnd)
	args := append(append([]string(nil), w.argv[1:]...), "--threads", strconv.Itoa(w.threads), w.s.Dir, strconv.Itoa(t.Index))
	cmd := exec.Command(w.argv[0], args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = workerProcAttr()
	fmt.Fprintf(f, "=== %s %s: %s %s\n", time.Now().UTC().Format(time.RFC3339), hostname(), w.argv[0], strings.Join(args, " "))

	w.mu.Lock()
	if w.stopping || stopped(w.opt.Stop) {
		w.mu.Unlock()
		return
	}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		w.mu.Unlock()
		fail(fmt.Sprintf("starting %s: %v (is it a ghl executable?)", w.argv[0], err))
		return
	}
	w.running[t.Index] = cmd.Process
	logf(w.opt.Log, "[%d/%d] start %s / %s, seed %d (pid %d)\n", t.Index+1, w.s.Len(), t.Cell.Row, t.Cell.Column, t.Seed, cmd.Process.Pid)
	w.mu.Unlock()

	err = cmd.Wait()

	w.mu.Lock()
	delete(w.running, t.Index)
	stopping := w.stopping
	w.mu.Unlock()
	switch {
	case err == nil && t.Finished():
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done++
		acc := ""
		if sum, err := resultSummary(t); err == nil {
			acc = ", " + sum
		}
		logf(w.opt.Log, "[%d/%d] done  %s / %s, seed %d in %.1f s%s\n", t.Index+1, w.s.Len(), t.Cell.Row, t.Cell.Column, t.Seed, time.Since(began).Seconds(), acc)
		if w.afterErr == nil {
			w.afterErr = w.s.afterCell(w.opt)
		}
	case stopping:
		w.mu.Lock()
		w.interrupted++
		w.mu.Unlock()
		logf(w.opt.Log, "[%d/%d] stopped %s / %s, seed %d\n", t.Index+1, w.s.Len(), t.Cell.Row, t.Cell.Column, t.Seed)
	case err == nil:
		fail(fmt.Sprintf("the worker exited without writing %s (see %s)", resultFile, logPath))
	default:
		var ee *exec.ExitError
		how := err.Error()
		if errors.As(err, &ee) {
			how = ee.ProcessState.String()
		}
		fail(fmt.Sprintf("worker %s: %s (log: %s)", how, lastLines(logPath, start, 2), logPath))
	}
}

// lastLines returns what a worker wrote at or after offset of path to say
// why it failed: from its last "ghl cell: " error line on, else its last n
// non-empty lines; joined by " | " and cut to 600 bytes.
func lastLines(path string, offset int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	var lines []string
	errAt := -1
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "=== ") {
			if strings.HasPrefix(l, "ghl cell: ") {
				errAt = len(lines)
			}
			lines = append(lines, l)
		}
	}
	switch {
	case errAt >= 0:
		lines = lines[errAt:]
	case len(lines) > n:
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, " | ")
	if len(out) > 600 {
		out = out[:600] + "…"
	}
	return out
}
