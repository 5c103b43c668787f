package cpu_test

import (
	"fmt"
	"strings"
	"testing"

	"ghlsim/backends"
	"ghlsim/backends/backendtest"
	"ghlsim/backends/cpu"
)

// TestConformance runs the backend conformance suite with 1, 2 and 3 worker
// threads (3 splits work unevenly over 2 cores).
func TestConformance(t *testing.T) {
	for _, n := range []int{2, 1, 3} {
		t.Run(fmt.Sprintf("threads=%d", n), func(t *testing.T) {
			backendtest.Conformance(t, func() backends.Backend { return cpu.New(n) })
		})
	}
}

// TestConformanceConvAlgorithms runs the suite with every 3×3, stride-1,
// padded convolution forced through Winograd F(2×2, 3×3) (the conformance
// shapes are below ConvAuto's channel threshold) and with im2col everywhere.
func TestConformanceConvAlgorithms(t *testing.T) {
	for _, a := range []cpu.ConvAlgorithm{cpu.ConvWinograd, cpu.ConvIm2col} {
		for _, n := range []int{2, 1} {
			t.Run(fmt.Sprintf("%s/threads=%d", a, n), func(t *testing.T) {
				backendtest.Conformance(t, func() backends.Backend {
					b := cpu.New(n)
					b.SetConvAlgorithm(a)
					return b
				})
			})
		}
	}
}

// TestRegisteredConvAlgorithm: the registered backend takes its convolution
// algorithm from GHLSIM_CPU_CONV, records it in Device, and rejects an
// unknown value with an error naming the variable and the valid choices.
func TestRegisteredConvAlgorithm(t *testing.T) {
	t.Setenv("GHLSIM_CPU_CONV", "im2col")
	b, err := backends.New("cpu")
	if err != nil {
		t.Fatal(err)
	}
	if c := b.(*cpu.Backend).ConvAlgorithm(); c != cpu.ConvIm2col || !strings.Contains(b.Device(), "conv im2col") {
		t.Errorf("algorithm %v, device %q", c, b.Device())
	}
	b.Close()
	t.Setenv("GHLSIM_CPU_CONV", "fft")
	if _, err := backends.New("cpu"); err == nil || !strings.Contains(err.Error(), "GHLSIM_CPU_CONV") || !strings.Contains(err.Error(), "auto, im2col or winograd") {
		t.Errorf("GHLSIM_CPU_CONV=fft: got %v", err)
	}
}

// TestNewHonoursConvEnv: cpu.New and cpu.Open read GHLSIM_CPU_CONV like
// the registered backend (New used to ignore it); an unknown value is an
// error from Open and a panic naming the variable from New.
func TestNewHonoursConvEnv(t *testing.T) {
	t.Setenv("GHLSIM_CPU_CONV", "im2col")
	b := cpu.New(1)
	if c := b.ConvAlgorithm(); c != cpu.ConvIm2col || !strings.Contains(b.Device(), "conv im2col") {
		t.Errorf("cpu.New: algorithm %v, device %q", c, b.Device())
	}
	b.Close()
	t.Setenv("GHLSIM_CPU_CONV", "winograd")
	if b, err := cpu.Open(2); err != nil || b.ConvAlgorithm() != cpu.ConvWinograd {
		t.Errorf("cpu.Open: %v, %v", b, err)
	} else {
		b.Close()
	}
	t.Setenv("GHLSIM_CPU_CONV", "")
	if b := cpu.New(1); b.ConvAlgorithm() != cpu.ConvAuto {
		t.Errorf("empty GHLSIM_CPU_CONV: algorithm %v, want auto", b.ConvAlgorithm())
	}
	t.Setenv("GHLSIM_CPU_CONV", "fft")
	if _, err := cpu.Open(1); err == nil || !strings.Contains(err.Error(), "GHLSIM_CPU_CONV") {
		t.Errorf("cpu.Open with GHLSIM_CPU_CONV=fft: got %v", err)
	}
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "GHLSIM_CPU_CONV") {
				t.Errorf("cpu.New with GHLSIM_CPU_CONV=fft: recovered %v", r)
			}
		}()
		cpu.New(1)
	}()
}
