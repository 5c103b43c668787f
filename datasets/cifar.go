package datasets

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CIFAR binary format: each record is a label byte (CIFAR-100: a coarse and
// a fine label byte) followed by 3×32×32 pixel bytes, red plane, green
// plane, blue plane, each row-major — already NCHW.
const (
	cifarSide      = 32
	cifarPixels    = 3 * cifarSide * cifarSide
	cifar10Record  = 1 + cifarPixels
	cifar100Record = 2 + cifarPixels
	cifar100Coarse = 20
)

// CIFAR10ClassNames are CIFAR-10's classes in canonical label order.
var CIFAR10ClassNames = []string{
	"airplane", "automobile", "bird", "cat", "deer",
	"dog", "frog", "horse", "ship", "truck",
}

// CIFAR100ClassNames are CIFAR-100's 100 fine classes in canonical label
// order (alphabetical).
var CIFAR100ClassNames = []string{
	"apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
	"bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
	"chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
	"dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
	"lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
	"mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
	"plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
	"rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
	"squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
	"train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
}

// cifarLayout describes one of the two binary variants.
type cifarLayout struct {
	name       string   // Set.Name
	record     int      // bytes per record
	labelDesc  string   // what precedes the pixels in a record
	classes    int      // fine classes
	names      []string // built-in class names
	namesFile  string   // optional class-name file in the folder
	subdir     string   // folder the official tarball extracts to
	trainFiles []string
	testFiles  []string
	fix        string
}

var (
	cifar10Layout = cifarLayout{
		name: "cifar10", record: cifar10Record, labelDesc: "1 label byte", classes: 10, names: CIFAR10ClassNames,
		namesFile: "batches.meta.txt", subdir: "cifar-10-batches-bin",
		trainFiles: []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
		testFiles:  []string{"test_batch.bin"},
		fix:        "download the binary version of CIFAR-10 (cifar-10-binary.tar.gz) elsewhere, extract it and pass --data with its cifar-10-batches-bin folder",
	}
	cifar100Layout = cifarLayout{
		name: "cifar100", record: cifar100Record, labelDesc: "coarse and fine label bytes", classes: 100, names: CIFAR100ClassNames,
		namesFile: "fine_label_names.txt", subdir: "cifar-100-binary",
		trainFiles: []string{"train.bin"},
		testFiles:  []string{"test.bin"},
		fix:        "download the binary version of CIFAR-100 (cifar-100-binary.tar.gz) elsewhere, extract it and pass --data with its cifar-100-binary folder",
	}
)

// LoadCIFARBinary loads the canonical binary batches of CIFAR-10
// (hundred false: data_batch_1.bin … data_batch_5.bin and test_batch.bin,
// 3073-byte records) or CIFAR-100 (hundred true: train.bin and test.bin,
// 3074-byte records, fine labels) from dir, or from its
// cifar-10-batches-bin / cifar-100-binary subfolder. Files may hold any
// whole number of records. Class names come from batches.meta.txt /
// fine_label_names.txt when present, else the canonical lists.
func LoadCIFARBinary(dir string, hundred bool) (train, test *Set, err error) {
	lay := cifar10Layout
	if hundred {
		lay = cifar100Layout
	}
	if findFile(dir, lay.trainFiles[:1]) == "" {
		if sub := filepath.Join(dir, lay.subdir); findFile(sub, lay.trainFiles[:1]) != "" {
			dir = sub
		}
	}
	names := lay.readNames(dir)
	if train, err = lay.load(dir, lay.trainFiles, names); err != nil {
		return nil, nil, err
	}
	if test, err = lay.load(dir, lay.testFiles, names); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// load reads and concatenates the given batch files.
func (lay cifarLayout) load(dir string, files, names []string) (*Set, error) {
	total := int64(0)
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(dir, f)
		st, err := os.Stat(paths[i])
		if err != nil {
			return nil, notFoundError(paths[i], "file not found", lay.fix, err)
		}
		if err := lay.checkSize(paths[i], st.Size()); err != nil {
			return nil, err
		}
		total += st.Size() / int64(lay.record)
	}
	s := &Set{
		Name: lay.name, C: 3, H: cifarSide, W: cifarSide,
		Classes: lay.classes, ClassNames: names,
		Pixels: make([]uint8, 0, total*cifarPixels),
		Labels: make([]int32, 0, total),
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, notFoundError(p, "cannot read", lay.fix, err)
		}
		if err := lay.decode(p, data, s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// checkSize verifies that a batch file holds a whole, positive number of
// records.
func (lay cifarLayout) checkSize(path string, size int64) error {
	if size > 0 && size%int64(lay.record) == 0 {
		return nil
	}
	other := cifar100Record
	if lay.record == cifar100Record {
		other = cifar10Record
	}
	hint := ""
	if size > 0 && size%int64(other) == 0 {
		hint = fmt.Sprintf("; its size fits %d-byte records: is this a file of the other CIFAR variant?", other)
	}
	return formatError(path,
		fmt.Sprintf("wrong size: %d bytes is not a positive whole number of %d-byte records (%s + 3×32×32 pixels)%s",
			size, lay.record, lay.labelDesc, hint),
		lay.fix, nil)
}

// decode appends the records in data (read from path) to s.
func (lay cifarLayout) decode(path string, data []byte, s *Set) error {
	if err := lay.checkSize(path, int64(len(data))); err != nil {
		return err
	}
	base := s.Len()
	for off := 0; off < len(data); off += lay.record {
		rec := data[off : off+lay.record]
		label := int(rec[lay.record-cifarPixels-1])
		if label >= lay.classes {
			return formatError(path, fmt.Sprintf("label %d of record %d is outside [0, %d)", label, s.Len()-base, lay.classes), lay.fix, nil)
		}
		if lay.record == cifar100Record && int(rec[0]) >= cifar100Coarse {
			return formatError(path, fmt.Sprintf("coarse label %d of record %d is outside [0, %d)", rec[0], s.Len()-base, cifar100Coarse), lay.fix, nil)
		}
		s.Labels = append(s.Labels, int32(label))
		s.Pixels = append(s.Pixels, rec[lay.record-cifarPixels:]...)
	}
	return nil
}

// readNames returns the class names from the folder's name file when it
// lists exactly the right number of names, else the built-in list.
func (lay cifarLayout) readNames(dir string) []string {
	f, err := os.Open(filepath.Join(dir, lay.namesFile))
	if err != nil {
		return append([]string(nil), lay.names...)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() && len(names) <= lay.classes {
		if n := strings.TrimSpace(sc.Text()); n != "" {
			names = append(names, n)
		}
	}
	if sc.Err() != nil || len(names) != lay.classes {
		return append([]string(nil), lay.names...)
	}
	return names
}

// decodeCIFAR decodes one in-memory batch file (used by the fuzz target).
func decodeCIFAR(path string, data []byte, hundred bool) (*Set, error) {
	lay := cifar10Layout
	if hundred {
		lay = cifar100Layout
	}
	if err := lay.checkSize(path, int64(len(data))); err != nil {
		return nil, err
	}
	n := len(data) / lay.record
	s := &Set{
		Name: lay.name, C: 3, H: cifarSide, W: cifarSide,
		Classes: lay.classes, ClassNames: append([]string(nil), lay.names...),
		Pixels: make([]uint8, 0, n*cifarPixels),
		Labels: make([]int32, 0, n),
	}
	if err := lay.decode(path, data, s); err != nil {
		return nil, err
	}
	return s, nil
}
