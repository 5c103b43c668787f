package main

// Data-parallel training (ghl train --nproc N; network/dist.go explains the
// aggregation). Three ways to start the workers:
//
//   - one machine: ghl train --nproc N … re-executes this binary N times with
//     RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1 and MASTER_PORT set
//     (a free port unless --master-port or $MASTER_PORT says otherwise) and
//     --threads cores/N unless --threads is given;
//   - torchrun-style (one launcher per machine):
//     torchrun --nnodes M --nproc-per-node K --rdzv-backend static \
//       --master-addr HOST0 --master-port 29500 --node-rank I --no-python \
//       ghl train --out runs/x …
//     Any launcher that sets RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT
//     (LOCAL_RANK optional) works: a worker joins whenever WORLD_SIZE is set.
//   - Slurm: export MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)
//     srun --ntasks N --kill-on-bad-exit=1 ghl train --slurm --out runs/x …
//     (rank, world size and local rank from SLURM_PROCID, SLURM_NTASKS,
//     SLURM_LOCALID; MASTER_PORT defaults to 29500).
//
// Every worker runs the same command. Rank 0 writes the run directory and
// prints; the other ranks write theirs into a scratch directory that is
// removed at the end and print nothing (their errors go to stderr). With
// --backend torch:cuda each worker uses cuda:LOCAL_RANK and NCCL (one GPU per
// worker; NCCL refuses two ranks on one GPU — to share one, name it,
// --backend torch:cuda:0, and pass --dist-backend gloo, which stages the
// tensors through host memory); otherwise Gloo over TCP (set
// GLOO_SOCKET_IFNAME to pick the network interface on clusters).
// The collectives need the torch shim (make -C backends/torch shim) even for
// --backend cpu. $GHLSIM_DIST_TIMEOUT (a Go duration, default 30m) bounds
// the rendezvous and every collective.

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"ghlsim/backends/torch"
	"ghlsim/experiments"
	"ghlsim/internal/quote"
	"ghlsim/internal/runfiles"
)

// distFlags are ghl train's data-parallel flags.
type distFlags struct {
	nproc   int
	vote    bool
	backend string
	slurm   bool
	port    int
}

// addDistFlags registers the data-parallel flags on fs.
func addDistFlags(fs *flag.FlagSet) *distFlags {
	d := &distFlags{}
	fs.IntVar(&d.nproc, "nproc", 1, "data-parallel workers on this machine: runs N copies of ghl train (as torchrun would) that split every batch; the batch must be a multiple of N")
	fs.BoolVar(&d.vote, "dist-vote", false, "data parallelism: workers send only the sign of each modulated hidden synapse's gradient (1 byte) and the modulator is the majority vote (beyond the paper)")
	fs.StringVar(&d.backend, "dist-backend", "", "data parallelism: c10d process group, gloo or nccl (default: nccl on torch:cuda, gloo otherwise)")
	fs.BoolVar(&d.slurm, "slurm", false, "data parallelism under srun: rank and world size from SLURM_PROCID and SLURM_NTASKS (set MASTER_ADDR; MASTER_PORT defaults to 29500)")
	fs.IntVar(&d.port, "master-port", 0, "--nproc: rendezvous port (default: $MASTER_PORT, else a free port)")
	return d
}

// isDistFlag reports whether a flag belongs to addDistFlags (allowed with
// --resume: they say how to run, not what to compute).
func isDistFlag(name string) bool {
	switch name {
	case "nproc", "dist-vote", "dist-backend", "slurm", "master-port":
		return true
	}
	return false
}

// distEnv is a worker's place in the job, from the launcher's environment.
type distEnv struct {
	rank, world, local int
	addr               string
	port               int
}

// env reads the worker environment: RANK/WORLD_SIZE/… (torchrun, --nproc)
// or, with --slurm, SLURM_PROCID/SLURM_NTASKS/SLURM_LOCALID. ok is false
// when this process is not a worker.
func (d *distFlags) env() (e distEnv, ok bool, err error) {
	num := func(name string, def int) (int, error) {
		v := os.Getenv(name)
		if v == "" {
			if def < 0 {
				return 0, fmt.Errorf("data parallelism: $%s is not set (the launcher must set it)", name)
			}
			return def, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("data parallelism: $%s=%s is not a non-negative integer", name, quote.Q(v))
		}
		return n, nil
	}
	rankVar, worldVar, localVar := "RANK", "WORLD_SIZE", "LOCAL_RANK"
	if d.slurm {
		rankVar, worldVar, localVar = "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"
	} else if os.Getenv("WORLD_SIZE") == "" {
		return e, false, nil
	}
	if e.world, err = num(worldVar, -1); err != nil {
		return e, false, err
	}
	if e.rank, err = num(rankVar, -1); err != nil {
		return e, false, err
	}
	if e.local, err = num(localVar, e.rank); err != nil {
		return e, false, err
	}
	if e.port, err = num("MASTER_PORT", 29500); err != nil {
		return e, false, err
	}
	e.addr = os.Getenv("MASTER_ADDR")
	if e.addr == "" {
		if d.slurm {
			return e, false, fmt.Errorf("--slurm: set MASTER_ADDR to the first node, e.g. export MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n1)")
		}
		e.addr = "127.0.0.1"
	}
	if e.world < 1 || e.rank >= e.world {
		return e, false, fmt.Errorf("data parallelism: rank %d of world size %d is impossible ($%s, $%s)", e.rank, e.world, rankVar, worldVar)
	}
	return e, true, nil
}

// launch starts --nproc workers on this machine and waits for them (false
// when this process is not the launcher). out is the run directory rank 0
// writes; set lists the flags given.
func (d *distFlags) launch(args []string, set map[string]bool, out string, resuming bool) (bool, error) {
	if d.nproc <= 1 || d.slurm || os.Getenv("WORLD_SIZE") != "" {
		return false, nil
	}
	if f, err := torch.DistFeatures(); err != nil {
		return true, fmt.Errorf("--nproc needs the torch shim's collectives, also with --backend cpu: %w", err)
	} else if f == "" {
		return true, fmt.Errorf("--nproc: the torch shim (%s) was built without collectives: install the gloo headers (Debian: apt-get install libgloo-dev) and rebuild it with %s", torch.ShimPath(), torch.BuildCommand)
	}
	exe, err := os.Executable()
	if err != nil {
		return true, fmt.Errorf("--nproc: cannot find this program to re-run it: %w", err)
	}
	port := d.port
	if port == 0 && os.Getenv("MASTER_PORT") != "" {
		if port, err = strconv.Atoi(os.Getenv("MASTER_PORT")); err != nil {
			return true, fmt.Errorf("$MASTER_PORT=%s is not a port number", quote.Q(os.Getenv("MASTER_PORT")))
		}
	}
	if port == 0 {
		if port, err = freePort(); err != nil {
			return true, fmt.Errorf("--nproc: no free port for the rendezvous (%v): pass --master-port", err)
		}
	}
	threads := max(1, runtime.NumCPU()/d.nproc)
	child := append([]string{"train"}, args...)
	if !set["out"] && !resuming {
		child = append(child, "--out", out)
	}
	if !set["threads"] && !resuming {
		child = append(child, "--threads", strconv.Itoa(threads))
	}
	fmt.Printf("ghl train: %d data-parallel workers on this machine (rendezvous 127.0.0.1:%d, %d threads each)\n", d.nproc, port, threads)
	cmds := make([]*exec.Cmd, d.nproc)
	for r := range cmds {
		c := exec.Command(exe, child...)
		c.Env = append(os.Environ(), "RANK="+strconv.Itoa(r), "LOCAL_RANK="+strconv.Itoa(r),
			"WORLD_SIZE="+strconv.Itoa(d.nproc), "LOCAL_WORLD_SIZE="+strconv.Itoa(d.nproc),
			"MASTER_ADDR=127.0.0.1", "MASTER_PORT="+strconv.Itoa(port))
		if os.Getenv("GOMAXPROCS") == "" && !set["threads"] {
			c.Env = append(c.Env, "GOMAXPROCS="+strconv.Itoa(threads))
		}
		c.Stdin = nil
		if r == 0 {
			c.Stdout, c.Stderr = os.Stdout, os.Stderr
		} else {
			c.Stdout, c.Stderr = io.Discard, &prefixWriter{w: os.Stderr, prefix: fmt.Sprintf("[rank %d] ", r)}
		}
		// The workers get signals from this launcher only (forwarded below),
		// not twice from the terminal.
		ownProcessGroup(c)
		if err := c.Start(); err != nil {
			for _, p := range cmds[:r] {
				p.Process.Kill()
			}
			return true, fmt.Errorf("--nproc: starting worker %d: %w", r, err)
		}
		cmds[r] = c
	}
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	type result struct {
		rank int
		err  error
	}
	done := make(chan result, d.nproc)
	for r, c := range cmds {
		go func() { done <- result{r, c.Wait()} }()
	}
	var first error
	interrupted := false
	for left := d.nproc; left > 0; {
		select {
		case s := <-sig:
			interrupted = true
			fmt.Fprintln(os.Stderr, "\nghl: interrupt: the workers finish the current step and rank 0 writes a checkpoint (interrupt again to abort)")
			for _, c := range cmds {
				if c.ProcessState == nil {
					c.Process.Signal(s)
				}
			}
		case res := <-done:
			left--
			if res.err != nil && first == nil {
				first = fmt.Errorf("worker %d: %w", res.rank, res.err)
				if !interrupted {
					// The others would wait for it until the timeout.
					for _, c := range cmds {
						if c.ProcessState == nil {
							c.Process.Kill()
						}
					}
				}
			}
		}
	}
	var exit *exec.ExitError
	if interrupted && (first == nil || errors.As(first, &exit) && exit.ExitCode() == 130) {
		return true, fmt.Errorf("%w: continue with: ghl train --resume %s --nproc %d", experiments.ErrInterrupted, out, d.nproc)
	}
	if first != nil {
		return true, fmt.Errorf("%v (the first failing worker's message is above)", first)
	}
	return true, nil
}

// distWorker is this process's part in a data-parallel job.
type distWorker struct {
	env     distEnv
	dist    *torch.Dist
	dev     *torch.Backend // NCCL's device handle
	scratch string         // rank > 0: its private run directory
	stdout  *os.File       // rank > 0: the real stdout, restored by close
}

// join makes this process a data-parallel worker when a launcher started
// it (nil otherwise): it joins the process group and adjusts cfg and opt
// (the device of this local rank; for rank > 0 a scratch run directory,
// no log, no progress, no report, stdout silenced).
func (d *distFlags) join(cfg *experiments.TrainConfig, opt *experiments.Options, resume string) (*distWorker, error) {
	e, ok, err := d.env()
	if err != nil || !ok {
		return nil, err
	}
	if d.nproc > 1 && e.world != d.nproc {
		return nil, fmt.Errorf("--nproc %d but the launcher started %d workers", d.nproc, e.world)
	}
	if e.world == 1 {
		return nil, nil // a job of one: nothing to share
	}
	if cfg.Backend == "torch:cuda" {
		cfg.Backend = "torch:cuda:" + strconv.Itoa(e.local)
	}
	w := &distWorker{env: e}
	be := d.backend
	if be == "" {
		be = "gloo"
		if strings.HasPrefix(cfg.Backend, "torch:cuda") {
			be = "nccl"
		}
	}
	conf := torch.DistConfig{Backend: be, Addr: e.addr, Port: e.port, Rank: e.rank, World: e.world}
	if v := os.Getenv("GHLSIM_DIST_TIMEOUT"); v != "" {
		if conf.Timeout, err = time.ParseDuration(v); err != nil || conf.Timeout <= 0 {
			return nil, fmt.Errorf("$GHLSIM_DIST_TIMEOUT=%s is not a positive duration such as 10m", quote.Q(v))
		}
	}
	if be == "nccl" {
		if !strings.HasPrefix(cfg.Backend, "torch:cuda") {
			return nil, fmt.Errorf("--dist-backend nccl needs --backend torch:cuda (NCCL reduces CUDA tensors); use gloo for %s", cfg.Backend)
		}
		if w.dev, err = torch.New(strings.TrimPrefix(cfg.Backend, "torch:")); err != nil {
			return nil, err
		}
		conf.Device = w.dev
	}
	if w.dist, err = torch.NewDist(conf); err != nil {
		w.close()
		return nil, fmt.Errorf("data parallelism needs the torch shim's collectives, also with --backend cpu: %w", err)
	}
	opt.Dist = &experiments.DistOptions{Reducer: w.dist, Vote: d.vote}
	if e.rank != 0 {
		// A fixed name per run directory and rank, so that a worker killed
		// before it could clean up leaves at most one stale copy, removed here.
		abs, _ := filepath.Abs(opt.Out)
		h := fnv.New64a()
		h.Write([]byte(abs))
		w.scratch = filepath.Join(os.TempDir(), fmt.Sprintf("ghl-worker-%016x-rank%d", h.Sum64(), e.rank))
		os.RemoveAll(w.scratch)
		if err := os.MkdirAll(w.scratch, 0o755); err != nil {
			w.scratch = ""
			w.close()
			return nil, fmt.Errorf("data parallelism: scratch run directory of rank %d: %w", e.rank, err)
		}
		if resume != "" {
			if err := copyRunState(resume, w.scratch); err != nil {
				w.close()
				return nil, err
			}
		}
		opt.Out, opt.Log, opt.Progress, opt.AfterEpoch = w.scratch, nil, false, nil
		if null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
			w.stdout, os.Stdout = os.Stdout, null
		}
	}
	return w, nil
}

// copyRunState copies what a resumed worker reads from rank 0's run
// directory into its scratch directory.
func copyRunState(from, to string) error {
	for _, f := range []string{runfiles.ConfigFile, runfiles.CheckpointFile, runfiles.MetricsFile, runfiles.TelemetryFile} {
		b, err := os.ReadFile(filepath.Join(from, f))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("--resume: %w (the run directory must be visible to every worker)", err)
		}
		if err := os.WriteFile(filepath.Join(to, f), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// close leaves the process group and removes the scratch directory
// (nil-safe).
func (w *distWorker) close() {
	if w == nil {
		return
	}
	if w.dist != nil {
		w.dist.Close()
	}
	if w.dev != nil {
		w.dev.Close()
	}
	if w.scratch != "" {
		os.RemoveAll(w.scratch)
	}
	if w.stdout != nil {
		os.Stdout.Close()
		os.Stdout = w.stdout
	}
}

// report prints what data parallelism cost per step (rank 0; nil-safe).
func (w *distWorker) report(out string) {
	if w == nil || w.env.rank != 0 {
		return
	}
	r, err := runfiles.ReadJSON[experiments.DistRecord](filepath.Join(out, experiments.DistFile))
	if err != nil {
		fmt.Fprintf(os.Stderr, "ghl train: no data-parallel record: %v\n", err)
		return
	}
	mode := "exact aggregation"
	if r.Vote {
		mode = "majority vote"
	}
	fmt.Printf("data parallel: %d workers (%s), %s, %d samples per worker and step\n", r.Workers, r.Collective, mode, r.ShardBatch)
	fmt.Printf("  sent per step and worker (payload, %d collectives): exact aggregation %s, majority vote %s\n",
		r.CollectivesPerStep, humanBytes(r.ExactBytesPerStep), humanBytes(r.VoteBytesPerStep))
	fmt.Printf("  exact: 4 B × %d float32 (%d of them Hebbian terms H) + 8 B × %d float64; majority vote: %d of those float32 become 1-byte votes\n",
		r.Float32+r.Votes, r.Hebbian, r.Float64, r.Votable)
	fmt.Printf("  (payload: what each worker contributes; a ring all-reduce puts %.2f× that on the wire)\n", r.WireFactor)
	fmt.Printf("  time in collectives: %.1f ms per step (mean of %d steps, waiting for the slowest worker included)\n", 1e3*r.CommSecondsPerStep, r.CommSteps)
}

func humanBytes(b int64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.2f MiB (%d B)", float64(b)/(1<<20), b)
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB (%d B)", float64(b)/(1<<10), b)
	}
	return fmt.Sprintf("%d B", b)
}

// freePort asks the kernel for a free TCP port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// prefixWriter prefixes every line written to w (a worker's stderr).
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	line   []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.line = append(p.line, b...)
	for {
		i := bytes.IndexAny(p.line, "\n\r")
		if i < 0 {
			break
		}
		if i > 0 {
			fmt.Fprintf(p.w, "%s%s\n", p.prefix, p.line[:i])
		}
		p.line = p.line[i+1:]
	}
	return len(b), nil
}
