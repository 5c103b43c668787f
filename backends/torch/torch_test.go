package torch

import (
	"errors"
	"strings"
	"testing"

	"ghlsim/backends"
)

// TestMissingShim checks the error a machine without the shim gets: it wraps
// ErrUnavailable, names the library and says how to build it.
func TestMissingShim(t *testing.T) {
	t.Setenv("GHLSIM_SHIM", "/nonexistent/dir/"+ShimName)
	_, _, err := load()
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("load with a missing shim: %v, want ErrUnavailable", err)
	}
	for _, want := range []string{ShimName, "make -C backends/torch shim", "GHLSIM_SHIM"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestNamesAndDevices(t *testing.T) {
	b := openOrSkip(t, "torch:cpu")
	if b.Name() != "torch:cpu" || b.IsCUDA() {
		t.Errorf("Name %q IsCUDA %v", b.Name(), b.IsCUDA())
	}
	t.Logf("%s | %s | %s | %d threads | shim %s", b.Name(), b.Device(), b.Version(), b.Threads(), ShimPath())
	if !strings.Contains(b.Device(), "libtorch") || !strings.Contains(b.Version(), "libtorch") {
		t.Errorf("Device %q / Version %q lack the libtorch version", b.Device(), b.Version())
	}
	auto := openOrSkip(t, "torch")
	if auto.Name() != "torch:cpu" && auto.Name() != "torch:cuda:0" {
		t.Errorf("plain torch opened %q", auto.Name())
	}
	for _, bad := range []string{"torch:tpu", "torch:cuda:x", "torch:cuda:99"} {
		if _, err := backends.New(bad); err == nil {
			t.Errorf("%s opened", bad)
		} else if errors.Is(err, ErrUnavailable) {
			t.Errorf("%s: %v should not be ErrUnavailable", bad, err)
		}
	}
	b.SetThreads(1)
	if b.Threads() != 1 {
		t.Errorf("Threads %d after SetThreads(1)", b.Threads())
	}
	b.SetThreads(2)
	if b.Threads() != 2 {
		t.Errorf("Threads %d after SetThreads(2)", b.Threads())
	}
}

// TestViewsAlias checks that Reshape shares storage with its source, also
// after ops that compute into a fresh libtorch tensor and copy back.
func TestViewsAlias(t *testing.T) {
	b := openOrSkip(t, "torch:cpu")
	x := b.Alloc(backends.Shape{2, 3, 2, 2})
	flat := b.Reshape(x, backends.Shape{2, 12})
	b.Upload(x, seqData(24))
	y := b.Alloc(backends.Shape{2, 3, 2, 2})
	b.Activation(y, x, backends.ActParams{Kind: backends.ReLU})
	yv := b.Reshape(y, backends.Shape{24})
	b.Fill(flat, -1)
	b.Activation(y, x, backends.ActParams{Kind: backends.ReLU})
	got := make([]float32, 24)
	b.Download(got, yv)
	for i, v := range got {
		if v != 0 {
			t.Fatalf("view of y sees %v at %d after ReLU of a filled view, want 0", v, i)
		}
	}
}

func seqData(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(i) - float32(n)/2
	}
	return v
}

// TestPanics checks that programmer errors panic with the torch: prefix.
func TestPanics(t *testing.T) {
	b := openOrSkip(t, "torch:cpu")
	cases := map[string]func(){
		"shape mismatch": func() {
			b.Add(b.Alloc(backends.Shape{3}), b.Alloc(backends.Shape{3}), b.Alloc(backends.Shape{4}))
		},
		"wrong conv output": func() {
			b.Conv2D(b.Alloc(backends.Shape{1, 2, 5, 5}), b.Alloc(backends.Shape{1, 1, 4, 4}), b.Alloc(backends.Shape{2, 1, 3, 3}), nil, backends.ConvParams{Stride: 1, Pad: 1})
		},
		"bad label": func() {
			b.SoftmaxCrossEntropy(nil, b.Alloc(backends.Shape{1, 3}), []int32{3})
		},
		"foreign tensor": func() {
			other := openOrSkip(t, "torch:cpu")
			b.Copy(b.Alloc(backends.Shape{2}), other.Alloc(backends.Shape{2}))
		},
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				r := recover()
				s, _ := r.(string)
				if !strings.HasPrefix(s, "torch: ") {
					t.Errorf("panic %v, want a torch: message", r)
				}
			}()
			f()
		})
	}
	// The backend still works after a failed call.
	x := b.Alloc(backends.Shape{2})
	b.Fill(x, 3)
	if m := b.MaxAbs(x); m != 3 {
		t.Errorf("MaxAbs after panics = %v", m)
	}
}

func TestFree(t *testing.T) {
	b := openOrSkip(t, "torch:cpu")
	x := b.Alloc(backends.Shape{4})
	v := b.Reshape(x, backends.Shape{2, 2})
	b.Fill(x, 2)
	b.Free(x)
	b.Free(x) // no-op
	if m := b.MaxAbs(v); m != 2 {
		t.Errorf("view after freeing its source: MaxAbs %v, want 2", m)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("use after Free did not panic")
		}
	}()
	b.Fill(x, 1)
}

func TestUseAfterClose(t *testing.T) {
	b := openOrSkip(t, "torch:cpu")
	x := b.Alloc(backends.Shape{2})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("Fill after Close did not panic")
		}
	}()
	b.Fill(x, 1)
}

// TestNoAllocs checks that steady-state ops allocate nothing on the Go heap,
// on torch:cpu and (when present) torch:cuda:0.
func TestNoAllocs(t *testing.T) {
	for _, name := range []string{"torch:cpu", cudaName} {
		t.Run(name, func(t *testing.T) {
			b := openOrSkip(t, name)
			x := b.Alloc(backends.Shape{2, 3, 8, 8})
			w := b.Alloc(backends.Shape{4, 3, 3, 3})
			y := b.Alloc(backends.Shape{2, 4, 8, 8})
			h := b.Alloc(backends.Shape{4, 3, 3, 3})
			z := b.Alloc(backends.Shape{2, 256})
			host := make([]float32, x.Shape().Len())
			labels := []int32{1, 2}
			p := backends.ConvParams{Stride: 1, Pad: 1}
			n := testing.AllocsPerRun(20, func() {
				b.Upload(x, host)
				b.Conv2D(y, x, w, nil, p)
				b.Activation(y, y, backends.ActParams{Kind: backends.ReLU})
				b.OjaSWTA(h, x, y, w, backends.OjaParams{TInv: 1, Conv: p})
				b.ModulatedUpdate(w, h, h, 1, 0.1, 0.01)
				b.SoftmaxCrossEntropy(z, z, labels)
				b.Sync()
				b.Download(host, x)
			})
			if n != 0 {
				t.Errorf("%v allocations per step, want 0", n)
			}
		})
	}
}
