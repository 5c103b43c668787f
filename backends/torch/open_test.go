package torch

import (
	"errors"
	"os"
	"testing"

	"ghlsim/backends"
)

// requireTorch reports whether a missing shim must fail the tests
// (GHLSIM_REQUIRE_TORCH=1, set by CI) instead of skipping them.
func requireTorch() bool { return os.Getenv("GHLSIM_REQUIRE_TORCH") == "1" }

// openOrSkip opens the torch backend called name ("torch:cpu",
// "torch:cuda:0"). A missing shim skips the test, or fails it under
// GHLSIM_REQUIRE_TORCH=1; a missing CUDA device always skips.
func openOrSkip(t testing.TB, name string) *Backend {
	t.Helper()
	bk, err := backends.New(name)
	if err != nil {
		if errors.Is(err, ErrUnavailable) && requireTorch() {
			t.Fatalf("GHLSIM_REQUIRE_TORCH=1 but %s cannot be opened: %v", name, err)
		}
		t.Skipf("%s unavailable: %v", name, err)
	}
	t.Cleanup(func() { bk.Close() })
	return bk.(*Backend)
}

// cudaName is the CUDA device the CUDA variants run on.
const cudaName = "torch:cuda:0"
