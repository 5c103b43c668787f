package main

import (
	"image"
	"image/color"
	"testing"
)

func TestCheck(t *testing.T) {
	lim := Limits{MinColors: 32, MinInk: 0.02, MinChroma: 0.0005}
	blank := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range blank.Pix {
		blank.Pix[i] = 0xff
	}
	if err := Check(Measure(blank), lim); err == nil {
		t.Error("a white image passed")
	}
	grey := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			v := uint8(255 - (x*y)%200) // text-like greys, no colour
			grey.Set(x, y, color.RGBA{v, v, v, 255})
		}
	}
	if err := Check(Measure(grey), lim); err == nil {
		t.Error("an image without any coloured pixel passed")
	}
	page := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			c := color.RGBA{255, 255, 255, 255}
			if y > 32 {
				c = color.RGBA{uint8(4 * x), uint8(200 - 2*y), 0x73, 255}
			}
			page.Set(x, y, c)
		}
	}
	s := Measure(page)
	if err := Check(s, lim); err != nil {
		t.Errorf("a drawn page failed: %v (%+v)", err, s)
	}
	if s.Width != 64 || s.Height != 64 || s.Ink < 0.4 || s.Ink > 0.6 {
		t.Errorf("stats %+v", s)
	}
	if err := Check(Stats{}, lim); err == nil {
		t.Error("an empty image passed")
	}
}
