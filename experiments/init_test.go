package experiments

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
)

// TestInitIgnoresExtraTensors: --init with a file holding tensors the
// network does not have (PyTorch's bn1.num_batches_tracked) used to fail;
// the run now starts from the file's weights and logs the ignored names.
func TestInitIgnoresExtraTensors(t *testing.T) {
	c := tinyConfig("ghl")
	c.Epochs = 1
	first := t.TempDir()
	if _, err := Train(c, opts(first)); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(filepath.Join(first, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bn1.num_batches_tracked", "bn2.num_batches_tracked"} {
		f.Tensors[name] = safetensors.Tensor{Shape: []int{}, Data: []float32{100}}
	}
	b, err := safetensors.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	init := filepath.Join(t.TempDir(), "torch.safetensors")
	if err := os.WriteFile(init, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	o := opts(t.TempDir())
	o.Init, o.Log = init, &log
	if _, err := Train(c, o); err != nil {
		t.Fatal(err)
	}
	if want := "ignored 2 tensor(s) this network does not have: bn1.num_batches_tracked, bn2.num_batches_tracked"; !strings.Contains(log.String(), want) {
		t.Errorf("log lacks %q:\n%s", want, log.String())
	}
}
