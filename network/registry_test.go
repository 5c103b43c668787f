package network

import (
	"slices"
	"strings"
	"testing"

	"ghlsim/internal/noinit"
	"ghlsim/internal/registry"
)

// TestBuiltinArchsListedOnce: builtinArchs names each architecture once,
// every one with a summary and a builder, and ArchNames lists exactly them.
func TestBuiltinArchsListedOnce(t *testing.T) {
	want := []string{"deephebb", "fasthebb", "resnet110", "resnet110-b", "resnet1202", "resnet1202-b", "resnet20", "resnet20-b",
		"resnet32", "resnet32-b", "resnet44", "resnet44-b", "resnet56", "resnet56-b", "vgg11", "vgg16"}
	var names []string
	for _, a := range builtinArchs {
		names = append(names, a.name)
		if a.summary == "" || a.build == nil {
			t.Errorf("%s: summary %q, builder %v", a.name, a.summary, a.build != nil)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("builtinArchs lists %v, want each of %v once", names, want)
	}
	if !slices.Equal(ArchNames(), want) {
		t.Errorf("ArchNames() = %v", ArchNames())
	}
}

// TestRegisterArchExtends: an architecture a program adds is built by name
// after the built-ins; a taken name panics.
func TestRegisterArchExtends(t *testing.T) {
	// A fresh registry for this test: the architecture it adds stays out
	// of the package's other tests.
	saved := archs
	archs = registry.New("network: architecture", func(a archEntry) string { return a.name }, builtinArchs)
	defer func() { archs = saved }()
	RegisterArch("test-arch", "a test architecture", buildDeepHebb)
	if ArchSummary("test-arch") != "a test architecture" || !slices.Contains(ArchNames(), "test-arch") {
		t.Errorf("test-arch not listed: %v", ArchNames())
	}
	// Found by name: the options are checked, not "unknown architecture".
	if err := BuildArch(nil, "test-arch", ArchOptions{}); err == nil || strings.Contains(err.Error(), "unknown") {
		t.Errorf("BuildArch(test-arch) = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("RegisterArch(deephebb) did not panic")
		}
	}()
	RegisterArch("deephebb", "dup", buildDeepHebb)
}

// TestNoInitFuncs: the package fills nothing at init time (its
// architectures are the builtinArchs literal).
func TestNoInitFuncs(t *testing.T) {
	got, err := noinit.Funcs(".")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > 0 {
		t.Errorf("func init() in %v: list built-ins in archs.go instead", got)
	}
}
