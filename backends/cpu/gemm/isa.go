package gemm

import (
	"fmt"
	"os"
	"strings"
)

// ISAEnv is the environment variable that forces the GEMM code path:
// "generic" (portable Go), "avx2" (6×16 AVX2+FMA) or "avx512" (12×32
// AVX-512F). Unset or empty selects the fastest path the CPU supports. It
// is read once, when the package initialises.
const ISAEnv = "GHLSIM_CPU_ISA"

// kernelPath is one code path: a micro-kernel, its tile and the packers.
type kernelPath struct {
	isa      string      // KernelISA name: generic, avx2 or avx512
	features string      // Features text: "", " AVX2+FMA", " AVX-512F"
	kern     microKernel // the tm×tn micro-kernel
	simd     bool        // pack with the assembly routines
	tm, tn   int         // tile rows (a multiple of mr) and columns (B panel width)
}

// isaNames lists the values ISAEnv accepts, in order of preference.
var isaNames = []string{"avx512", "avx2", "generic"}

// chosen is the path new Engines use; isaErr explains why ISAEnv could not
// be honoured (nil when it was, or when it is unset).
var chosen, isaErr = choosePath(os.Getenv(ISAEnv), supportedPaths())

// choosePath picks the path ISAEnv's value v names among avail (ordered
// from portable to fastest). Unset picks the fastest; an unknown value or
// a path the CPU or build lacks is an error, and the fastest path is
// returned with it, so callers that ignore the error still run correctly.
func choosePath(v string, avail []kernelPath) (kernelPath, error) {
	best := avail[len(avail)-1]
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return best, nil
	}
	for _, p := range avail {
		if p.isa == v {
			return p, nil
		}
	}
	known := false
	for _, n := range isaNames {
		known = known || n == v
	}
	var names []string
	for _, p := range avail {
		names = append(names, p.isa)
	}
	if !known {
		return best, fmt.Errorf("%s=%q: unknown GEMM path (want generic, avx2 or avx512); using %s", ISAEnv, v, best.isa)
	}
	return best, fmt.Errorf("%s=%q: this CPU or build supports only %s; using %s", ISAEnv, v, strings.Join(names, ", "), best.isa)
}

// pathNamed returns the supported path called name.
func pathNamed(name string) (kernelPath, bool) {
	for _, p := range supportedPaths() {
		if p.isa == name {
			return p, true
		}
	}
	return kernelPath{}, false
}

// KernelISA names the GEMM path new Engines use: "avx512" (12×32 AVX-512F
// tile), "avx2" (6×16 AVX2+FMA) or "generic" (portable Go), the fastest the
// CPU supports unless GHLSIM_CPU_ISA forces another.
func KernelISA() string { return chosen.isa }

// ISAError reports a GHLSIM_CPU_ISA value that could not be honoured (an
// unknown name, or a path this CPU or build lacks), or nil. The package
// then runs the fastest supported path (KernelISA), so the error is for
// callers that want to refuse such a setting, as the cpu backend's opening
// should.
func ISAError() error { return isaErr }

// Features names the instruction-set extensions of the path in use: " AVX-512F",
// " AVX2+FMA", or "" for the portable Go kernel.
func Features() string { return chosen.features }

// genericPath is the portable kernel and packers.
var genericPath = kernelPath{isa: "generic", kern: kernelGeneric, tm: mr, tn: nr}
