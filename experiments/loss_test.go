package experiments

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"ghlsim/internal/runfiles"
	"ghlsim/internal/safetensors"
	"ghlsim/network"
)

// TestEpochLossIsTheEndOfEpochModels: "ghl train --rule sign" printed
// "loss 2.3131" (≈ ln 10) beside 93.8 % test accuracy. That number was the
// running mean of the training loss over the epoch's steps: Sign's losses
// are 2.4–9.5 over the first ten steps and ≈ 0.2 by the last, so the mean
// landed near chance level by coincidence. The summary now leads with the
// end-of-epoch model's validation loss (test loss without a validation
// split), recorded as val_loss / test_loss, and labels the running means.
// The recorded val_loss must be the loss of the saved weights on the
// validation split.
func TestEpochLossIsTheEndOfEpochModels(t *testing.T) {
	c := tinyConfig("sign")
	c.Epochs = 1
	var log bytes.Buffer
	o := opts(t.TempDir())
	o.Log = &log
	res, err := Train(c, o)
	if err != nil {
		t.Fatal(err)
	}
	rec := res.Epochs[0]
	if rec.ValLoss <= 0 || rec.TestLoss <= 0 {
		t.Fatalf("val_loss %v, test_loss %v: not recorded", rec.ValLoss, rec.TestLoss)
	}
	for _, want := range []string{fmt.Sprintf("val loss %.4f", rec.ValLoss), "(end of epoch)", "running means over the epoch's 9 steps"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, log.String())
		}
	}
	// Recompute the validation loss of the saved weights.
	tr := &trainer{cfg: c, opt: o}
	tr.cfg.RuleDefaults()
	tr.b, _ = o.OpenBackend("cpu")
	if tr.data, err = loadData(tr.cfg); err != nil {
		t.Fatal(err)
	}
	if tr.net, err = tr.buildNet(tr.cfg.Batch); err != nil {
		t.Fatal(err)
	}
	f, err := safetensors.ReadFile(filepath.Join(o.Out, runfiles.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	state := map[string]network.HostTensor{}
	for name, ts := range f.Tensors {
		state[name] = network.HostTensor{Shape: ts.Shape, Data: ts.Data}
	}
	if err := tr.net.LoadState(state, true, network.KindWeight, network.KindBuffer); err != nil {
		t.Fatal(err)
	}
	loss, _, err := evaluate(tr, tr.data.val)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(loss-rec.ValLoss) > 1e-9 {
		t.Errorf("recorded val_loss %v, the saved model's validation loss %v", rec.ValLoss, loss)
	}

	c.ValFraction = 0
	log.Reset()
	o = opts(t.TempDir())
	o.Log = &log
	if _, err := Train(c, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "test loss ") || !strings.Contains(log.String(), "(no validation split)") {
		t.Errorf("without validation the summary should lead with the test loss:\n%s", log.String())
	}
}
