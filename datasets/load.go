package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"ghlsim/internal/quote"
)

// DataEnv names the environment variable of a folder that holds datasets
// Load cannot find on its own (cifar-10-batches-bin, cifar-100-binary,
// cifar10-jpeg.tar.gz).
const DataEnv = "GHLSIM_DATA"

// CIFAR10ArchiveName is the file name of the CIFAR-10 JPEG archive shipped in
// the project's shared/datasets folder.
const CIFAR10ArchiveName = "cifar10-jpeg.tar.gz"

// Names lists the dataset names Load accepts.
var Names = []string{"mnist", "fashion-mnist", "cifar10", "cifar100", "imagefolder", "synthetic"}

// canonicalName maps accepted spellings to the names in Names ("" if none).
func canonicalName(name string) string {
	switch strings.ToLower(name) {
	case "mnist":
		return "mnist"
	case "fashion-mnist", "fashion_mnist", "fashionmnist", "fashion":
		return "fashion-mnist"
	case "cifar10", "cifar-10":
		return "cifar10"
	case "cifar100", "cifar-100":
		return "cifar100"
	case "imagefolder", "image-folder", "folder":
		return "imagefolder"
	case "synthetic":
		return "synthetic"
	}
	return ""
}

// Load returns the training and test sets of a dataset by name; dir ""
// means the default location.
//
//   - mnist: dir holds the four idx files; default MNISTDir().
//   - fashion-mnist: dir holds the four idx files; default FashionMNISTDir.
//   - cifar10: dir is a folder of binary batches (or its parent), or an
//     image folder / archive with the ten canonical class folders; default
//     $GHLSIM_DATA/{cifar-10-batches-bin,cifar10-jpeg.tar.gz,cifar10}, then
//     shared/datasets/cifar10-jpeg.tar.gz in the working folder or any
//     folder above it.
//   - cifar100: dir holds train.bin and test.bin (or is their parent);
//     default $GHLSIM_DATA/cifar-100-binary.
//   - imagefolder: dir is the folder or archive (required).
//   - synthetic: dir is "" or a comma-separated spec such as
//     "n=10000,test=2000,c=1,h=28,w=28,classes=10,seed=1" (those are the
//     defaults); see Synthetic.
func Load(name, dir string) (train, test *Set, err error) {
	return LoadWith(name, dir, LoadOptions{})
}

// LoadOptions modify LoadWith.
type LoadOptions struct {
	// MaxImagePixels is the largest width × height an image folder (or the
	// CIFAR-10 image archive) may hold, checked from each header before
	// decoding; 0 means DefaultMaxImagePixels.
	MaxImagePixels int64
}

// LoadWith is Load with options.
func LoadWith(name, dir string, o LoadOptions) (train, test *Set, err error) {
	folder := ImageFolderOptions{MaxImagePixels: o.MaxImagePixels}
	switch canonicalName(name) {
	case "mnist":
		return LoadMNIST(dir)
	case "fashion-mnist":
		return LoadFashionMNIST(dir)
	case "cifar10":
		return loadCIFAR10(dir, folder)
	case "cifar100":
		if dir == "" {
			if dir, err = defaultCIFAR100(); err != nil {
				return nil, nil, err
			}
		}
		return LoadCIFARBinary(dir, true)
	case "imagefolder":
		if dir == "" {
			return nil, nil, fmt.Errorf("datasets: imagefolder needs a folder or archive; pass --data PATH: %w", ErrConfig)
		}
		return LoadImageFolderWith(dir, folder)
	case "synthetic":
		return loadSynthetic(dir)
	}
	return nil, nil, fmt.Errorf("datasets: unknown dataset %s; choose one of %s: %w", quote.Q(name), strings.Join(Names, ", "), ErrConfig)
}

// loadCIFAR10 loads CIFAR-10 from binary batches or an image folder.
func loadCIFAR10(dir string, folder ImageFolderOptions) (train, test *Set, err error) {
	if dir == "" {
		if dir, err = DefaultCIFAR10(); err != nil {
			return nil, nil, err
		}
	}
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, notFoundError(dir, "CIFAR-10 not found", "pass --data with a cifar-10-batches-bin folder or "+CIFAR10ArchiveName, err)
	}
	if st.IsDir() && (findFile(dir, cifar10Layout.trainFiles[:1]) != "" ||
		findFile(filepath.Join(dir, cifar10Layout.subdir), cifar10Layout.trainFiles[:1]) != "") {
		return LoadCIFARBinary(dir, false)
	}
	if train, test, err = LoadImageFolderWith(dir, folder); err != nil {
		return nil, nil, err
	}
	if !slices.Equal(train.ClassNames, CIFAR10ClassNames) {
		return nil, nil, formatError(dir, fmt.Sprintf("not CIFAR-10: its class folders are %v, want %v", train.ClassNames, CIFAR10ClassNames),
			"load it with the imagefolder dataset instead", nil)
	}
	if train.C != 3 || train.H != cifarSide || train.W != cifarSide {
		return nil, nil, formatError(dir, fmt.Sprintf("not CIFAR-10: images are %d×%d×%d, want 3×32×32", train.C, train.H, train.W),
			"load it with the imagefolder dataset instead", nil)
	}
	train.Name, test.Name = "cifar10", "cifar10"
	return train, test, nil
}

// DefaultCIFAR10 returns the first CIFAR-10 source found: under
// $GHLSIM_DATA the folders cifar-10-batches-bin or cifar10, or the archive
// cifar10-jpeg.tar.gz; else shared/datasets/cifar10-jpeg.tar.gz in the
// working folder or the nearest folder above it that has one.
func DefaultCIFAR10() (string, error) {
	var tried []string
	if d := os.Getenv(DataEnv); d != "" {
		for _, n := range []string{cifar10Layout.subdir, CIFAR10ArchiveName, "cifar10"} {
			p := filepath.Join(d, n)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
			tried = append(tried, p)
		}
	}
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			p := filepath.Join(d, "shared", "datasets", CIFAR10ArchiveName)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
		tried = append(tried, filepath.Join(wd, "shared", "datasets", CIFAR10ArchiveName)+" (and in every folder above)")
	}
	return "", notFoundError("cifar10", "no CIFAR-10 found (looked for "+strings.Join(tried, ", ")+")",
		"pass --data with a cifar-10-batches-bin folder or "+CIFAR10ArchiveName+", or set $"+DataEnv, nil)
}

// defaultCIFAR100 returns $GHLSIM_DATA/cifar-100-binary when it exists.
func defaultCIFAR100() (string, error) {
	if d := os.Getenv(DataEnv); d != "" {
		p := filepath.Join(d, cifar100Layout.subdir)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", notFoundError("cifar100", "CIFAR-100 binary batches not found (none ship with ghlsim)",
		"pass --data DIR with train.bin and test.bin, or set $"+DataEnv+" to a folder holding cifar-100-binary/", nil)
}

// loadSynthetic parses a synthetic spec and generates the two sets.
func loadSynthetic(spec string) (train, test *Set, err error) {
	p := map[string]int{"n": 10000, "test": 2000, "c": 1, "h": 28, "w": 28, "classes": 10, "seed": 1}
	for _, kv := range strings.Split(spec, ",") {
		if kv = strings.TrimSpace(kv); kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		_, known := p[k]
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if !ok || !known || err != nil || n < 0 || (n == 0 && k != "seed" && k != "test") {
			return nil, nil, fmt.Errorf("datasets: synthetic spec %s: bad item %s; write key=value pairs with keys n, test, c, h, w, classes, seed and non-negative integers (sizes positive): %w", quote.Q(spec), quote.Q(kv), ErrConfig)
		}
		p[k] = n
	}
	if p["c"]*p["h"]*p["w"] > 1<<24 || p["n"]+p["test"] > 1<<24 {
		return nil, nil, fmt.Errorf("datasets: synthetic spec %s: too large (at most 2²⁴ samples and 2²⁴ pixels per image): %w", quote.Q(spec), ErrConfig)
	}
	all := Synthetic(p["n"]+p["test"], p["c"], p["h"], p["w"], p["classes"], uint64(p["seed"]))
	idx := make([]int, all.Len())
	for i := range idx {
		idx[i] = i
	}
	return all.Subset(idx[:p["n"]]), all.Subset(idx[p["n"]:]), nil
}
