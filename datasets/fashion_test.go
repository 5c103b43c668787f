package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadFashionMNISTMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fashion-mnist")
	_, _, err := LoadFashionMNIST(dir)
	wantErr(t, err, ErrNotFound, dir, "apt-get install -y --reinstall dataset-fashion-mnist", "--data DIR")
}

func TestLoadFashionMNISTFake(t *testing.T) {
	dir := t.TempDir()
	want, _ := fakeMNIST(t, dir)
	train, test, err := Load("fashion-mnist", dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Name != "fashion-mnist" || train.ClassNames[9] != "Ankle boot" || !bytesEqual(train.Pixels, want.Pixels) || test.Len() != 5 {
		t.Fatalf("loaded %+v", train)
	}
}

func TestLoadFashionMNISTReal(t *testing.T) {
	if _, err := os.Stat(filepath.Join(FashionMNISTDir, "train-images-idx3-ubyte.gz")); err != nil {
		t.Skip("dataset-fashion-mnist is not installed")
	}
	train, test, err := LoadFashionMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.H != 28 || train.W != 28 {
		t.Fatalf("Fashion-MNIST shape: train %d test %d %d×%d", train.Len(), test.Len(), train.H, train.W)
	}
	for c, n := range train.ClassCounts() {
		if n != 6000 || test.ClassCounts()[c] != 1000 {
			t.Fatalf("class %d has %d/%d samples, want 6000/1000", c, n, test.ClassCounts()[c])
		}
	}
	mean, std := NormStats(train)
	if d := mean[0] - FashionMNISTMean; d > 1e-3 || d < -1e-3 {
		t.Errorf("Fashion-MNIST mean %v, want %v", mean[0], FashionMNISTMean)
	}
	if d := std[0] - FashionMNISTStd; d > 1e-3 || d < -1e-3 {
		t.Errorf("Fashion-MNIST std %v, want %v", std[0], FashionMNISTStd)
	}
}
