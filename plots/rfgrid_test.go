package plots

import (
	"strings"
	"testing"

	"ghlsim/network"
)

// tileFills returns the fill colours of the pixels of every tile.
func tileFills(t *testing.T, b []byte) [][]string {
	t.Helper()
	d := parseSVG(t, b)
	var tiles [][]string
	in := false
	for _, e := range d.elems {
		switch {
		case e.name == "g" && e.attrs["class"] == "tile":
			tiles = append(tiles, nil)
			in = true
		case e.name == "g":
			in = false
		case e.name == "rect" && in:
			tiles[len(tiles)-1] = append(tiles[len(tiles)-1], e.attrs["fill"])
		case e.name == "text":
			in = false
		}
	}
	return tiles
}

func isGrey(hex string) bool { return len(hex) == 7 && hex[1:3] == hex[3:5] && hex[3:5] == hex[5:7] }

func TestReceptiveFieldsRGB(t *testing.T) {
	w := gaborWeights(8, 3, 5, 5, 1)
	b, err := ReceptiveFields(w, RFOptions{}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if n := d.count("g", hasClass("tile")); n != 8 {
		t.Fatalf("%d tiles, want 8", n)
	}
	tiles := tileFills(t, b)
	coloured := 0
	for i, tile := range tiles {
		if len(tile) != 25 {
			t.Fatalf("tile %d has %d pixels, want 25", i, len(tile))
		}
		for _, f := range tile {
			if !isGrey(f) {
				coloured++
			}
		}
	}
	if coloured == 0 {
		t.Error("C = 3 filters must be drawn in colour")
	}
	if !d.hasText("8 of 8 filters, 5×5, RGB") {
		t.Errorf("title missing: %v", d.texts())
	}
	if m := d.minFontPt(t); m < 8 {
		t.Errorf("smallest font %.1f pt", m)
	}
}

func TestReceptiveFieldsGreyAndContrast(t *testing.T) {
	w := network.HostTensor{Shape: []int{2, 1, 2, 2}, Data: []float32{
		-1, 0, 0.5, 1, // filter 0
		-1000, 0, 500, 1000, // filter 1: same pattern, 1000× larger
	}}
	b, err := ReceptiveFields(w, RFOptions{}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	tiles := tileFills(t, b)
	if len(tiles) != 2 {
		t.Fatalf("%d tiles, want 2", len(tiles))
	}
	want := []string{"#000000", "#808080", "#bfbfbf", "#ffffff"} // 0.75·255 = 191
	for i, tile := range tiles {
		if strings.Join(tile, " ") != strings.Join(want, " ") {
			t.Errorf("tile %d = %v, want %v (per-filter contrast, 0 = mid-grey)", i, tile, want)
		}
	}
}

func TestReceptiveFieldsLimitsAndErrors(t *testing.T) {
	w := gaborWeights(150, 3, 3, 3, 2)
	b, err := ReceptiveFields(w, RFOptions{}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	if n := parseSVG(t, b).count("g", hasClass("tile")); n != 96 {
		t.Errorf("%d tiles, want the default maximum 96", n)
	}
	b, err = ReceptiveFields(w, RFOptions{MaxTiles: 10, Columns: 5, Title: "mine"}, DefaultStyle())
	if err != nil {
		t.Fatal(err)
	}
	d := parseSVG(t, b)
	if n := d.count("g", hasClass("tile")); n != 10 || !d.hasText("mine") {
		t.Errorf("%d tiles (want 10), texts %v", n, d.texts())
	}
	if _, err := ReceptiveFields(network.HostTensor{Shape: []int{4, 9}, Data: make([]float32, 36)}, RFOptions{}, DefaultStyle()); err == nil {
		t.Error("a 2-D tensor must be rejected")
	}
	if _, err := ReceptiveFields(network.HostTensor{Shape: []int{2, 1, 2, 2}, Data: make([]float32, 3)}, RFOptions{}, DefaultStyle()); err == nil {
		t.Error("a tensor whose data does not match its shape must be rejected")
	}
}

func TestFirstConvWeight(t *testing.T) {
	f := network.SafetensorsFile{Tensors: map[string]network.HostTensor{
		"features.10.weight": randTensor(1, 1, 4, 4, 3, 3),
		"features.2.weight":  randTensor(1, 1, 4, 3, 3, 3),
		"fc.weight":          randTensor(1, 1, 2, 4),
	}}
	if name, _, ok := FirstConvWeight(f); !ok || name != "features.2.weight" {
		t.Errorf("FirstConvWeight = %q %v, want features.2.weight", name, ok)
	}
	f.Tensors["conv1.weight"] = randTensor(1, 1, 4, 3, 5, 5)
	if name, _, _ := FirstConvWeight(f); name != "conv1.weight" {
		t.Errorf("FirstConvWeight = %q, want conv1.weight", name)
	}
	if _, _, ok := FirstConvWeight(network.SafetensorsFile{}); ok {
		t.Error("no conv weight: want ok = false")
	}
}
