package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// paths are the code paths under test: every path this CPU and build
// support — the portable kernel and packers always, and on amd64 the AVX2
// and AVX-512 assembly where the CPU has them.
func paths() []string {
	var names []string
	for _, p := range supportedPaths() {
		names = append(names, p.isa)
	}
	return names
}

// newEngine returns an engine forced onto the named path.
func newEngine(threads int, path string) *Engine {
	p, ok := pathNamed(path)
	if !ok {
		panic("no path " + path)
	}
	e := New(threads)
	e.s.setPath(p)
	return e
}

// problem is one Sgemm call with random operands.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

// newProblem builds random operands; pad adds unused columns to every
// leading dimension, and C starts as NaN when beta = 0.
func newProblem(rng *rand.Rand, transA, transB bool, m, n, k, pad int, alpha, beta float32) *problem {
	p := &problem{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	p.lda, p.ldb, p.ldc = ac+pad, bc+pad, n+pad
	p.a = randSlice(rng, max(0, (ar-1)*p.lda+ac))
	p.b = randSlice(rng, max(0, (br-1)*p.ldb+bc))
	p.c = randSlice(rng, max(0, (m-1)*p.ldc+n))
	if beta == 0 {
		for i := range p.c {
			p.c[i] = float32(math.NaN())
		}
	}
	return p
}

// randSlice returns n uniform values in [-1, 1).
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// at is element (i, j) of op(a).
func (p *problem) at(a []float32, ld int, trans bool, i, j int) float64 {
	if trans {
		return float64(a[j*ld+i])
	}
	return float64(a[i*ld+j])
}

// run multiplies on e into a copy of C and returns it.
func (p *problem) run(e *Engine) []float32 {
	c := append([]float32(nil), p.c...)
	e.Sgemm(p.transA, p.transB, p.m, p.n, p.k, p.alpha, p.a, p.lda, p.b, p.ldb, p.beta, c, p.ldc)
	return c
}

// check compares got with a float64 reference. The tolerance is the classic
// forward-error bound of a float32 dot product, with a few extra roundings
// for alpha, beta and the K blocks:
//
//	|C − Cref| ≤ (k + 2·⌈k/kC⌉ + 4)·2⁻²⁴ · (|α|·Σₚ|a_ip·b_pj| + |β·c_ij|)
//
// It also checks that columns past n (the padding) were not written.
func (p *problem) check(t *testing.T, got []float32, label string) {
	t.Helper()
	u := p.unit()
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.ldc && i*p.ldc+j < len(got); j++ {
			idx := i*p.ldc + j
			if j >= p.n {
				if math.Float32bits(got[idx]) != math.Float32bits(p.c[idx]) {
					t.Fatalf("%s: padding C[%d,%d] overwritten", label, i, j)
				}
				continue
			}
			var sum, mag float64
			for q := 0; q < p.k; q++ {
				x := p.at(p.a, p.lda, p.transA, i, q) * p.at(p.b, p.ldb, p.transB, q, j)
				sum += x
				mag += math.Abs(x)
			}
			want := float64(p.alpha) * sum
			bound := math.Abs(float64(p.alpha)) * mag
			if p.beta != 0 {
				want += float64(p.beta) * float64(p.c[idx])
				bound += math.Abs(float64(p.beta) * float64(p.c[idx]))
			}
			if d := math.Abs(float64(got[idx]) - want); !(d <= u*bound) {
				t.Fatalf("%s: C[%d,%d] = %g, want %g (error %.3g > bound %.3g)", label, i, j, got[idx], want, d, u*bound)
			}
		}
	}
}

// unit is the relative error bound of check: (k + 2·⌈k/kC⌉ + 4)·2⁻²⁴.
func (p *problem) unit() float64 {
	return (float64(p.k) + 2*float64((p.k+kC-1)/kC) + 4) * math.Exp2(-24)
}

// bound is check's error bound for element idx = i·ldc + j of C.
func (p *problem) bound(i, j int) float64 {
	var mag float64
	for q := 0; q < p.k; q++ {
		mag += math.Abs(p.at(p.a, p.lda, p.transA, i, q) * p.at(p.b, p.ldb, p.transB, q, j))
	}
	b := math.Abs(float64(p.alpha)) * mag
	if p.beta != 0 {
		b += math.Abs(float64(p.beta) * float64(p.c[i*p.ldc+j]))
	}
	return p.unit() * b
}

// shapes (m, n, k) cover 1×1×1, primes, tiles with 6- and 12-row and 16-
// and 32-column edges (a 12-row tile with only its first A panel, 8-column
// groups of a 32-wide panel), several K blocks, long K and more than one N
// block.
var shapes = [][3]int{
	{1, 1, 1}, {1, 1, 7}, {2, 3, 5}, {6, 16, 1}, {6, 16, 4}, {6, 16, 17},
	{5, 15, 3}, {7, 17, 9}, {12, 32, 64}, {11, 13, 17}, {13, 31, 257},
	{1, 100, 3}, {100, 1, 3}, {3, 5, 1000}, {61, 67, 71}, {37, 41, 600},
	{251, 33, 20}, {9, 20, 3001}, {7, 4113, 5},
	{12, 32, 1}, {24, 64, 9}, {18, 40, 33}, {30, 24, 130}, {23, 57, 300},
	{96, 75, 70}, {75, 96, 96}, {6, 200, 41}, {245, 4130, 12},
}

// TestSgemmMatchesReference runs both paths on every shape, transpose
// combination and a rotation of alpha/beta against the float64 reference.
func TestSgemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	scalars := [][2]float32{{1, 0}, {0.5, 2}, {-1.5, 1}, {1, -0.5}}
	for _, kname := range paths() {
		e := newEngine(2, kname)
		for si, sh := range shapes {
			for ti := 0; ti < 4; ti++ {
				ab := scalars[(si+ti)%len(scalars)]
				p := newProblem(rng, ti&1 != 0, ti&2 != 0, sh[0], sh[1], sh[2], si%3, ab[0], ab[1])
				label := fmt.Sprintf("%s %dx%dx%d tA=%v tB=%v α=%g β=%g", kname, sh[0], sh[1], sh[2], p.transA, p.transB, ab[0], ab[1])
				p.check(t, p.run(e), label)
			}
		}
	}
}

// TestKernelsAgree runs every supported path on the same inputs. Each must
// meet the bound, so two paths differ by at most twice check's bound
// (2·(k + 2⌈k/kC⌉ + 4)·2⁻²⁴·(|α|·Σ|a·b| + |β·c|)); the portable kernel
// rounds each product, so it is not bit-equal to the assembly. The AVX2 and
// AVX-512 kernels compute every element by the same operations (one FMA
// chain from zero in K order, ·alpha, one FMA with beta·C), so with the same
// K blocks — always when k ≤ kC — they give identical bits.
func TestKernelsAgree(t *testing.T) {
	ps := paths()
	if len(ps) < 2 {
		t.Skip("only the portable kernel is available on this CPU/build")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i, sh := range [][3]int{{6, 16, 8}, {50, 70, 300}, {97, 33, 1000}, {12, 48, 263}, {75, 96, 96}, {37, 85, 200}, {13, 250, 31}} {
		p := newProblem(rng, i&1 != 0, i&2 != 0, sh[0], sh[1], sh[2], 1, 1.5, float32(i%2))
		outs := map[string][]float32{}
		for _, name := range ps {
			got := p.run(newEngine(1+i%2, name))
			p.check(t, got, name)
			outs[name] = got
		}
		for x := range ps {
			for y := x + 1; y < len(ps); y++ {
				gx, gy := outs[ps[x]], outs[ps[y]]
				bitEqual := ps[x] != "generic" && sh[2] <= kC
				for r := 0; r < p.m; r++ {
					for c := 0; c < p.n; c++ {
						j := r*p.ldc + c
						if bitEqual && math.Float32bits(gx[j]) != math.Float32bits(gy[j]) {
							t.Fatalf("%v: %s and %s differ at (%d,%d): %g vs %g", sh, ps[x], ps[y], r, c, gx[j], gy[j])
						}
						if d := math.Abs(float64(gx[j] - gy[j])); !(d <= 2*p.bound(r, c)) {
							t.Fatalf("%v: %s and %s differ by %g at (%d,%d), over %g", sh, ps[x], ps[y], d, r, c, 2*p.bound(r, c))
						}
					}
				}
			}
		}
	}
}

// TestThreadCountBitIdentical checks that 1, 2 and 3 threads give the same
// bits, on shapes that really use that many threads.
func TestThreadCountBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct {
		tA, tB  bool
		m, n, k int
	}{
		{false, false, 203, 301, 97}, // one step, chunks split rows and columns
		{true, false, 75, 4200, 96},  // two N blocks, few row tiles
		{false, true, 96, 75, 700},   // three K blocks, tiny C
		{true, true, 130, 150, 520},  // everything transposed
		{false, false, 1, 5000, 200}, // a single row
		{false, false, 4000, 1, 200}, // a single column
		{false, false, 29, 37, 9000}, // K much larger than C: many dependent steps
	}
	for _, tc := range cases {
		p := newProblem(rng, tc.tA, tc.tB, tc.m, tc.n, tc.k, 0, 1.25, 0.75)
		for _, path := range paths() {
			want := p.run(newEngine(1, path))
			p.check(t, want, path)
			for _, th := range []int{2, 3} {
				if got := threadsFor(th, tc.m, tc.n, tc.k); got != th {
					t.Fatalf("%+v uses %d threads, want %d", tc, got, th)
				}
				got := p.run(newEngine(th, path))
				for i := range want {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s %+v: %d threads differ at %d: %g vs %g", path, tc, th, i, got[i], want[i])
					}
				}
			}
		}
	}
}

// TestZeroAllocs checks that warm calls, multi- and single-threaded, do not
// allocate.
func TestZeroAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	p := newProblem(rng, false, true, 130, 4300, 300, 0, 1, 1)
	e := New(2)
	c := append([]float32(nil), p.c...)
	call := func() {
		e.Sgemm(p.transA, p.transB, p.m, p.n, p.k, 1, p.a, p.lda, p.b, p.ldb, 0, c, p.ldc)
	}
	call() // warm-up: grows buffers, starts workers
	if n := testing.AllocsPerRun(5, call); n != 0 {
		t.Fatalf("Sgemm allocates %v times per call after warm-up", n)
	}
	small := func() { e.Sgemm(false, false, 3, 4, 5, 1, p.a, 5, p.b, 4, 0, c, 4) }
	if n := testing.AllocsPerRun(20, small); n != 0 {
		t.Fatalf("small Sgemm allocates %v times per call", n)
	}
}

// TestEnginesIndependent runs two Engines at once from two goroutines.
func TestEnginesIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	ps := []*problem{
		newProblem(rng, false, false, 150, 170, 190, 0, 1, 0),
		newProblem(rng, true, true, 90, 310, 130, 2, -1, 0.5),
	}
	want := [][]float32{ps[0].run(New(1)), ps[1].run(New(1))}
	var wg sync.WaitGroup
	got := make([][]float32, 2)
	for i := range ps {
		wg.Go(func() {
			e := New(2)
			for r := 0; r < 5; r++ {
				got[i] = ps[i].run(e)
			}
		})
	}
	wg.Wait()
	for i := range ps {
		for j := range want[i] {
			if math.Float32bits(got[i][j]) != math.Float32bits(want[i][j]) {
				t.Fatalf("engine %d: element %d differs", i, j)
			}
		}
	}
}

// TestDegenerate covers k = 0, alpha = 0, m = 0 and SetThreads(0).
func TestDegenerate(t *testing.T) {
	e := New(2)
	c := []float32{1, 2, float32(math.NaN()), 4, 5, 6}
	e.Sgemm(false, false, 2, 3, 0, 1, nil, 1, nil, 3, 2, c, 3) // k = 0: C = βC
	if c[0] != 2 || c[5] != 12 {
		t.Fatalf("k=0, β=2: got %v", c)
	}
	a, b := []float32{1, 2}, []float32{3, 4, 5}
	e.Sgemm(false, false, 2, 3, 1, 0, a, 1, b, 3, 0, c, 3) // α = 0, β = 0: zeros
	for i, v := range c {
		if v != 0 {
			t.Fatalf("α=0, β=0: C[%d] = %v", i, v)
		}
	}
	e.Sgemm(false, false, 0, 3, 1, 1, nil, 1, b, 3, 0, nil, 3) // m = 0: no-op
	e.SetThreads(0)
	if e.Threads() != 1 {
		t.Fatalf("SetThreads(0) gave %d threads", e.Threads())
	}
}

// TestBadArgsPanic checks the argument validation.
func TestBadArgsPanic(t *testing.T) {
	e := New(1)
	for name, f := range map[string]func(){
		"negative m": func() { e.Sgemm(false, false, -1, 1, 1, 1, nil, 1, nil, 1, 0, nil, 1) },
		"short lda": func() {
			e.Sgemm(false, false, 2, 2, 3, 1, make([]float32, 6), 2, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		},
		"short a": func() {
			e.Sgemm(true, false, 2, 2, 3, 1, make([]float32, 5), 2, make([]float32, 6), 2, 0, make([]float32, 4), 2)
		},
		"short c": func() {
			e.Sgemm(false, true, 2, 2, 3, 1, make([]float32, 6), 3, make([]float32, 6), 3, 0, make([]float32, 3), 2)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

// TestKernelISA checks that KernelISA and Features name the path new
// Engines run, the fastest supported one unless GHLSIM_CPU_ISA forces a
// supported other.
func TestKernelISA(t *testing.T) {
	ps := supportedPaths()
	want := ps[len(ps)-1]
	if v := os.Getenv(ISAEnv); v != "" && isaErr == nil {
		want, _ = pathNamed(v)
	}
	if KernelISA() != want.isa || Features() != want.features || New(1).ISA() != want.isa {
		t.Fatalf("KernelISA() = %q, Features() = %q, Engine.ISA() = %q; want path %q", KernelISA(), Features(), New(1).ISA(), want.isa)
	}
	if e := newEngine(1, "generic"); e.ISA() != "generic" || e.s.simd {
		t.Fatalf("forced generic engine runs %q (simd %v)", e.ISA(), e.s.simd)
	}
	if runtime.GOARCH == "amd64" && cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA && os.Getenv(ISAEnv) == "" && !purego && KernelISA() != "avx512" {
		t.Fatalf("AVX-512 CPU runs %q", KernelISA())
	}
	t.Logf("KernelISA() = %q, Features() = %q, supported %v, ISAError() = %v", KernelISA(), Features(), paths(), ISAError())
}

// TestChoosePath checks how GHLSIM_CPU_ISA values select a path: unset
// picks the fastest, a supported name that path, and an unknown or
// unsupported name is an error naming the variable, with the fastest path.
func TestChoosePath(t *testing.T) {
	avail := []kernelPath{genericPath, {isa: "avx2"}}
	for _, tc := range []struct {
		v, want, err string
	}{
		{"", "avx2", ""},
		{"generic", "generic", ""},
		{" AVX2 ", "avx2", ""},
		{"avx512", "avx2", "supports only generic, avx2"},
		{"sse", "avx2", "unknown GEMM path"},
	} {
		p, err := choosePath(tc.v, avail)
		if p.isa != tc.want || (err == nil) != (tc.err == "") || err != nil && (!strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), ISAEnv)) {
			t.Errorf("choosePath(%q) = %q, %v; want %q, error containing %q", tc.v, p.isa, err, tc.want, tc.err)
		}
	}
	if isaErr != nil && os.Getenv(ISAEnv) == "" {
		t.Fatalf("ISAError() = %v with %s unset", isaErr, ISAEnv)
	}
}

// TestEngineCleanupStopsHelpers checks that the helper goroutines of an
// unreachable Engine end.
func TestEngineCleanupStopsHelpers(t *testing.T) {
	s := func() *crew {
		e := New(4)
		a := make([]float32, 200*200)
		c := make([]float32, 200*200)
		e.Sgemm(false, false, 200, 200, 200, 1, a, 200, a, 200, 0, c, 200) // starts helpers
		if n := e.s.team.crew.live.Load(); n != 3 {
			t.Fatalf("%d helpers after a 4-thread call, want 3", n)
		}
		return e.s.team.crew
	}()
	for i := 0; i < 200 && s.live.Load() > 0; i++ {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	if n := s.live.Load(); n != 0 {
		t.Fatalf("%d helpers still run after their Engine was dropped", n)
	}
}

// TestISAEnvForcesPath runs TestKernelISA in child processes with
// GHLSIM_CPU_ISA set to each path name and to unsupported values: a
// supported name is the path in use, anything else falls back to the
// fastest supported path with ISAError set.
func TestISAEnvForcesPath(t *testing.T) {
	if os.Getenv(ISAEnv) != "" {
		t.Skip("already a child")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	ps := paths()
	for _, v := range []string{"generic", "avx2", "avx512", "sse9"} {
		want, supported := v, false
		for _, p := range ps {
			supported = supported || p == v
		}
		if !supported {
			want = ps[len(ps)-1]
		}
		cmd := exec.Command(exe, "-test.run", "^TestKernelISA$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), ISAEnv+"="+v)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s=%s: %v\n%s", ISAEnv, v, err, out)
		}
		hasErr := !strings.Contains(string(out), "ISAError() = <nil>")
		if !strings.Contains(string(out), fmt.Sprintf("KernelISA() = %q", want)) || hasErr == supported {
			t.Fatalf("%s=%s: want path %s (error %v), got\n%s", ISAEnv, v, want, !supported, out)
		}
	}
}
