package datasets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeCIFAR10 writes the six CIFAR-10 batch files with per records each
// into dir and returns the records' labels and pixel seeds in load order.
func writeCIFAR10(t *testing.T, dir string, per int) (labels []int32) {
	files := append(append([]string(nil), cifar10Layout.trainFiles...), cifar10Layout.testFiles...)
	for f, name := range files {
		var data []byte
		for r := range per {
			label := byte((f*per + r) % 10)
			data = append(data, cifarRecord(false, 0, label, f*per+r)...)
			labels = append(labels, int32(label))
		}
		writeFile(t, dir, name, data)
	}
	return labels
}

func TestCIFAR10Binary(t *testing.T) {
	for _, sub := range []string{"", cifar10Layout.subdir} {
		t.Run("sub="+sub, func(t *testing.T) {
			root := t.TempDir()
			labels := writeCIFAR10(t, filepath.Join(root, sub), 3)
			train, test, err := LoadCIFARBinary(root, false)
			if err != nil {
				t.Fatal(err)
			}
			if train.Len() != 15 || test.Len() != 3 || train.C != 3 || train.H != 32 || train.W != 32 || train.Classes != 10 {
				t.Fatalf("shape: train %d test %d %d×%d×%d", train.Len(), test.Len(), train.C, train.H, train.W)
			}
			for i := range 18 {
				s, j := train, i
				if i >= 15 {
					s, j = test, i-15
				}
				want := cifarRecord(false, 0, byte(labels[i]), i)[1:]
				if s.Labels[j] != labels[i] || !bytes.Equal(s.Image(j), want) {
					t.Fatalf("record %d decoded wrongly", i)
				}
			}
			if train.Name != "cifar10" || train.ClassNames[9] != "truck" {
				t.Fatalf("names %q %v", train.Name, train.ClassNames)
			}
		})
	}
}

func TestCIFAR100Binary(t *testing.T) {
	dir := t.TempDir()
	var trainData, testData []byte
	for r := range 4 {
		trainData = append(trainData, cifarRecord(true, byte(r%20), byte(90+r), r)...)
	}
	testData = cifarRecord(true, 19, 99, 9)
	writeFile(t, dir, "train.bin", trainData)
	writeFile(t, dir, "test.bin", testData)
	names := make([]string, 100)
	for i := range names {
		names[i] = "class" + string(rune('A'+i%26)) + string(rune('a'+i/26))
	}
	writeFile(t, dir, "fine_label_names.txt", []byte(strings.Join(names, "\n")+"\n"))
	train, test, err := Load("cifar100", dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 4 || test.Len() != 1 || train.Classes != 100 || train.Labels[3] != 93 || test.Labels[0] != 99 {
		t.Fatalf("loaded %d/%d, labels %v %v", train.Len(), test.Len(), train.Labels, test.Labels)
	}
	if !bytes.Equal(train.Image(2), cifarRecord(true, 2, 92, 2)[2:]) {
		t.Fatal("pixels decoded wrongly")
	}
	if train.ClassNames[27] != names[27] || train.Name != "cifar100" {
		t.Fatalf("class names not read from fine_label_names.txt: %v", train.ClassNames[:3])
	}
	if len(CIFAR100ClassNames) != 100 || CIFAR100ClassNames[99] != "worm" {
		t.Fatal("built-in CIFAR-100 names are wrong")
	}
}

func TestCIFARErrors(t *testing.T) {
	good := cifarRecord(false, 0, 3, 1)
	for _, tc := range []struct {
		name    string
		hundred bool
		file    string
		data    []byte
		kind    error
		subs    []string
	}{
		{"wrong size", false, "data_batch_2.bin", append(append([]byte(nil), good...), good[:100]...), ErrFormat,
			[]string{"data_batch_2.bin", "wrong size", "3173 bytes", "3073-byte records"}},
		{"empty batch", false, "data_batch_1.bin", []byte{}, ErrFormat, []string{"wrong size", "0 bytes"}},
		{"CIFAR-100 file as CIFAR-10", false, "data_batch_1.bin", bytes.Repeat(cifarRecord(true, 1, 1, 1), 3), ErrFormat,
			[]string{"3074-byte records", "other CIFAR variant"}},
		{"label out of range", false, "test_batch.bin", cifarRecord(false, 0, 10, 1), ErrFormat,
			[]string{"test_batch.bin", "label 10 of record 0", "[0, 10)"}},
		{"fine label out of range", true, "train.bin", cifarRecord(true, 3, 100, 1), ErrFormat, []string{"train.bin", "label 100", "[0, 100)"}},
		{"coarse label out of range", true, "test.bin", cifarRecord(true, 20, 5, 1), ErrFormat, []string{"coarse label 20"}},
		{"missing test batch", false, "test_batch.bin", nil, ErrNotFound, []string{"test_batch.bin", "not found", "cifar-10-binary.tar.gz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.hundred {
				writeFile(t, dir, "train.bin", cifarRecord(true, 1, 2, 3))
				writeFile(t, dir, "test.bin", cifarRecord(true, 1, 2, 3))
			} else {
				writeCIFAR10(t, dir, 1)
			}
			if tc.data == nil {
				os.Remove(filepath.Join(dir, tc.file))
			} else {
				writeFile(t, dir, tc.file, tc.data)
			}
			_, _, err := LoadCIFARBinary(dir, tc.hundred)
			wantErr(t, err, tc.kind, tc.subs...)
		})
	}
}
