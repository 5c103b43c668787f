package plots

import (
	"strings"
	"testing"
)

// The report's summary says what a run trained on, the validation share
// held out by default included (issue: the default val_fraction 0.1
// silently trained on 90 %).
func TestDataSummary(t *testing.T) {
	for _, c := range []struct{ cfg, want string }{
		{`{"dataset":"mnist","val_fraction":0.1,"batch":64}`, "mnist: all training images, of which 10 % held out for validation (val_fraction 0.1) and 90 % trained on; tested on all test images; batch 64, the last partial batch kept"},
		{`{"dataset":"fashion-mnist","train_limit":6000,"test_limit":2000,"val_fraction":0,"batch":64,"drop_last":true}`, "fashion-mnist: the first 6000 training images, no validation split; tested on the first 2000 test images; batch 64, the last partial batch dropped"},
		{`{"dataset":"mnist","train_limit":30000,"batch":32,"net":{"Steps":8}}`, "no validation split; tested on all test images; batch 32, the last partial batch dropped"},
		{`{"duration_s":20}`, ""},
	} {
		got := dataSummary([]byte(c.cfg))
		if (c.want == "" && got != "") || !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.cfg, got, c.want)
		}
	}
}
