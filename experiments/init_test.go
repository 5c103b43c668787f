package experiments

import (
	"bytes"
	"math"
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

// trainedWeights trains a tiny 1-epoch run and returns its weights file.
func trainedWeights(t *testing.T) (TrainConfig, safetensors.File) {
	t.Helper()
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
	return c, f
}

// writeST writes a safetensors file and returns its path.
func writeST(t *testing.T, f safetensors.File, path string) string {
	t.Helper()
	b, err := safetensors.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestInitWithNaNNamesFileAndTensor: a NaN in --init weights used to stop
// the first step with "the last good checkpoint is …/checkpoint.ckpt", a
// file that did not exist, and left the run directory behind; the error now
// names the init file and the tensor, and the directory is gone.
func TestInitWithNaNNamesFileAndTensor(t *testing.T) {
	c, f := trainedWeights(t)
	w := f.Tensors["conv1.weight"]
	w.Data[5] = float32(math.NaN())
	init := writeST(t, f, filepath.Join(t.TempDir(), "bad.safetensors"))
	out := filepath.Join(t.TempDir(), "run")
	o := opts(out)
	o.Init = init
	_, err := Train(c, o)
	if err == nil {
		t.Fatal("trained from NaN weights")
	}
	for _, want := range []string{init, "conv1.weight", "NaN", "element 5"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "checkpoint") {
		t.Errorf("error %q points at a checkpoint", err)
	}
	if _, serr := os.Stat(out); !os.IsNotExist(serr) {
		t.Errorf("a failed --init left the run directory %s behind (%v)", out, serr)
	}
}

// TestResumeBeforeCheckpointReappliesInit: --init was not recorded, so a
// --resume of a run that died before its first checkpoint silently started
// over from random weights. config.json now records the file's path and
// SHA-256; the resumed run starts from the same weights (bit-identical to
// an uninterrupted run), and is refused when the file has changed or gone.
func TestResumeBeforeCheckpointReappliesInit(t *testing.T) {
	c, f := trainedWeights(t)
	init := writeST(t, f, filepath.Join(t.TempDir(), "init.safetensors"))
	o := opts(t.TempDir())
	o.Init = init
	if _, err := Train(c, o); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(o.Out, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	info, err := runfiles.ReadJSON[runfiles.RunInfo](filepath.Join(o.Out, runfiles.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	sum, _ := fileSHA256(init)
	if info.Init == nil || info.Init.Path != init || info.Init.SHA256 != sum {
		t.Fatalf("config.json init record %+v, want path %s sha256 %s", info.Init, init, sum)
	}
	// The run "died before its first checkpoint".
	dieEarly := func() {
		for _, name := range []string{runfiles.CheckpointFile, runfiles.MetricsFile, runfiles.WeightsFile} {
			os.Remove(filepath.Join(o.Out, name))
		}
	}
	dieEarly()
	r := opts(o.Out)
	r.Resume = true
	if _, err := Train(c, r); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(o.Out, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the resumed run's weights differ from the uninterrupted run's: --init was not re-applied")
	}
	// A changed init file is refused.
	dieEarly()
	f.Tensors["conv1.weight"].Data[0] += 1
	writeST(t, f, init)
	_, err = Train(c, r)
	if err == nil || !strings.Contains(err.Error(), "has changed") || !strings.Contains(err.Error(), init) {
		t.Fatalf("resume with a changed init file: %v", err)
	}
	// So is a missing one.
	os.Remove(init)
	_, err = Train(c, r)
	if err == nil || !strings.Contains(err.Error(), "no longer exists") || !strings.Contains(err.Error(), sum) {
		t.Fatalf("resume with the init file gone: %v", err)
	}
}
