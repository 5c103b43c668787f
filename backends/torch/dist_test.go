package torch

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"ghlsim/backends"
	"ghlsim/backends/cpu"
)

// The distributed tests re-execute this test binary once per rank, with
// GHL_DIST_TEST_WORKER naming the worker function and RANK, WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT set as torchrun would.

// distOrSkip skips (or fails under GHLSIM_REQUIRE_TORCH=1) when the shim
// cannot be loaded or was built without Gloo.
func distOrSkip(t *testing.T) {
	t.Helper()
	f, err := DistFeatures()
	if err != nil {
		if requireTorch() {
			t.Fatalf("GHLSIM_REQUIRE_TORCH=1 but the shim cannot be loaded: %v", err)
		}
		t.Skipf("torch shim unavailable: %v", err)
	}
	if !strings.Contains(f, "gloo") {
		if requireTorch() {
			t.Fatalf("GHLSIM_REQUIRE_TORCH=1 but the shim has no Gloo (features %q): apt-get install libgloo-dev and rebuild", f)
		}
		t.Skipf("shim built without Gloo (features %q)", f)
	}
}

// freePort asks the kernel for a free TCP port on the loopback interface.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// spawn runs worker in world processes of this test binary and fails the
// test with their output when any of them fails.
func spawn(t *testing.T, worker string, world int) {
	t.Helper()
	port := freePort(t)
	var wg sync.WaitGroup
	outs := make([]string, world)
	errs := make([]error, world)
	for r := 0; r < world; r++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDistWorker$", "-test.v")
		cmd.Env = append(os.Environ(), "GHL_DIST_TEST_WORKER="+worker, "RANK="+strconv.Itoa(r),
			"WORLD_SIZE="+strconv.Itoa(world), "MASTER_ADDR=127.0.0.1", "MASTER_PORT="+strconv.Itoa(port))
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			timer := time.AfterFunc(60*time.Second, func() {
				if cmd.Process != nil {
					cmd.Process.Kill()
				}
			})
			defer timer.Stop()
			out, err := cmd.CombinedOutput()
			outs[r], errs[r] = string(out), err
		}(r)
	}
	wg.Wait()
	for r := range world {
		if errs[r] != nil || !strings.Contains(outs[r], "WORKER OK") {
			t.Errorf("rank %d: %v\n%s", r, errs[r], outs[r])
		}
	}
}

// TestDistWorker is the body of a spawned rank; it does nothing when run
// directly.
func TestDistWorker(t *testing.T) {
	name := os.Getenv("GHL_DIST_TEST_WORKER")
	if name == "" {
		t.Skip("only runs as a spawned worker")
	}
	rank, _ := strconv.Atoi(os.Getenv("RANK"))
	world, _ := strconv.Atoi(os.Getenv("WORLD_SIZE"))
	port, _ := strconv.Atoi(os.Getenv("MASTER_PORT"))
	d, err := NewDist(DistConfig{Addr: os.Getenv("MASTER_ADDR"), Port: port, Rank: rank, World: world, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	switch name {
	case "collectives":
		workerCollectives(t, d)
	case "vote":
		workerVote(t, d)
	default:
		t.Fatalf("unknown worker %q", name)
	}
	if err := d.Barrier(); err != nil {
		t.Fatal(err)
	}
	if !t.Failed() {
		fmt.Println("WORKER OK")
	}
}

// TestDistCollectives checks all-reduce (torch tensors, cpu-backend tensors
// through the host path, float64 host buffers) and the barrier with three
// Gloo workers on loopback.
func TestDistCollectives(t *testing.T) {
	distOrSkip(t)
	spawn(t, "collectives", 3)
}

func workerCollectives(t *testing.T, d *Dist) {
	r, w := float32(d.Rank()), d.Size()
	tb, err := New("cpu")
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	cb := cpu.New(1)
	// Rank r contributes (r+1)·(i+1) to element i; the sum is
	// (i+1)·w(w+1)/2.
	tri := float32(w * (w + 1) / 2)
	for _, b := range []backends.Backend{tb, cb} {
		a, c := b.Alloc(backends.Shape{2, 3}), b.Alloc(backends.Shape{5})
		ha, hc := make([]float32, 6), make([]float32, 5)
		for i := range ha {
			ha[i] = (r + 1) * float32(i+1)
		}
		for i := range hc {
			hc[i] = -(r + 1) * float32(i+1)
		}
		b.Upload(a, ha)
		b.Upload(c, hc)
		if err := d.AllReduce([]backends.Tensor{a, c}); err != nil {
			t.Fatal(err)
		}
		b.Download(ha, a)
		b.Download(hc, c)
		for i := range ha {
			if ha[i] != tri*float32(i+1) {
				t.Errorf("%s: all-reduce a[%d] = %g, want %g", b.Name(), i, ha[i], tri*float32(i+1))
			}
		}
		for i := range hc {
			if hc[i] != -tri*float32(i+1) {
				t.Errorf("%s: all-reduce c[%d] = %g, want %g", b.Name(), i, hc[i], -tri*float32(i+1))
			}
		}
	}
	f := []float64{float64(r), 1e-300, 1}
	if err := d.AllReduceFloat64(f); err != nil {
		t.Fatal(err)
	}
	if f[0] != float64(w*(w-1)/2) || f[1] != float64(w)*1e-300 || f[2] != float64(w) {
		t.Errorf("float64 all-reduce %v", f)
	}
}

// TestDistVote checks majority vote's defining property with constructed
// signs: with three workers, element i carries the i-th of all 27 sign
// patterns (s0, s1, s2) ∈ {−1, 0, +1}³ and must come back as
// sign(s0 + s1 + s2), the elementwise majority (a tie gives 0); with two
// workers, disagreement (+1 against −1) gives 0. Both the torch device path
// and the cpu host path are checked.
func TestDistVote(t *testing.T) {
	distOrSkip(t)
	t.Run("3", func(t *testing.T) { spawn(t, "vote", 3) })
	t.Run("2", func(t *testing.T) { spawn(t, "vote", 2) })
}

// voteSign is worker r's sign for element i: the r-th base-3 digit of i
// mapped to {−1, 0, +1}.
func voteSign(i, r int) int {
	for range r {
		i /= 3
	}
	return i%3 - 1
}

func workerVote(t *testing.T, d *Dist) {
	w := d.Size()
	n := 1
	for range w {
		n *= 3
	}
	tb, err := New("cpu")
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	for _, b := range []backends.Backend{tb, cpu.New(1)} {
		x := b.Alloc(backends.Shape{n})
		h := make([]float32, n)
		for i := range h {
			// Magnitudes differ by rank and element: only signs may count.
			h[i] = float32(voteSign(i, d.Rank())) * float32(1+d.Rank()*100+i)
		}
		b.Upload(x, h)
		if err := d.Vote([]backends.Tensor{x}); err != nil {
			t.Fatal(err)
		}
		b.Download(h, x)
		for i := range h {
			sum := 0
			for r := range w {
				sum += voteSign(i, r)
			}
			want := float32(0)
			if sum > 0 {
				want = 1
			} else if sum < 0 {
				want = -1
			}
			if h[i] != want {
				t.Errorf("%s: vote element %d (signs %v) = %g, want %g", b.Name(), i, signs(i, w), h[i], want)
			}
			if w == 2 && voteSign(i, 0)*voteSign(i, 1) == -1 && h[i] != 0 {
				t.Errorf("%s: two workers disagreeing gave %g, want 0", b.Name(), h[i])
			}
		}
	}
}

func signs(i, w int) []int {
	out := make([]int, w)
	for r := range w {
		out[r] = voteSign(i, r)
	}
	return out
}

// TestDistErrors checks the errors of impossible configurations (no
// collective is started).
func TestDistErrors(t *testing.T) {
	distOrSkip(t)
	for _, c := range []DistConfig{
		{Addr: "127.0.0.1", Port: 1234, Rank: 2, World: 2},
		{Addr: "", Port: 1234, Rank: 0, World: 1},
		{Addr: "127.0.0.1", Port: 1234, Rank: 0, World: 1, Backend: "mpi"},
	} {
		if d, err := NewDist(c); err == nil {
			d.Close()
			t.Errorf("%+v: no error", c)
		} else {
			t.Logf("%+v: %v", c, err)
		}
	}
	// A world of one needs no peer.
	d, err := NewDist(DistConfig{Addr: "127.0.0.1", Port: freePort(t), World: 1, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.AllReduceFloat64([]float64{1}); !errors.Is(err, ErrDistClosed) {
		t.Errorf("after Close: %v, want ErrDistClosed", err)
	}
}
