package datasets

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadSynthetic(t *testing.T) {
	train, test, err := Load("synthetic", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 10000 || test.Len() != 2000 || train.C != 1 || train.H != 28 || train.Classes != 10 {
		t.Fatalf("default synthetic: %d/%d %d×%d×%d", train.Len(), test.Len(), train.C, train.H, train.W)
	}
	train, test, err = Load("synthetic", "n=30, test=6,c=3,h=8,w=9,classes=3,seed=4")
	if err != nil {
		t.Fatal(err)
	}
	all := Synthetic(36, 3, 8, 9, 3, 4)
	if !sameSet(train, all.Subset(seq(0, 30))) || !sameSet(test, all.Subset(seq(30, 36))) {
		t.Fatal("synthetic spec not honoured")
	}
	for _, bad := range []string{"n=-1", "c=0", "bogus=3", "n", "h=x"} {
		_, _, err := Load("synthetic", bad)
		wantErr(t, err, ErrConfig, "synthetic spec")
	}
}

func TestLoadUnknown(t *testing.T) {
	_, _, err := Load("imagenet", "")
	wantErr(t, err, ErrConfig, `unknown dataset "imagenet"`, "mnist, fashion-mnist, cifar10")
}

func TestLoadCIFAR10Binary(t *testing.T) {
	dir := t.TempDir()
	writeCIFAR10(t, filepath.Join(dir, "cifar-10-batches-bin"), 2)
	train, test, err := Load("cifar-10", dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 10 || test.Len() != 2 || train.Name != "cifar10" {
		t.Fatalf("got %d/%d %q", train.Len(), test.Len(), train.Name)
	}
	t.Setenv(DataEnv, dir)
	if train, _, err = Load("cifar10", ""); err != nil || train.Len() != 10 {
		t.Fatalf("$%s: %v", DataEnv, err)
	}
}

func TestLoadCIFAR10RejectsOtherFolders(t *testing.T) {
	entries, _, _ := folderFixture(t, "data/")
	path := writeFile(t, t.TempDir(), "x.tar.gz", tarGz(t, entries))
	t.Setenv(cacheEnv, t.TempDir())
	_, _, err := Load("cifar10", path)
	wantErr(t, err, ErrFormat, "not CIFAR-10", "imagefolder")
}

func TestLoadCIFAR100Missing(t *testing.T) {
	t.Setenv(DataEnv, "")
	_, _, err := Load("cifar100", "")
	wantErr(t, err, ErrNotFound, "train.bin")
}

// TestLoadCIFAR10Archive loads the real CIFAR-10 JPEG archive when it is
// present: cold (decoding 60,000 JPEGs) and then from the cache.
func TestLoadCIFAR10Archive(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes 60,000 JPEGs")
	}
	t.Setenv(DataEnv, "")
	path, err := DefaultCIFAR10()
	if err != nil {
		t.Skip("CIFAR-10 archive not present: ", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Skip(err)
	}
	t.Setenv(cacheEnv, t.TempDir())
	t0 := time.Now()
	train, test, err := Load("cifar10", "")
	if err != nil {
		t.Fatal(err)
	}
	cold := time.Since(t0)
	t0 = time.Now()
	train2, test2, err := Load("cifar10", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CIFAR-10 archive: cold %v, cached %v", cold, time.Since(t0))
	if train.Len() != 50000 || test.Len() != 10000 || train.C != 3 || train.H != 32 || train.W != 32 {
		t.Fatalf("shape %d/%d %d×%d×%d", train.Len(), test.Len(), train.C, train.H, train.W)
	}
	for c, n := range train.ClassCounts() {
		if n != 5000 || test.ClassCounts()[c] != 1000 {
			t.Fatalf("class %s: %d/%d samples", train.ClassNames[c], n, test.ClassCounts()[c])
		}
	}
	if !sameSet(train, train2) || !sameSet(test, test2) {
		t.Fatal("cached CIFAR-10 differs from the decoded one")
	}
	mean, std := NormStats(train)
	for ch, want := range []float32{0.4914, 0.4822, 0.4465} { // the canonical set's means
		if d := mean[ch] - want; d > 0.01 || d < -0.01 || std[ch] < 0.2 || std[ch] > 0.3 {
			t.Errorf("channel %d mean %.4f std %.4f, want mean ≈ %.4f", ch, mean[ch], std[ch], want)
		}
	}
}
